package federation

import (
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sesame-sso/sesame/internal/model"
)

// Profile is an Identity after the connection's claim mapping (R-FED-3):
// what Provision writes.
type Profile struct {
	// Subject is the user's stable key at this connection.
	Subject string
	Email   string
	// EmailVerified: the IdP says the email is verified (linking by email
	// needs it, R-FED-4).
	EmailVerified       bool
	FirstName, LastName string
	Phone               string
	// Roles are role names for every context ("globally", R-EFF-1).
	Roles []string
	// ContextRoles are role names for one account each, by external key.
	ContextRoles []ContextRole
	// Accounts are the account keys the user belongs to (from the contexts
	// claim and the role-per-context list), deduplicated, in claim order.
	Accounts []string
	// AccountKey says how the keys resolve: model.AccountKeyID or
	// model.AccountKeyNumber.
	AccountKey string
	// Organisations the user belongs to (R-SAML-7), deduplicated by uid,
	// in claim order.
	Organisations []Organisation
	// VirtualEmail: Email is a marketplace's virtual address (seed 002),
	// stored but never sent to.
	VirtualEmail bool
}

// Organisation is one organisation (company) the IdP says the user
// belongs to (R-SAML-7): its uid, unique per connection, its name ("":
// not given — a new organisation is named by its uid, an existing one
// keeps its name), and the user's role names in it.
type Organisation struct {
	UID   string
	Name  string
	Roles []string
}

// ContextRole is one "role R for account K" entry.
type ContextRole struct {
	Account string
	Role    string
}

// MappingError says which claim did not map and why (R-FED-3): the login
// fails with it and the audit log records it.
type MappingError struct {
	Claim  string
	Reason string
}

func (e *MappingError) Error() string {
	return fmt.Sprintf("claim %q: %s", e.Claim, e.Reason)
}

func mapErr(claim, format string, args ...any) error {
	return &MappingError{Claim: claim, Reason: fmt.Sprintf(format, args...)}
}

// Bounds on what a (possibly hostile) IdP may assert.
const (
	maxRoles    = 200
	maxRoleLen  = 200
	maxNameLen  = 200
	maxKeyLen   = 200
	maxSubject  = 255
	maxAccounts = 200
	// maxOrgUID fits the context number the uid is shown as.
	maxOrgUID = 100
	// maxOrgName is the directory's context name limit.
	maxOrgName = 200
	maxOrgs    = 50
)

// phoneRE is the directory's phone rule (directory.validatePerson).
var phoneRE = regexp.MustCompile(`^\+?[0-9 ()-]{3,32}$`)

// Lookup finds the value of a claim by name or dotted path: the whole name
// first (claims such as "http://schemas…/role" contain dots), then the
// longest leading name that is an object, descending.
func Lookup(claims map[string]any, path string) (any, bool) {
	if v, ok := claims[path]; ok {
		return v, true
	}
	for i := len(path) - 1; i > 0; i-- {
		if path[i] != '.' {
			continue
		}
		sub, ok := claims[path[:i]].(map[string]any)
		if !ok {
			continue
		}
		if v, ok := Lookup(sub, path[i+1:]); ok {
			return v, true
		}
	}
	return nil, false
}

// scalar turns a claim value into a string: strings as they are, integral
// numbers without exponent (GitHub's numeric user id), a one-element list
// (SAML attributes are lists) as its element.
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.FormatInt(int64(x), 10), true
		}
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case json.Number:
		return x.String(), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case []string:
		if len(x) == 1 {
			return x[0], true
		}
	case []any:
		if len(x) == 1 {
			return scalar(x[0])
		}
	}
	return "", false
}

