package federation

import "github.com/sesame-sso/sesame/internal/connector"

// Identity is what a connector hands over: the IdP's assertion before any
// mapping (connector.Identity, DESIGN note 2). Federation maps it for every
// protocol alike and never reads its Data.
type Identity = connector.Identity
