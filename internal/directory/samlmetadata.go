package directory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/sesame-sso/sesame/internal/connector/saml"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Metadata refresh (R-SAML-1, issue 11 item 1): a SAML connection given by
// metadata URL is fetched again on a schedule. The IdP's signing
// certificates are whatever its current metadata lists, so a certificate
// rollover needs nothing more: while the IdP publishes old and new
// certificate both verify; once the old one leaves the metadata the next
// refresh stops trusting it. A fetch that fails, or metadata that no
// longer validates (the picked entity gone, no signing certificate), keeps
// the stored metadata and is audited as a failure: a broken IdP endpoint
// never switches a working connection off.

// RefreshSAMLMetadata fetches connection id's metadata URL and stores the
// answer when it changed (the version is bumped, so every node reopens the
// connector). It reports whether the stored metadata changed.
func (s *Service) RefreshSAMLMetadata(ctx context.Context, id string) (bool, error) {
	c, err := s.store.GetConnection(ctx, id)
	if err != nil {
		return false, err
	}
	if c.Kind != model.ConnectionSAML || c.SAML.MetadataURL == "" {
		return false, nil
	}
	if s.fetchMetadata == nil {
		return false, errNoFetcher
	}
	a := ConnectionActor(c.ID, "")
	fail := func(err error) (bool, error) {
		s.AuditFederation(ctx, a, "connection.saml_metadata_refresh", "connection", c.ID, c.TenantID,
			map[string]any{"metadataUrl": c.SAML.MetadataURL, "error": truncateText(err.Error(), 500)})
		return false, err
	}
	b, err := s.fetchMetadata(ctx, c.SAML.MetadataURL)
	if err != nil {
		return fail(fmt.Errorf("fetch: %w", err))
	}
	if string(b) == c.SAML.IdPMetadata {
		return false, nil
	}
	if _, err := saml.CheckMetadata(b, c.SAML.IdPEntityID, saml.Binding(c.SAML.Binding), false); err != nil {
		return fail(fmt.Errorf("the new metadata is refused, the stored one stays: %s", metadataProblem(err)))
	}
	changed := false
	err = s.tx(ctx, func(st storage.Storage) error {
		out, err := st.UpdateConnection(ctx, id, func(old model.Connection) (model.Connection, error) {
			if old.SAML.MetadataURL != c.SAML.MetadataURL || old.SAML.IdPMetadata == string(b) {
				return old, errUnchanged
			}
			old.SAML.IdPMetadata = string(b)
			return old, nil
		})
		if errors.Is(err, errUnchanged) {
			return nil
		}
		if err != nil {
			return err
		}
		changed = true
		sum := sha256.Sum256(b)
		return s.audit(ctx, st, a, "connection.saml_metadata_refresh", "connection", id, out.TenantID,
			map[string]any{"metadataUrl": c.SAML.MetadataURL, "metadataSha256": hex.EncodeToString(sum[:]), "version": out.Version})
	})
	return changed, err
}

// RefreshSAMLMetadataNow is an administrator's "fetch the metadata now"
// ("Identity providers - Manage" at the owner): after an IdP announced a
// certificate rollover, without waiting for the schedule. A connection
// without a metadata URL is a 409; a failed fetch or refused metadata a
// 400 naming saml.metadataUrl (the stored metadata stays).
func (s *Service) RefreshSAMLMetadataNow(ctx context.Context, a Actor, id string) (model.Connection, bool, error) {
	err := s.tx(ctx, func(st storage.Storage) error {
		c, err := s.visibleConnection(ctx, st, a, id)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, st, a, rightIdPManage, c.TenantID); err != nil {
			return err
		}
		if c.Kind != model.ConnectionSAML || c.SAML.MetadataURL == "" {
			return model.Errorf(model.ECONFLICT, "saml.metadataUrl", "the connection has no IdP metadata URL to fetch")
		}
		return nil
	})
	if err != nil {
		return model.Connection{}, false, err
	}
	changed, err := s.RefreshSAMLMetadata(ctx, id)
	if err != nil && model.ErrorCode(err) == model.EINTERNAL && !errors.Is(err, errNoFetcher) {
		return model.Connection{}, false, model.Invalid("saml.metadataUrl", "%v", err)
	}
	if err != nil {
		return model.Connection{}, false, err
	}
	c, err := s.store.GetConnection(ctx, id)
	return c, changed, err
}

var errNoFetcher = errors.New("metadata URLs cannot be fetched by this server")

// errUnchanged rolls back a refresh another node made first.
var errUnchanged = errors.New("metadata unchanged")

// RefreshAllSAMLMetadata refreshes every SAML connection with a metadata
// URL (the server's schedule); failures are audited and logged, not
// returned.
func (s *Service) RefreshAllSAMLMetadata(ctx context.Context) {
	cs, err := s.store.ListConnections(ctx, "")
	if err != nil {
		s.log.Warn("SAML metadata refresh: list connections", "err", err)
		return
	}
	for _, c := range cs {
		if c.Kind != model.ConnectionSAML || c.SAML.MetadataURL == "" || ctx.Err() != nil {
			continue
		}
		if _, err := s.RefreshSAMLMetadata(ctx, c.ID); err != nil {
			s.log.Warn("SAML metadata refresh", "connection", c.ID, "err", err)
		}
	}
}

func truncateText(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
