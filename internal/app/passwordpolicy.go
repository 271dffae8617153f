package app

import (
	"fmt"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/password/commonlist"
)

// newPasswordPolicy builds the password policy from password.* (issue 9
// §2.1) and loads the common list now, so no request pays for it.
func newPasswordPolicy(cfg config.Config) (password.Policy, error) {
	personal, common := cfg.Password.Rejects()
	p := password.Policy{MinLength: cfg.Password.MinLength, MaxLength: cfg.Password.MaxLength,
		RejectPersonal: personal, RejectCommon: common}
	if common {
		if err := commonlist.Load(); err != nil {
			return p, fmt.Errorf("password.rejectCommon: %w", err)
		}
	}
	return p, nil
}
