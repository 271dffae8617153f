package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/sesame-sso/sesame/internal/connector"
	"github.com/sesame-sso/sesame/internal/connector/saml"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/federation"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// maxMetadataBytes bounds a fetched IdP metadata document (federations'
// aggregates are larger, but a connection trusts one IdP).
const maxMetadataBytes = 4 << 20

// SAMLConfig maps a stored SAML connection to its connector's settings
// (R-SAML-1): Sesame's SP URLs under issuer, the connection's SP keys,
// the email attribute of its effective mapping.
func SAMLConfig(c model.Connection, issuer, tenantSlug string, keys []saml.KeyPair) saml.Config {
	sm := c.SAML
	alias := ""
	if tenantSlug != "" {
		alias = saml.ConsumeAliasURL(issuer, tenantSlug)
	}
	return saml.Config{AliasACSURL: alias,
		IdPMetadata: []byte(sm.IdPMetadata), IdPEntityID: sm.IdPEntityID,
		EntityID: saml.EntityID(issuer, c.ID), ACSURL: saml.ACSURL(issuer, c.ID), SLOURL: saml.SLOURL(issuer, c.ID),
		Keys: keys, AllowIdPInitiated: sm.AllowIdPInitiated, ClockSkew: time.Duration(sm.ClockSkewSeconds) * time.Second,
		SignAuthnRequests: sm.SignRequests, Binding: saml.Binding(sm.Binding),
		EmailAttribute: federation.EffectiveSAML(c.Mapping).Email,
	}
}

// openSAML opens a SAML connection's connector. Its replay cache is the
// store's (storage.Federation.UseAssertionID), so an assertion accepted
// on one node is refused on every other (R-SAML-3); a store failure is
// not a replay (the caller answers 503).
func openSAML(svc *directory.Service, st storage.Federation, issuer string, log *slog.Logger, now func() time.Time) func(context.Context, model.Connection) (connector.Connector, error) {
	return func(ctx context.Context, c model.Connection) (connector.Connector, error) {
		keys, err := svc.SAMLKeys(c)
		if err != nil {
			return nil, err
		}
		t, err := svc.Reader().GetContext(ctx, c.TenantID)
		if err != nil {
			return nil, err
		}
		slug := "" // the marketplace alias is a tenant's (seed 002)
		if t.Type == model.ContextTenant {
			slug = t.Slug
		}
		id := c.ID
		return saml.New(SAMLConfig(c, issuer, slug, keys), saml.Options{Now: now, Logger: log.With("connection", id),
			Replay: func(ctx context.Context, assertionID string, until time.Time) error {
				err := st.UseAssertionID(ctx, id, assertionID, until)
				if errors.Is(err, storage.ErrReplay) {
					return saml.ErrReplay
				}
				return err
			}})
	}
}

// metadataFetcher fetches IdP metadata URLs with the federation client
// (bounded; private networks refused unless allowed).
func metadataFetcher(client *http.Client) directory.MetadataFetcher {
	return func(ctx context.Context, url string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/samlmetadata+xml, application/xml, text/xml")
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("HTTP status %d", resp.StatusCode)
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataBytes+1))
		if err != nil {
			return nil, err
		}
		if len(b) > maxMetadataBytes {
			return nil, fmt.Errorf("larger than %d bytes", maxMetadataBytes)
		}
		return b, nil
	}
}

// refreshSAMLMetadata fetches the metadata of SAML connections given by URL
// every metadataEvery (R-SAML-1: certificate rollover) until ctx ends.
func (s *Server) refreshSAMLMetadata(ctx context.Context) {
	every := s.metadataEvery
	if every == 0 {
		every = DefaultMetadataRefresh
	}
	if every < 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.svc.RefreshAllSAMLMetadata(ctx)
		}
	}
}