// list turns a claim value into strings: a list of strings (or numbers),
// or one string (some IdPs send a single role as a string, or a
// space/comma separated list is not split: a role name may contain them).
func list(claim string, v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{x}, nil
	case []string:
		return x, nil
	case []any:
		out := make([]string, 0, len(x))
		for i, e := range x {
			s, ok := scalar(e)
			if !ok {
				return nil, mapErr(claim, "entry %d is a %s, not a string", i, kind(e))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, mapErr(claim, "is a %s, not a list of strings", kind(v))
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64, json.Number, int, int64:
		return "number"
	case map[string]any:
		return "object"
	case []any, []string:
		return "list"
	}
	return fmt.Sprintf("%T", v)
}

// text reads an optional string claim.
func text(claims map[string]any, claim string, max int) (string, error) {
	v, ok := Lookup(claims, claim)
	if !ok || v == nil {
		return "", nil
	}
	s, ok := scalar(v)
	if !ok {
		return "", mapErr(claim, "is a %s, not a string", kind(v))
	}
	s = strings.TrimSpace(s)
	if len(s) > max || !printable(s) {
		return "", mapErr(claim, "is longer than %d characters or holds control characters", max)
	}
	return s, nil
}

// Effective returns the mapping with the preset's and then the OIDC
// standard claims filled into the fields left empty.
func Effective(m model.ClaimMapping) model.ClaimMapping {
	p := Presets[m.Preset]
	fill := func(v *string, preset, std string) {
		if *v == "" {
			*v = preset
		}
		if *v == "" {
			*v = std
		}
	}
	fill(&m.Subject, p.Subject, "sub")
	fill(&m.Email, p.Email, "email")
	fill(&m.EmailVerified, p.EmailVerified, "email_verified")
	fill(&m.FirstName, p.FirstName, "given_name")
	fill(&m.LastName, p.LastName, "family_name")
	fill(&m.Phone, p.Phone, "phone_number")
	fill(&m.Contexts, p.Contexts, "")
	fill(&m.AccountKey, p.AccountKey, model.AccountKeyID)
	if m.Roles == nil {
		m.Roles = p.Roles
	}
	if m.ContextRoles == nil {
		m.ContextRoles = p.ContextRoles
	}
	m.NoEmailVerified = m.NoEmailVerified || p.NoEmailVerified
	return m
}

// EffectiveSAML is Effective for a SAML connection: the preset's
// attribute names (SAMLPresets), then seed 004's defaults (SAMLDefaults).
// The subject is always the NameID (R-SAML-4) and the email counts as
// verified by the connection (R-SAML-6): no claim names them.
func EffectiveSAML(m model.ClaimMapping) model.ClaimMapping {
	p, d := SAMLPresets[m.Preset], SAMLDefaults
	fill := func(v *string, preset, std string) {
		if *v == "" {
			*v = preset
		}
		if *v == "" {
			*v = std
		}
	}
	m.Subject, m.EmailVerified, m.NoEmailVerified = "", "", false
	fill(&m.Email, p.Email, d.Email)
	fill(&m.FirstName, p.FirstName, d.FirstName)
	fill(&m.LastName, p.LastName, d.LastName)
	fill(&m.Phone, p.Phone, d.Phone)
	fill(&m.AccountKey, p.AccountKey, model.AccountKeyID)
	if m.Roles == nil {
		m.Roles = p.Roles
	}
	return m
}

// effective is the mapping in force for c.
func effective(c model.Connection) model.ClaimMapping {
	if c.Kind == model.ConnectionSAML {
		return EffectiveSAML(c.Mapping)
	}
	return Effective(c.Mapping)
}

// Map applies the connection's claim mapping to what the IdP asserted
// (R-FED-3). It is pure: no store, no clock. Errors are *MappingError.
// For a SAML connection the subject is the NameID and the email is the
// mapped attribute, else the connector's (an emailAddress NameID).
func Map(c model.Connection, id Identity) (Profile, error) {
	m := effective(c)
	saml := c.Kind == model.ConnectionSAML
	claims := id.Claims
	if claims == nil {
		claims = map[string]any{}
	}
	var (
		p   Profile
		err error
	)
	p.AccountKey = m.AccountKey
	// Required claims first: a token of the wrong directory tenant (Entra
	// tid, Google hd) is refused before anything is read from it.
	for _, claim := range sortedKeys(m.Require) {
		v, ok := Lookup(claims, claim)
		if !ok {
			return p, mapErr(claim, "is required (%v) but missing", m.Require[claim])
		}
		got, err := list(claim, v)
		if err != nil {
			return p, err
		}
		if !slices.ContainsFunc(got, func(s string) bool { return slices.Contains(m.Require[claim], s) }) {
			return p, mapErr(claim, "%v is not an accepted value", got)
		}
	}
	// Subject: the mapped claim; the connector's subject when the mapping
	// names the standard claim and the claims lack it (SAML NameID).
	if saml {
		if len(id.Subject) > maxSubject {
			return p, mapErr("NameID", "is longer than %d characters", maxSubject)
		}
		p.Subject = id.Subject
	} else if p.Subject, err = text(claims, m.Subject, maxSubject); err != nil {
		return p, err
	}
	if p.Subject == "" && !saml && c.Mapping.Subject == "" && Presets[c.Mapping.Preset].Subject == "" {
		p.Subject = id.Subject
	}
	if p.Subject == "" {
		return p, mapErr(m.Subject, "holds the user's stable identifier but is missing or empty")
	}
	if p.Email, err = text(claims, m.Email, 320); err != nil {
		return p, err
	}
	if p.Email == "" && (c.Mapping.Email == "" || saml) {
		p.Email = id.Email
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			return p, mapErr(m.Email, "%q is not an email address", p.Email)
		}
	}
	if saml {
		// R-SAML-5: email is required; R-SAML-6: the connection vouches
		// for it (a SAML IdP is the tenant's own directory).
		if p.Email == "" {
			return p, mapErr(m.Email, "is required: the IdP sent neither this attribute nor an emailAddress NameID")
		}
		p.EmailVerified = true
	} else if !m.NoEmailVerified && p.Email != "" {
		v, ok := Lookup(claims, m.EmailVerified)
		switch x := v.(type) {
		case bool:
			p.EmailVerified = x
		case string: // some IdPs (AWS Cognito) send "true"
			p.EmailVerified = x == "true"
		case nil:
			// Missing: the connector's word, only for the standard claim.
			p.EmailVerified = !ok && c.Mapping.EmailVerified == "" && id.EmailVerified
		default:
			return p, mapErr(m.EmailVerified, "is a %s, not a boolean", kind(v))
		}
	}
	// A marketplace's emails are virtual (seed 002): ids, not mailboxes —
	// never verified, so never used to link an existing user, whatever
	// the IdP or the connection says.
	if m.Marketplace && p.Email != "" {
		p.VirtualEmail, p.EmailVerified = true, false
	}
	if p.FirstName, err = text(claims, m.FirstName, maxNameLen); err != nil {
		return p, err
	}
	if p.LastName, err = text(claims, m.LastName, maxNameLen); err != nil {
		return p, err
	}
	if p.Phone, err = text(claims, m.Phone, 64); err != nil {
		return p, err
	}
	if p.Phone != "" && !phoneRE.MatchString(p.Phone) {
		return p, mapErr(m.Phone, "%q is not a phone number", p.Phone)
	}
	// Roles for every context.
	seen := map[string]bool{}
	for _, claim := range m.Roles {
		v, _ := Lookup(claims, claim)
		rs, err := list(claim, v)
		if err != nil {
			return p, err
		}
		for _, r := range rs {
			if err := checkRole(claim, r); err != nil {
				return p, err
			}
			if r != "" && !seen[r] {
				seen[r] = true
				p.Roles = append(p.Roles, r)
			}
		}
	}
	if len(p.Roles) > maxRoles {
		return p, mapErr(strings.Join(m.Roles, ","), "more than %d roles", maxRoles)
	}
	accounts := map[string]bool{}
	addAccount := func(claim, k string) error {
		if k == "" || len(k) > maxKeyLen {
			return mapErr(claim, "an account key is empty or longer than %d characters", maxKeyLen)
		}
		if !accounts[k] {
			accounts[k] = true
			p.Accounts = append(p.Accounts, k)
		}
		if len(p.Accounts) > maxAccounts {
			return mapErr(claim, "more than %d accounts", maxAccounts)
		}
		return nil
	}
	if m.Contexts != "" {
		v, _ := Lookup(claims, m.Contexts)
		keys, err := list(m.Contexts, v)
		if err != nil {
			return p, err
		}
		for _, k := range keys {
			if err := addAccount(m.Contexts, strings.TrimSpace(k)); err != nil {
				return p, err
			}
		}
	}
	if cr := m.ContextRoles; cr != nil {
		entries, err := contextRoles(claims, *cr)
		if err != nil {
			return p, err
		}
		pairs := map[ContextRole]bool{}
		for _, e := range entries {
			if err := checkRole(cr.Claim, e.Role); err != nil {
				return p, err
			}
			if err := addAccount(cr.Claim, e.Account); err != nil {
				return p, err
			}
			if !pairs[e] {
				pairs[e] = true
				p.ContextRoles = append(p.ContextRoles, e)
			}
		}
		if len(p.ContextRoles) > maxRoles {
			return p, mapErr(cr.Claim, "more than %d roles", maxRoles)
		}
	}
	if om := m.Organisation; om != nil {
		if p.Organisations, err = organisations(claims, *om); err != nil {
			return p, err
		}
	}
	return p, nil
}

