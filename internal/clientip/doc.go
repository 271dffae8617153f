// Package clientip decides which address a request comes from — the one
// function every limiter, audit row and session uses. X-Forwarded-For is
// honoured only when the peer is a configured trusted proxy; from anyone
// else it is ignored, so a client cannot pick its own address (R-PWD-3).
package clientip
