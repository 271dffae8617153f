package loadtest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	crewjam "github.com/crewjam/saml"
)

// saml-acs: Sesame as a SAML 2.0 service provider under IdP-initiated
// load. The command plays an independent IdP (samlidp.go): a tenant and a
// SAML connection trusting the IdP's metadata (allowIdpInitiated, default
// attribute names plus a roles attribute) are created through the admin
// API; the SP metadata says where to post; a pool of signed responses, each
// with its own Response and Assertion ID (the server's replay cache takes
// each once, R-SAML-3), is made before the clock starts; one operation is
// the browser's auto-POST of one response to the ACS.

// samlRatePerCore is the consume rate per core of this machine the pool
// is sized for by default: above what docs/BENCHMARKS.md measured for the
// whole ACS request (≈ 500/s on 2 cores), so the pool lasts the run there.
const samlRatePerCore = 400

// maxSAMLRun bounds -warmup + -d for saml-acs: responses made before the
// run must still be fresh at its end (see samlTimes).
const maxSAMLRun = 3 * time.Minute

const samlTooLong = "-warmup + -d must be at most 3m0s: responses signed before the run must still be fresh at its end " +
	"(SAML accepts a response 90 s after its IssueInstant, which may lie at most 180 s ahead)"

// errPoolEmpty ends a worker's run: its share of the pre-made responses is
// used up (a used response is never posted again).
var errPoolEmpty = errors.New("SAML response pool used up")

// samlSetup is what set-up created for saml-acs.
type samlSetup struct {
	idp      *loadIdP
	tenantID string
	connID   string
	sp       spTarget
	acsPost  string // the ACS on -url (sp.acsURL may publish another origin)
	users    []samlUser
	note     string
}

// setUpSAML makes the IdP, a tenant and a SAML connection trusting the
// IdP, and reads the connection's SP metadata.
func (e *env) setUpSAML(ctx context.Context) error {
	idp, err := newLoadIdP(e.suffix)
	if err != nil {
		return err
	}
	md, err := idp.metadata()
	if err != nil {
		return err
	}
	s := &samlSetup{idp: idp}
	e.saml = s
	// SAML connections belong to a tenant (POST /api/v1/connections,
	// tenantId).
	var t idOnly
	if err := e.api(ctx, "POST", "/api/v1/contexts", map[string]any{"type": "tenant", "name": "Load test SAML " + e.suffix,
		"parentId": e.rootID}, &t); err != nil {
		return err
	}
	s.tenantID = t.ID
	var c struct {
		ID     string `json:"id"`
		SAMLSP struct {
			EntityID string `json:"entityId"`
			ACSURL   string `json:"acsUrl"`
		} `json:"samlSp"`
	}
	// mapping: the SAML defaults (Email, First Name, Last Name, Phone
	// Number) and a roles attribute.
	if err := e.api(ctx, "POST", "/api/v1/connections", map[string]any{"tenantId": s.tenantID, "kind": "saml",
		"name": "Load test SAML " + e.suffix, "saml": map[string]any{"idpMetadata": md, "allowIdpInitiated": true},
		"mapping": map[string]any{"roles": []string{samlRoleAttr}}}, &c); err != nil {
		return err
	}
	s.connID = c.ID
	if s.sp, err = e.spMetadata(ctx, s.connID); err != nil {
		return err
	}
	if c.SAMLSP.EntityID != "" && (c.SAMLSP.EntityID != s.sp.entityID || c.SAMLSP.ACSURL != s.sp.acsURL) {
		return fmt.Errorf("SP metadata (entity %s, ACS %s) differs from the connection's samlSp (entity %s, ACS %s)",
			s.sp.entityID, s.sp.acsURL, c.SAMLSP.EntityID, c.SAMLSP.ACSURL)
	}
	acs, err := url.Parse(s.sp.acsURL)
	if err != nil || !acs.IsAbs() {
		return fmt.Errorf("SP metadata: bad ACS URL %q", s.sp.acsURL)
	}
	if acs.Scheme != e.base.Scheme || acs.Host != e.base.Host {
		s.note = fmt.Sprintf("the ACS published on %s://%s is posted to on %s", acs.Scheme, acs.Host, e.cfg.URL)
		acs.Scheme, acs.Host = e.base.Scheme, e.base.Host
	}
	s.acsPost = acs.String()
	return nil
}

