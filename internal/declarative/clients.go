package declarative

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// Client is an OIDC client or a CAS service (R-SSO-3), matched by ID when
// given, else by name and protocol. A confidential OIDC client's secret is
// never in the file: SecretHash is the stored SHA-256 hex (what Export
// writes), SecretEnv names an environment variable that holds the secret
// when the file is applied. With neither, a new client gets a generated
// secret that Apply returns once (Summary.Secrets) and an existing one keeps
// its secret.
type Client struct {
	ID                string   `yaml:"id,omitempty"`
	Name              string   `yaml:"name"`
	Module            string   `yaml:"module"`
	Protocol          string   `yaml:"protocol"`
	RedirectURIs      []string `yaml:"redirectUris,omitempty"`
	ServicePatterns   []string `yaml:"servicePatterns,omitempty"`
	GrantTypes        []string `yaml:"grantTypes,omitempty"`
	Public            bool     `yaml:"public,omitempty"`
	LogoutURL         string   `yaml:"logoutUrl,omitempty"`
	AccessTTLSeconds  int64    `yaml:"accessTtlSeconds,omitempty"`
	RefreshTTLSeconds int64    `yaml:"refreshTtlSeconds,omitempty"`
	SecretHash        string   `yaml:"secretHash,omitempty"`
	SecretEnv         string   `yaml:"secretEnv,omitempty"`
	AllowedScopes     []string `yaml:"allowedScopes,omitempty"`
	Audience          []string `yaml:"audience,omitempty"`
	PolicyDecision    bool     `yaml:"policyDecision,omitempty"`
	WebOrigins        []string `yaml:"webOrigins,omitempty"`
	Development       bool     `yaml:"development,omitempty"`
	CASPrincipal      string   `yaml:"casPrincipal,omitempty"`
}

// Limits on secrets given through SecretEnv (the token endpoint refuses
// secrets longer than 512 bytes).
const (
	minEnvSecret = 16
	maxEnvSecret = 512
)

func validClientID(id string) bool {
	if len(id) == 0 || len(id) > 100 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r)) {
			return false
		}
	}
	return true
}

// clientSecretHash checks an entry's secret fields and returns the hash they
// ask for ("" = none given). envUnset reports a SecretEnv variable that is
// not set.
func clientSecretHash(c Client, where string) (hash string, envUnset bool, err error) {
	if c.SecretHash == "" && c.SecretEnv == "" {
		return "", false, nil
	}
	field := where + ".secretHash"
	if c.SecretHash == "" {
		field = where + ".secretEnv"
	}
	if c.SecretHash != "" && c.SecretEnv != "" {
		return "", false, model.Invalid(where, "give secretHash or secretEnv, not both")
	}
	if c.Protocol != model.ProtocolOIDC || c.Public {
		return "", false, model.Invalid(field, "only confidential OIDC clients have a secret")
	}
	if c.SecretHash != "" {
		h := strings.ToLower(c.SecretHash)
		if b, err := hex.DecodeString(h); err != nil || len(b) != 32 {
			return "", false, model.Invalid(field, "must be the SHA-256 of the secret in hex (64 characters), as export writes it")
		}
		return h, false, nil
	}
	secret, ok := os.LookupEnv(c.SecretEnv)
	if !ok || secret == "" {
		return "", true, nil
	}
	if len(secret) < minEnvSecret || len(secret) > maxEnvSecret {
		return "", false, model.Invalid(field, "the secret in $%s must be %d to %d characters long", c.SecretEnv, minEnvSecret, maxEnvSecret)
	}
	return directory.SecretHash(secret), false, nil
}

// entryError names the entry in a validation error of the directory
// ("clients[2].redirectUris: ...").
func entryError(where, name string, err error) error {
	var me *model.Error
	if errors.As(err, &me) && me.Field != "" {
		return model.Errorf(me.Code, where+"."+me.Field, "%s", me.Message)
	}
	return fmt.Errorf("%s %q: %w", where, name, err)
}

