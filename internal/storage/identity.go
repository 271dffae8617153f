package storage

import (
	"context"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// Identity resolves the names logins are made of (issue 8).
type Identity interface {
	// TenantBySlug returns the tenant (or root) context with this slug,
	// ErrNotFound when there is none.
	TenantBySlug(ctx context.Context, slug string) (model.Context, error)
	// UserBySlugLogin returns the user of the tenant with this slug whose
	// login key (PRECIS UsernameCaseMapped) is loginName's, in one query:
	// the password-login lookup. ErrNotFound when either is missing.
	UserBySlugLogin(ctx context.Context, slug, loginName string) (model.User, error)
	// RecordLogin stores a successful login's time as the user's last
	// login and, when none is stored yet, first login (R-2FA-5), changing
	// nothing else of the user (not UpdatedAt): one statement per login.
	// ErrNotFound when the user is gone.
	RecordLogin(ctx context.Context, userID string, at time.Time) error
}
