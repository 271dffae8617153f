package sesametest

import (
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/server"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// Node is a second Sesame node on e's store: its own directory service
// (and so its own caches) and HTTP server, with e's issuer, as a cluster
// node behind one URL would be.
type Node struct {
	Svc    *directory.Service
	Server *httptest.Server
}

// Node starts another node on e's store; opts.Now sets its clock and
// opts.Throttle its brute-force limiter.
func (e *Env) Node(t testing.TB, opts Options) *Node {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	svc := directory.New(e.Store, password.New(FastHash, 4), log)
	if opts.Throttle != nil {
		// The node's own limiter on the shared store, as on a cluster node.
		svc.SetLimiter(throttle.New(e.Store, *opts.Throttle, log))
	}
	svc.SetSealer(testSealer(t))
	if opts.Now != nil {
		svc.SetClock(opts.Now)
		if opts.OIDC.Now == nil {
			opts.OIDC.Now = opts.Now
		}
	}
	so, _, _ := messaging(t, e.Store, opts) // its own worker, like a node of its own
	so.MaxBodyBytes, so.CASTicketTTL, so.Issuer, so.OIDC, so.HTTPClient = 1<<20, opts.TicketTTL, e.Server.URL, opts.OIDC, opts.HTTPClient
	h, err := server.New(e.Store, svc, log, so)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Node{Svc: svc, Server: srv}
}