func (ap *applier) clients(ctx context.Context, d Document) error {
	claimed := map[string]int{}  // client id -> entry that matched it
	named := map[[2]string]int{} // name and protocol of entries without id
	for i, c := range d.Clients {
		where := fmt.Sprintf("clients[%d]", i)
		if c.ID == "" {
			k := [2]string{c.Name, c.Protocol}
			if j, dup := named[k]; dup {
				return model.Invalid(where, "has the same name and protocol as clients[%d]: give them ids to tell them apart", j)
			}
			named[k] = i
		}
		if c.ID != "" && !validClientID(c.ID) {
			return model.Invalid(where+".id", "must be 1 to 100 letters, digits or -._~")
		}
		hash, envUnset, err := clientSecretHash(c, where)
		if err != nil {
			return err
		}
		want := model.Client{ID: c.ID, Name: c.Name, Module: c.Module, Protocol: c.Protocol,
			RedirectURIs: c.RedirectURIs, ServicePatterns: c.ServicePatterns, GrantTypes: c.GrantTypes,
			Public: c.Public, LogoutURL: c.LogoutURL,
			AccessTTL: time.Duration(c.AccessTTLSeconds) * time.Second, RefreshTTL: time.Duration(c.RefreshTTLSeconds) * time.Second,
			AllowedScopes: c.AllowedScopes, Audience: c.Audience, PolicyDecision: c.PolicyDecision, WebOrigins: c.WebOrigins,
			Development: c.Development, CASPrincipal: c.CASPrincipal}
		if want.CASPrincipal == "" {
			want.CASPrincipal = model.CASPrincipalID
		}
		for _, l := range []*[]string{&want.RedirectURIs, &want.ServicePatterns, &want.GrantTypes, &want.AllowedScopes, &want.Audience, &want.WebOrigins} {
			if *l == nil {
				*l = []string{}
			}
		}
		old, found, err := ap.findClient(ctx, c, claimed, where)
		if err != nil {
			return err
		}
		if found {
			if j, dup := claimed[old.ID]; dup {
				return model.Invalid(where, "is the same client as clients[%d]", j)
			}
			claimed[old.ID] = i
			if envUnset {
				ap.sum.warn("client %s: $%s is not set, the client keeps its secret", c.Name, c.SecretEnv)
			}
			changed, err := ap.updateClient(ctx, old, want, hash, where)
			if err != nil {
				return err
			}
			if changed {
				ap.sum.Updated++
			} else {
				ap.sum.Unchanged++
			}
			continue
		}
		nc, secret, err := ap.svc.CreateClient(ctx, ap.a, want)
		if err != nil {
			return entryError(where, c.Name, err)
		}
		claimed[nc.ID] = i
		if hash != "" {
			if _, err := ap.setSecretHash(ctx, nc.ID, hash); err != nil {
				return fmt.Errorf("%s %q: %w", where, c.Name, err)
			}
		} else if secret != "" {
			ap.sum.addSecret(nc.Name, nc.ID, secret)
			if envUnset {
				ap.sum.warn("client %s: $%s is not set, a secret was generated", c.Name, c.SecretEnv)
			}
		}
		ap.sum.Created++
	}
	return nil
}

// findClient finds the client an entry describes: by ID, else the one
// client with its name and protocol that no earlier entry matched.
func (ap *applier) findClient(ctx context.Context, c Client, claimed map[string]int, where string) (model.Client, bool, error) {
	if c.ID != "" {
		old, err := ap.svc.GetClient(ctx, ap.a, c.ID)
		if errors.Is(err, model.ErrNotFound) || model.ErrorCode(err) == model.ENOTFOUND {
			return old, false, nil
		}
		if err != nil {
			return old, false, err
		}
		if old.Protocol != c.Protocol {
			return old, false, model.Invalid(where+".protocol", "client %s is a %s client; the protocol cannot change", c.ID, old.Protocol)
		}
		return old, true, nil
	}
	all, err := ap.svc.ListClients(ctx, ap.a)
	if err != nil {
		return model.Client{}, false, err
	}
	var match []model.Client
	for _, x := range all {
		if _, taken := claimed[x.ID]; !taken && x.Name == c.Name && x.Protocol == c.Protocol {
			match = append(match, x)
		}
	}
	switch len(match) {
	case 0:
		return model.Client{}, false, nil
	case 1:
		return match[0], true, nil
	default:
		return model.Client{}, false, model.Invalid(where+".id", "%d %s clients are named %q: give the id of the one you mean", len(match), c.Protocol, c.Name)
	}
}

