package directory

import "time"

// rightsTTL is how long a node reuses an evaluation of effective rights on
// the protocol paths (every login checks module access, R-MOD-2; API
// decisions and rights requests evaluate too). Any change made through this
// node's directory drops every evaluation at once (Service.tx); changes
// made on another node show within rightsTTL.
const rightsTTL = time.Second