// spMetadata reads GET /saml/{connection}/metadata: the SP entity id and
// its HTTP-POST ACS (the default one, SAML metadata §2.2.3, else the first).
func (e *env) spMetadata(ctx context.Context, connID string) (spTarget, error) {
	var sp spTarget
	path := "/saml/" + url.PathEscape(connID) + "/metadata"
	req, err := http.NewRequestWithContext(ctx, "GET", e.cfg.URL+path, nil)
	if err != nil {
		return sp, err
	}
	resp, err := e.admin.Do(req)
	if err != nil {
		return sp, fmt.Errorf("GET %s: %w", path, err)
	}
	b := readBody(resp)
	if resp.StatusCode != http.StatusOK {
		return sp, fmt.Errorf("GET %s: status %d: %s", path, resp.StatusCode, truncate(string(b), 200))
	}
	var ed crewjam.EntityDescriptor
	if err := xml.Unmarshal(b, &ed); err != nil {
		return sp, fmt.Errorf("GET %s: %w", path, err)
	}
	sp.entityID = ed.EntityID
	for _, d := range ed.SPSSODescriptors {
		for _, a := range d.AssertionConsumerServices {
			if a.Binding != crewjam.HTTPPostBinding {
				continue
			}
			if sp.acsURL == "" || (a.IsDefault != nil && *a.IsDefault) {
				sp.acsURL = a.Location
			}
		}
	}
	if sp.entityID == "" || sp.acsURL == "" {
		return sp, fmt.Errorf("GET %s: no entity id or no HTTP-POST AssertionConsumerService", path)
	}
	return sp, nil
}

// tearDownSAML deletes the connection (its identity links go with it),
// then the users it created just in time (anonymized in place), then tries
// the tenant: it stays when those users still name it (a context with
// users of its tenant cannot be deleted), which is a note, not an error.
func (e *env) tearDownSAML(ctx context.Context, log io.Writer) []error {
	s := e.saml
	if s == nil {
		return nil
	}
	var errs []error
	if s.connID != "" {
		if err := e.api(ctx, "DELETE", "/api/v1/connections/"+s.connID, nil, nil); err != nil {
			errs = append(errs, err)
		}
	}
	if s.tenantID == "" {
		return errs
	}
	var ids []string
	for offset := 0; ; offset += 500 {
		var page struct {
			Items []struct {
				ID, Status string
			} `json:"items"`
		}
		q := url.Values{"contextId": {s.tenantID}, "limit": {"500"}, "offset": {fmt.Sprint(offset)}}
		if err := e.api(ctx, "GET", "/api/v1/users?"+q.Encode(), nil, &page); err != nil {
			errs = append(errs, err)
			break
		}
		for _, u := range page.Items {
			if u.Status != "deleted" {
				ids = append(ids, u.ID)
			}
		}
		if len(page.Items) < 500 {
			break
		}
	}
	for _, id := range ids {
		if err := e.apiRetry(ctx, "POST", "/api/v1/users/"+id+"/delete", nil, nil); err != nil {
			errs = append(errs, err)
		}
	}
	err := e.api(ctx, "DELETE", "/api/v1/contexts/"+s.tenantID, nil, nil)
	var ae *apiError
	switch {
	case err == nil:
	case errors.As(err, &ae) && ae.status == http.StatusConflict:
		var p struct {
			Detail string `json:"detail"`
		}
		if json.Unmarshal([]byte(ae.body), &p) != nil || p.Detail == "" {
			p.Detail = ae.body
		}
		fmt.Fprintf(log, "saml-acs: the tenant %q stays (the users the run created, now deleted, keep it): %s\n", "Load test SAML "+e.suffix, p.Detail)
	default:
		errs = append(errs, err)
	}
	return errs
}