func sameClient(a, b model.Client) bool {
	return a.Name == b.Name && a.Module == b.Module && a.LogoutURL == b.LogoutURL &&
		a.AccessTTL == b.AccessTTL && a.RefreshTTL == b.RefreshTTL &&
		slices.Equal(a.RedirectURIs, b.RedirectURIs) && slices.Equal(a.ServicePatterns, b.ServicePatterns) &&
		slices.Equal(a.GrantTypes, b.GrantTypes) &&
		slices.Equal(a.AllowedScopes, b.AllowedScopes) && slices.Equal(a.Audience, b.Audience) &&
		a.PolicyDecision == b.PolicyDecision && slices.Equal(a.WebOrigins, b.WebOrigins) &&
		a.Development == b.Development && a.CASPrincipal == b.CASPrincipal
}

func (ap *applier) updateClient(ctx context.Context, old, want model.Client, hash, where string) (bool, error) {
	if old.Public != want.Public {
		return false, model.Invalid(where+".public", "client %s cannot change between public and confidential: delete it and create it again", old.ID)
	}
	newHash := hash != "" && hash != old.SecretHash
	if sameClient(old, want) && !newHash {
		return false, nil
	}
	// Through the service, for its validation and audit trail; it leaves
	// the secret alone, so a new hash is stored after.
	if _, err := ap.svc.UpdateClient(ctx, ap.a, old.ID, func(o model.Client) (model.Client, error) {
		o.Name, o.Module, o.LogoutURL, o.AccessTTL, o.RefreshTTL = want.Name, want.Module, want.LogoutURL, want.AccessTTL, want.RefreshTTL
		o.RedirectURIs, o.ServicePatterns, o.GrantTypes = want.RedirectURIs, want.ServicePatterns, want.GrantTypes
		o.AllowedScopes, o.Audience, o.PolicyDecision = want.AllowedScopes, want.Audience, want.PolicyDecision
		o.WebOrigins, o.Development, o.CASPrincipal = want.WebOrigins, want.Development, want.CASPrincipal
		return o, nil
	}); err != nil {
		return false, entryError(where, want.Name, err)
	}
	if newHash {
		if _, err := ap.setSecretHash(ctx, old.ID, hash); err != nil {
			return false, fmt.Errorf("%s %q: %w", where, want.Name, err)
		}
	}
	return true, nil
}

func (ap *applier) setSecretHash(ctx context.Context, id, hash string) (model.Client, error) {
	return ap.svc.SetClientSecretHash(ctx, ap.a, id, hash)
}

func exportClients(ctx context.Context, svc *directory.Service, d *Document) error {
	cs, err := svc.ListClients(ctx, directory.System)
	if err != nil {
		return err
	}
	for _, c := range cs {
		ec := Client{ID: c.ID, Name: c.Name, Module: c.Module, Protocol: c.Protocol,
			RedirectURIs: c.RedirectURIs, ServicePatterns: c.ServicePatterns, GrantTypes: c.GrantTypes,
			Public: c.Public, LogoutURL: c.LogoutURL,
			AccessTTLSeconds: int64(c.AccessTTL / time.Second), RefreshTTLSeconds: int64(c.RefreshTTL / time.Second),
			AllowedScopes: c.AllowedScopes, Audience: c.Audience, PolicyDecision: c.PolicyDecision, WebOrigins: c.WebOrigins,
			Development: c.Development}
		if c.CASPrincipal != model.CASPrincipalID {
			ec.CASPrincipal = c.CASPrincipal
		}
		if c.Protocol == model.ProtocolOIDC && !c.Public {
			ec.SecretHash = c.SecretHash
		}
		d.Clients = append(d.Clients, ec)
	}
	return nil
}
