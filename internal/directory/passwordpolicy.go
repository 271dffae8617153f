package directory

import (
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/password"
)

// SetPasswordPolicy installs the password policy (issue 9 §2.1) that every
// path setting a password applies: CreateUser with a password, SetPassword
// and ResetPassword (admin API, `sesame apply` plain passwords) and
// Bootstrap. Without one, password.DefaultPolicy applies. Imported hashes
// (`sesame apply` passwordHash) are an operator's import: no policy.
func (s *Service) SetPasswordPolicy(p password.Policy) { s.pwPolicy = &p }

// PasswordPolicy returns the policy in force.
func (s *Service) PasswordPolicy() password.Policy {
	if s.pwPolicy == nil {
		return password.DefaultPolicy()
	}
	return *s.pwPolicy
}

// checkPassword applies the policy to pw for who: an EINVALID error on
// field "password" listing every broken rule as "code: message".
func (s *Service) checkPassword(pw string, who password.Subject) error {
	if v := s.PasswordPolicy().Check(pw, who); len(v) > 0 {
		return model.Invalid("password", "%s", password.Message(v))
	}
	return nil
}

// subjectOf is whose password is checked: login name and email.
func subjectOf(u model.User) password.Subject {
	return password.Subject{LoginName: u.LoginName, Email: u.Person.Email}
}