// samlUsers are the run's n subjects: a persistent NameID each and the
// five attributes (the NameID is the key; the attributes stay the same, so
// a returning user's JIT update finds nothing to change but still runs).
func samlUsers(suffix string, n int) []samlUser {
	us := make([]samlUser, n)
	for i := range us {
		login := fmt.Sprintf("load-%s-saml-%04d", suffix, i)
		us[i] = samlUser{nameID: "load-" + suffix + "-" + fmt.Sprintf("%04d", i), email: login + "@load.example.org",
			first: "Load", last: fmt.Sprintf("SAML %d", i), phone: fmt.Sprintf("+44 20 7946 %04d", i%10000), groups: "Staff"}
	}
	return us
}

// samlTimes are the instants of a pool made at t0 for a run of run
// (warm-up + measured). A response is accepted until its IssueInstant
// plus 90 s (crewjam.MaxIssueDelay) and refused when its IssueInstant lies
// more than 180 s ahead (crewjam.MaxClockSkew): a run longer than about a
// minute gets responses dated 150 s ahead (fresh until t0 + 240 s), the
// one liberty a real IdP (which issues just before the browser posts)
// never needs.
// NotOnOrAfter (Conditions and SubjectConfirmationData) is 10 min past the
// run's end, NotBefore a minute before t0, far outside the server's
// default 120 s clock skew.
func samlTimes(t0 time.Time, run time.Duration) responseTimes {
	var shift time.Duration
	if run > 45*time.Second {
		shift = 150 * time.Second
	}
	t0 = t0.UTC().Truncate(time.Millisecond)
	return responseTimes{issued: t0.Add(shift), notBefore: t0.Add(-time.Minute),
		notOnOrAfter: t0.Add(run + 10*time.Minute), authn: t0.Add(-time.Second)}
}

// samlPoolSize is -saml-pool, or the expected rate (samlRatePerCore per
// core) × (warm-up + measured time) with a fifth more, and at least four
// responses per user.
func samlPoolSize(c Config, users int) int {
	if c.SAMLPool > 0 {
		return c.SAMLPool
	}
	secs := (c.Warmup + c.Duration).Seconds() * 1.2
	return max(int(secs*float64(samlRatePerCore*runtime.NumCPU())), 4*users)
}

// samlState is one worker's share of the pool: the responses of its own
// users (w.id, w.id+c, …) in round-robin order, so no user is ever
// consumed twice at once; each body is dropped once posted.
type samlState struct {
	c      *http.Client
	bodies [][]byte // url-encoded SAMLResponse=…&RelayState=
	next   int
}

