package oidc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Limits bound every back-channel request to an IdP (issue 10 "bad input":
// an IdP that answers slowly, with a 10 MB body or with a redirect loop).
type Limits struct {
	// Timeout for a whole request, body included (default 10 s).
	Timeout time.Duration
	// MaxBody is the largest answer read (default 1 MiB); larger answers are
	// an error, never silently truncated.
	MaxBody int64
	// MaxRedirects followed (default 3).
	MaxRedirects int
	// Transport is the underlying transport (default: a dialer and TLS
	// handshake bounded by Timeout).
	Transport http.RoundTripper
	// DenyPrivateNetworks refuses connections to loopback, private
	// (RFC 1918, RFC 4193), link-local (cloud metadata at 169.254.169.254)
	// and unspecified addresses, checked on the address actually dialled
	// (after DNS, so rebinding does not get around it). Connections are set
	// up by tenant admins: turn this on unless IdPs live on the private
	// network (on-premises Keycloak/ADFS). Only with the default Transport.
	DenyPrivateNetworks bool
}

// Defaults.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxBody      = 1 << 20
	DefaultMaxRedirects = 3
)

// ErrTooLarge is returned (wrapped in a *url.Error) for an answer larger
// than Limits.MaxBody.
var ErrTooLarge = errors.New("answer too large")

// ErrRedirects is returned (wrapped) when an IdP redirects more than
// Limits.MaxRedirects times.
var ErrRedirects = errors.New("too many redirects")

// NewHTTPClient returns the client connectors use towards IdPs. Inject it
// (Options.HTTPClient) to share one per process or to reach test servers.
func NewHTTPClient(l Limits) *http.Client {
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	if l.MaxBody <= 0 {
		l.MaxBody = DefaultMaxBody
	}
	if l.MaxRedirects < 0 {
		l.MaxRedirects = 0
	} else if l.MaxRedirects == 0 {
		l.MaxRedirects = DefaultMaxRedirects
	}
	base := l.Transport
	if base == nil {
		dialer := &net.Dialer{Timeout: l.Timeout, KeepAlive: 30 * time.Second}
		if l.DenyPrivateNetworks {
			dialer.Control = denyPrivate
		}
		base = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   l.Timeout,
			ResponseHeaderTimeout: l.Timeout,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		}
	}
	maxRedirects := l.MaxRedirects
	return &http.Client{
		Timeout:   l.Timeout,
		Transport: &limitedTransport{base: base, max: l.MaxBody},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("%w (more than %d)", ErrRedirects, maxRedirects)
			}
			return nil
		},
	}
}

// ErrPrivateNetwork is returned (wrapped) when DenyPrivateNetworks stops a
// connection.
var ErrPrivateNetwork = errors.New("address on a private network refused")

func denyPrivate(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrPrivateNetwork, host)
	}
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() {
		return fmt.Errorf("%w: %s", ErrPrivateNetwork, ip)
	}
	return nil
}

// limitedTransport reads each answer whole, up to max bytes, inside the
// request (so the client's timeout covers it) and refuses larger ones.
type limitedTransport struct {
	base http.RoundTripper
	max  int64
}

func (t *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength > t.max {
		return nil, fmt.Errorf("%w: %d bytes announced, at most %d", ErrTooLarge, resp.ContentLength, t.max)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, t.max+1))
	if err != nil {
		return nil, fmt.Errorf("reading answer: %w", err)
	}
	if int64(len(body)) > t.max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, t.max)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}