// organisations reads the organisation claims (R-SAML-7): uids, and
// optional names and roles paired with them by index. No uid claim: no
// organisation. Anything malformed refuses the login before a write.
func organisations(claims map[string]any, om model.OrganisationMapping) ([]Organisation, error) {
	read := func(claim string) ([]string, bool, error) {
		if claim == "" {
			return nil, false, nil
		}
		v, ok := Lookup(claims, claim)
		if !ok || v == nil {
			return nil, false, nil
		}
		if s, ok := scalar(v); ok { // one value, also a number (an id)
			return []string{s}, true, nil
		}
		xs, err := list(claim, v)
		return xs, true, err
	}
	uids, _, err := read(om.UID)
	if err != nil || len(uids) == 0 {
		return nil, err
	}
	if len(uids) > maxOrgs {
		return nil, mapErr(om.UID, "more than %d organisations", maxOrgs)
	}
	names, hasNames, err := read(om.Name)
	if err != nil {
		return nil, err
	}
	roles, hasRoles, err := read(om.Role)
	if err != nil {
		return nil, err
	}
	paired := func(claim string, has bool, xs []string) error {
		if has && len(xs) != len(uids) {
			return mapErr(claim, "holds %d values for %d organisations in %q: the lists are paired by index", len(xs), len(uids), om.UID)
		}
		return nil
	}
	if err := paired(om.Name, hasNames, names); err != nil {
		return nil, err
	}
	if err := paired(om.Role, hasRoles, roles); err != nil {
		return nil, err
	}
	var out []Organisation
	for i, uid := range uids {
		uid = strings.TrimSpace(uid)
		if uid == "" || len(uid) > maxOrgUID || !printable(uid) {
			return nil, mapErr(om.UID, "organisation %d: the uid is empty, longer than %d characters or holds control characters", i+1, maxOrgUID)
		}
		var name string
		if hasNames {
			name = strings.TrimSpace(names[i])
			if len(name) > maxOrgName || !printable(name) {
				return nil, mapErr(om.Name, "organisation %d: the name is longer than %d characters or holds control characters", i+1, maxOrgName)
			}
		}
		var role string
		if hasRoles {
			role = strings.TrimSpace(roles[i])
			if err := checkRole(om.Role, role); err != nil {
				return nil, err
			}
		}
		j := slices.IndexFunc(out, func(o Organisation) bool { return o.UID == uid })
		if j < 0 {
			out = append(out, Organisation{UID: uid, Name: name})
			j = len(out) - 1
		}
		if role != "" && !slices.Contains(out[j].Roles, role) {
			out[j].Roles = append(out[j].Roles, role)
		}
	}
	return out, nil
}