// makeSAMLPool signs n responses with every core, before the clock
// starts. Response j goes to worker j mod c as that worker's (j div c)-th,
// for its users in turn; the pool's users are rounded up to a multiple of
// the workers so that every worker has the same number.
func (e *env) makeSAMLPool(ctx context.Context, n int, ts responseTimes) ([][][]byte, error) {
	s, conc := e.saml, e.cfg.Concurrency
	perWorker := (n + conc - 1) / conc
	usersPer := len(s.users) / conc
	pool := make([][][]byte, conc)
	for w := range pool {
		pool[w] = make([][]byte, perWorker)
	}
	total := perWorker * conc
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			sc, err := s.idp.signer()
			for err == nil && ctx.Err() == nil {
				j := int(next.Add(1) - 1)
				if j >= total {
					return
				}
				w, k := j%conc, j/conc
				u := s.users[w+conc*(k%usersPer)]
				var b64 string
				if b64, err = s.idp.response(sc, s.sp, u, ts, e.cfg.SAMLSign); err == nil {
					pool[w][k] = []byte(url.Values{"SAMLResponse": {b64}, "RelayState": {""}}.Encode())
				}
			}
			mu.Lock()
			if first == nil {
				first = cmp.Or(err, ctx.Err())
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return pool, first
}

// prepareSAML makes the users and the pool and hands each worker its share.
func (e *env) prepareSAML(ctx context.Context, log io.Writer) ([]*worker, error) {
	c, s := e.cfg, e.saml
	users := (c.Users + c.Concurrency - 1) / c.Concurrency * c.Concurrency
	s.users = samlUsers(e.suffix, users)
	// Every worker gets the same share.
	n := (samlPoolSize(c, users) + c.Concurrency - 1) / c.Concurrency * c.Concurrency
	run := c.Warmup + c.Duration
	t0 := time.Now()
	ts := samlTimes(t0, run)
	fmt.Fprintf(log, "saml-acs: signing %d responses (%s signed, RSA-SHA256) for %d users on %d cores…\n",
		n, c.SAMLSign, users, runtime.GOMAXPROCS(0))
	pool, err := e.makeSAMLPool(ctx, n, ts)
	if err != nil {
		return nil, fmt.Errorf("SAML responses: %w", err)
	}
	took := time.Since(t0)
	fmt.Fprintf(log, "saml-acs: %d responses in %s (%.0f/s)\n", n, took.Round(time.Millisecond), float64(n)/took.Seconds())
	// The last response must still be fresh when the run ends.
	if end, fresh := time.Now().Add(run+5*time.Second), ts.issued.Add(crewjam.MaxIssueDelay); end.After(fresh) {
		return nil, fmt.Errorf("signing took %s: the responses (issued %s) expire %s after issue, before the run would end; "+
			"use a smaller -saml-pool or a shorter -d", took.Round(time.Second), ts.issued.Format(time.RFC3339), crewjam.MaxIssueDelay)
	}
	return e.workers(ctx, func(w *worker) error {
		w.state = &samlState{c: e.plain(), bodies: pool[w.id]}
		return nil
	})
}

// samlACS: the browser's auto-POST of the worker's next response to the
// ACS (SAML bindings §3.5), cross-site from the IdP's origin, no cookies,
// redirects not followed. Success: an IdP-initiated consume ends in a 303
// to /login?flow=… (the login engine continues there).
func (e *env) samlACS(ctx context.Context, w *worker) error {
	st := w.state.(*samlState)
	if st.next >= len(st.bodies) {
		return errPoolEmpty
	}
	body := st.bodies[st.next]
	st.bodies[st.next] = nil // posted once, never again
	st.next++
	req, err := http.NewRequestWithContext(ctx, "POST", e.saml.acsPost, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.saml.idp.origin)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	resp, err := st.c.Do(req)
	if err != nil {
		return fmt.Errorf("ACS: %w", netErr(err))
	}
	b := readBody(resp)
	loc, _ := resp.Location()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("ACS: status %d: %s", resp.StatusCode, pageReason(b))
	}
	if loc == nil || loc.Path != "/login" || loc.Query().Get("flow") == "" {
		where := "nowhere"
		if loc != nil {
			where = loc.Path
		}
		return fmt.Errorf("ACS: 303 to %s, not to /login?flow=…", where)
	}
	return nil
}

var paragraphRE = regexp.MustCompile(`(?is)<p[^>]*>(.*?)</p>`)

// pageReason names an HTML refusal by its title and first paragraph.
func pageReason(b []byte) string {
	t := pageTitle(b)
	if m := paragraphRE.FindSubmatch(b); m != nil {
		p := strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(string(m[1]), ""))), " ")
		if p != "" && p != t {
			t += ": " + p
		}
	}
	return truncate(t, 160)
}

// samlNote describes the saml-acs figure, and whether (and when, from the
// start t0 of the warm-up) workers used up their responses.
func (e *env) samlNote(ws []*worker, t0 time.Time) (string, bool) {
	c, s := e.cfg, e.saml
	made, posted := 0, 0
	var first time.Time
	stopped := 0
	for _, w := range ws {
		st := w.state.(*samlState)
		made += len(st.bodies)
		posted += st.next
		if !w.ranOut.IsZero() {
			stopped++
			if first.IsZero() || w.ranOut.Before(first) {
				first = w.ranOut
			}
		}
	}
	note := fmt.Sprintf("one consume = POST of one IdP-initiated Response (%s signed, RSA-SHA256; persistent NameID, 5 attributes) "+
		"to the ACS, answered 303 to /login; %d users (each one's first consume created it), %d responses made, %d posted, each once",
		c.SAMLSign, len(s.users), made, posted)
	if stopped == 0 {
		return note, false
	}
	at := first.Sub(t0)
	when := fmt.Sprintf("%.1f s into the measured window", (at - c.Warmup).Seconds())
	if at < c.Warmup {
		when = fmt.Sprintf("during the warm-up (%.1f s)", at.Seconds())
	}
	return note + fmt.Sprintf("; THE POOL RAN OUT %s: %d of %d workers stopped issuing, the rate is understated — raise -saml-pool",
		when, stopped, len(ws)), true
}
