package oidcop

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/sesame-sso/sesame/internal/cache"
	"github.com/sesame-sso/sesame/internal/clients"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// CORS (issue 8 item 11). op's rs/cors middleware reflected any origin,
// with credentials, on every /oauth2/* endpoint; it is switched off
// (op.WithCORSOptions(nil) in New) and replaced by a per-client check: a
// public (browser) client calls the token, revocation, userinfo and JWKS
// endpoints with fetch() from the web origins registered on it, and no
// other origin gets an Access-Control-Allow-Origin anywhere. No endpoint
// allows credentials: these calls carry tokens, never cookies.

// corsPaths are the endpoints a browser client calls cross-origin.
var corsPaths = map[string]bool{"/" + pathToken: true, "/" + pathRevoke: true, "/" + pathUserinfo: true, "/" + pathKeys: true}

// CrossOriginPaths are the POST endpoints that carry no cookie-based
// authority and check the caller's origin themselves (cors): the server's
// cross-origin request protection must let them through.
func CrossOriginPaths() []string {
	return []string{"POST /" + pathToken, "POST /" + pathRevoke, "POST /" + pathUserinfo}
}

// corsMaxBody bounds a cross-origin form read before op sees the request.
const corsMaxBody = 64 << 10

// cors wraps an endpoint with the origin check.
func (p *Provider) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || !corsPaths[r.URL.Path] {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Origin")
		canon, err := clients.ParseOrigin(origin)
		if err == nil && canon == p.ownOrigin {
			next.ServeHTTP(w, r) // same origin: no CORS involved
			return
		}
		if r.Method == http.MethodOptions {
			p.preflight(w, r, canon, err == nil)
			return
		}
		if err != nil || !p.originAllowed(w, r, canon) {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "access_denied",
				"error_description": "this origin is not a registered web origin of the client"})
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Expose-Headers", "WWW-Authenticate")
		next.ServeHTTP(w, r)
	})
}

// preflight answers a CORS preflight (Fetch §3.2.3): it carries no client
// id, so the origin must be registered on some public client; the request
// that follows is checked against its own client.
func (p *Provider) preflight(w http.ResponseWriter, r *http.Request, canon string, valid bool) {
	if !valid || !p.origins.any(r.Context(), canon) {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	h.Set("Access-Control-Allow-Methods", "GET, POST")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// originAllowed decides for the actual request: the token and revocation
// endpoints name their client (client_id, RFC 6749 §2.3.1 / §3.2.1), the
// userinfo endpoint's bearer token does; the JWKS is public to every
// registered origin, as is a userinfo answer to a token that does not
// verify (so the app can read the 401).
func (p *Provider) originAllowed(w http.ResponseWriter, r *http.Request, canon string) bool {
	ctx := r.Context()
	clientID := ""
	switch r.URL.Path {
	case "/" + pathToken, "/" + pathRevoke:
		r.Body = http.MaxBytesReader(w, r.Body, corsMaxBody)
		if err := r.ParseForm(); err != nil {
			return false
		}
		clientID = r.PostForm.Get("client_id")
		if id, _, ok := r.BasicAuth(); ok {
			clientID = id
		}
	case "/" + pathUserinfo:
		if raw := bearer(r); raw != "" {
			if t, err := p.Verify(ctx, raw); err == nil {
				clientID = t.ClientID
			}
		}
		if clientID == "" {
			return p.origins.any(ctx, canon)
		}
	default: // the JWKS
		return p.origins.any(ctx, canon)
	}
	if clientID == "" {
		return false
	}
	c, err := p.oidcClient(ctx, clientID)
	return err == nil && c.Public && hasOrigin(c, canon)
}

// hasOrigin reports whether canon is one of c's registered web origins.
func hasOrigin(c model.Client, canon string) bool {
	return slices.ContainsFunc(c.WebOrigins, func(o string) bool {
		got, err := clients.ParseOrigin(o)
		return err == nil && got == canon
	})
}

// issuerOrigin is the issuer's own origin (same-origin calls need no CORS).
func issuerOrigin(issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil {
		return ""
	}
	o, _ := clients.ParseOrigin(u.Scheme + "://" + u.Host)
	return o
}

// originIndex is the set of web origins of all public OIDC clients, for
// preflights and the JWKS: one cache.Gen entry, forgotten by every
// directory change on this node (Provider.New subscribes it to OnChange)
// and at most ttl old for changes made on another node.
type originIndex struct {
	store storage.DirectoryReader
	now   func() time.Time
	set   *cache.Gen[map[string]bool]
}

func newOriginIndex(store storage.DirectoryReader, ttl time.Duration, now func() time.Time) *originIndex {
	return &originIndex{store: store, now: now, set: cache.New[map[string]bool](ttl, 1)}
}

func (x *originIndex) any(ctx context.Context, canon string) bool {
	set, err := x.set.Get(ctx, "", x.now(), func(ctx context.Context) (map[string]bool, error) {
		cs, err := x.store.ListClients(ctx, model.ProtocolOIDC)
		if err != nil {
			return nil, err
		}
		set := map[string]bool{}
		for _, c := range cs {
			if !c.Public {
				continue
			}
			for _, o := range c.WebOrigins {
				if got, err := clients.ParseOrigin(o); err == nil {
					set[got] = true
				}
			}
		}
		return set, nil
	})
	return err == nil && set[canon]
}