// printable: valid UTF-8 without control characters.
func printable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

func checkRole(claim, r string) error {
	if len(r) > maxRoleLen || !printable(r) {
		return mapErr(claim, "a role name is longer than %d characters or holds control characters", maxRoleLen)
	}
	return nil
}

// contextRoles reads the role-per-context list: object entries
// ({key: "4711", role: "Admin"} — the role member may be a list) or
// strings "<key><sep><role>".
func contextRoles(claims map[string]any, cr model.ContextRoles) ([]ContextRole, error) {
	v, ok := Lookup(claims, cr.Claim)
	if !ok || v == nil {
		return nil, nil
	}
	var entries []any
	switch x := v.(type) {
	case []any:
		entries = x
	case []string:
		for _, s := range x {
			entries = append(entries, s)
		}
	case string, map[string]any:
		entries = []any{x}
	default:
		return nil, mapErr(cr.Claim, "is a %s, not a list", kind(v))
	}
	var out []ContextRole
	for i, e := range entries {
		where := fmt.Sprintf("%s[%d]", cr.Claim, i)
		if cr.Separator != "" {
			s, ok := e.(string)
			if !ok {
				return nil, mapErr(where, "is a %s, not a string \"account%srole\"", kind(e), cr.Separator)
			}
			k, r, found := strings.Cut(s, cr.Separator)
			k, r = strings.TrimSpace(k), strings.TrimSpace(r)
			if !found || k == "" || r == "" {
				return nil, mapErr(where, "%q is not \"account%srole\"", s, cr.Separator)
			}
			out = append(out, ContextRole{Account: k, Role: r})
			continue
		}
		obj, ok := e.(map[string]any)
		if !ok {
			return nil, mapErr(where, "is a %s, not an object with %q and %q", kind(e), cr.Key, cr.Role)
		}
		kv, _ := Lookup(obj, cr.Key)
		k, ok := scalar(kv)
		if !ok || strings.TrimSpace(k) == "" {
			return nil, mapErr(where+"."+cr.Key, "the account key is missing or not a string")
		}
		rv, _ := Lookup(obj, cr.Role)
		roles, err := list(where+"."+cr.Role, rv)
		if err != nil {
			return nil, err
		}
		if len(roles) == 0 {
			return nil, mapErr(where+"."+cr.Role, "the role is missing")
		}
		for _, r := range roles {
			if r = strings.TrimSpace(r); r != "" {
				out = append(out, ContextRole{Account: strings.TrimSpace(k), Role: r})
			}
		}
	}
	return out, nil
}

func sortedKeys(m map[string][]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
