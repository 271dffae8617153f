package adminapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/access"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/message"
	"github.com/sesame-sso/sesame/internal/model"
)

// The OpenAPI 3 document is built from the same route table and Go types
// the handlers use, so it cannot drift from the code (a test checks that
// every route is documented).

type op struct {
	summary string
	query   []string // query parameter names
	body    any      // request body type (nil: none; "csv": text/csv)
	resp    any      // 200/201 body type (nil: 204)
	status  int
}

type listOf[T any] struct {
	Items []T `json:"items"`
}

var ops = map[string]op{
	"GET /api/v1/me":                        {summary: "The authenticated user", resp: model.User{}},
	"GET /api/v1/me/rights":                 {summary: "The caller's own effective rights (default: the token's context and module, else the default context; R-EFF-6)", query: []string{"contextId", "module"}, resp: access.Result{}},
	"GET /api/v1/me/contexts":               {summary: "The contexts the caller may act in: assigned ones, and the customers of assigned accounts (R-SSO-5, R-PRT-1)", query: []string{"q", "offset", "limit"}, resp: list[model.Context]{}},
	"GET /api/v1/me/api-keys":               {summary: "The caller's API keys (metadata only; R-SSO-6)", resp: listOf[model.APIKey]{}},
	"POST /api/v1/me/api-keys":              {summary: "Create an API key for the caller; the key is in this answer only (not with an API key)", body: apiKeyInput{}, resp: directory.CreatedAPIKey{}, status: 201},
	"DELETE /api/v1/me/api-keys/{keyId}":    {summary: "Revoke one of the caller's API keys"},
	"POST /api/v1/authorize":                {summary: "Policy decision for a portal's API caller: credentials, user status, context, module access, API IP Allow, optional right (R-SSO-6, R-ACL-3, R-MOD-*); only for a policy-decision client's own token, about its module (else 403); 200 for every decision, every denial with the one reason \"access denied\" (details in the audit log)", body: authorizeInput{}, resp: directory.APIDecision{}},
	"GET /api/v1/contexts":                  {summary: "Search contexts by name or number, paged (R-CTX-1)", query: []string{"q", "type", "parentId", "within", "offset", "limit"}, resp: list[model.Context]{}},
	"POST /api/v1/contexts":                 {summary: "Create a context below a parent", body: contextInput{}, resp: model.Context{}, status: 201},
	"GET /api/v1/contexts/{id}":             {summary: "Read a context", resp: model.Context{}},
	"PATCH /api/v1/contexts/{id}":           {summary: "Rename, renumber or move a context", body: contextPatch{}, resp: model.Context{}},
	"DELETE /api/v1/contexts/{id}":          {summary: "Delete an empty context"},
	"GET /api/v1/contexts/{id}/ancestors":   {summary: "The path from a context up to root", resp: listOf[model.Context]{}},
	"GET /api/v1/contexts/{id}/policy":      {summary: "Read a context's access policy", resp: policyDoc{}},
	"PUT /api/v1/contexts/{id}/policy":      {summary: "Set a context's access policy (values or a template, copied)", body: policyInput{}, resp: policyDoc{}},
	"DELETE /api/v1/contexts/{id}/policy":   {summary: "Remove a context's access policy"},
	"GET /api/v1/contexts/{id}/branding":    {summary: "A tenant's (or root's) login-page branding: display name, accent colour, logo URL, version (issue 13; Contexts - Read)", resp: brandingView{}},
	"PUT /api/v1/contexts/{id}/branding":    {summary: "Save a tenant's branding; logo base64 (PNG, JPEG, GIF or WebP by content, at most 256 KiB); version must be the one read, else 409 (Contexts - Manage; audited)", body: directory.BrandingInput{}, resp: brandingView{}},
	"DELETE /api/v1/contexts/{id}/branding": {summary: "Remove a tenant's branding: its login pages show the default again (Contexts - Manage; audited)"},
	"GET /api/v1/modules":                   {summary: "List modules", resp: listOf[model.Module]{}},
	"PUT /api/v1/modules/{name}": {summary: "Register a module and its ACLs", body: moduleInput{}, resp: struct {
		Module model.Module `json:"module" doc:"The registered module."`
		ACLs   []model.ACL  `json:"acls" doc:"The module's ACLs as now registered."`
	}{}},
	"GET /api/v1/acls":           {summary: "The ACL catalog (User Preferences hidden unless asked for)", query: []string{"module", "includePreferences"}, resp: listOf[model.ACL]{}},
	"GET /api/v1/domains":        {summary: "List user domains", resp: listOf[model.UserDomain]{}},
	"PUT /api/v1/domains/{name}": {summary: "Create or change a user domain", body: model.UserDomain{}, resp: model.UserDomain{}},
	"GET /api/v1/groups":         {summary: "List the groups of a context (and the global ones)", query: []string{"contextId", "includeGlobal"}, resp: listOf[model.Group]{}},
	"POST /api/v1/groups":        {summary: "Create a group (values, or a template whose values are copied)", body: groupInput{}, resp: model.Group{}, status: 201},
	"GET /api/v1/groups/{id}":    {summary: "Read a group", resp: model.Group{}},
	"PATCH /api/v1/groups/{id}":  {summary: "Change a group's name, description, role names or values", body: groupPatch{}, resp: model.Group{}},
	"DELETE /api/v1/groups/{id}": {summary: "Delete a group and its memberships"},
	"POST /api/v1/groups/{id}/apply-template": {summary: "Copy a template's values into a group", body: struct {
		TemplateID string `json:"templateId" doc:"The ACL template whose values replace the group's (copied; later template changes do not follow)." example:"5e8d2c14-a9b7-4f60-8c3e-1d2f4a6b8c90"`
	}{}, resp: model.Group{}},
	"GET /api/v1/groups/{id}/members": {summary: "List a group's memberships", resp: listOf[model.Membership]{}},
	"POST /api/v1/groups/{id}/members": {summary: "Assign a user to a group in a context", body: struct {
		UserID    string `json:"userId" doc:"The user to add." example:"3b2f6a4e-1c9d-4e7b-8f10-2a5c7d9e0b14"`
		ContextID string `json:"contextId" doc:"The context the membership applies in: the group's own, or any context for a global group." example:"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31"`
	}{}},
	"DELETE /api/v1/groups/{id}/members/{userId}": {summary: "Remove a membership", query: []string{"contextId"}},
	"GET /api/v1/templates":                       {summary: "List ACL templates", resp: listOf[model.Template]{}},
	"POST /api/v1/templates":                      {summary: "Create an ACL template", body: templateInput{}, resp: model.Template{}, status: 201},
	"GET /api/v1/templates/{id}":                  {summary: "Read an ACL template", resp: model.Template{}},
	"PATCH /api/v1/templates/{id}":                {summary: "Change an ACL template (applied copies stay)", body: templatePatch{}, resp: model.Template{}},
	"DELETE /api/v1/templates/{id}":               {summary: "Delete an ACL template"},
	"GET /api/v1/templates/{id}/csv":              {summary: "Export a template as CSV (module,category,acl,type,value)", resp: "csv"},
	"PUT /api/v1/templates/{id}/csv":              {summary: "Replace a template's values from CSV (all or nothing)", body: "csv", resp: model.Template{}},
	"GET /api/v1/users":                           {summary: "List the users the caller may read", query: []string{"q", "status", "contextId", "offset", "limit"}, resp: list[model.User]{}},
	"POST /api/v1/users":                          {summary: "Create a user (draft unless status active; R-USR-2 placement rules); a password must meet the password policy (400 naming each broken rule: too_short, too_long, contains_login, contains_email, common); 409 while an active SSO connection without rollout groups owns the tenant (users come from the IdP)", body: directory.NewUser{}, resp: model.User{}, status: 201},
	"GET /api/v1/users/{id}":                      {summary: "Read a user", resp: model.User{}},
	"PATCH /api/v1/users/{id}":                    {summary: "Change person data, 2FA setting or login name", body: directory.UserPatch{}, resp: model.User{}},
	"DELETE /api/v1/users/{id}":                   {summary: "Discard a draft user"},
	"PUT /api/v1/users/{id}/contexts": {summary: "Replace the contexts a user is assigned to", body: struct {
		Contexts []string `json:"contexts" doc:"Ids of all the contexts the user is assigned to (replacing the current ones); at least one; the domain's placement rules apply (R-USR-2)." example:"[\"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31\"]"`
	}{}, resp: model.User{}},
	"POST /api/v1/users/{id}/{action}":                    {summary: "Lifecycle: activate, deactivate, reactivate, delete (anonymize, final)", resp: model.User{}},
	"PUT /api/v1/users/{id}/password":                     {summary: "Set a local user's password (it must meet the password policy: 400 naming each broken rule): ends the user's SSO sessions and refresh tokens (their apps are logged out); revokeApiKeys also deletes the user's API keys; mustChange: true makes the next login ask for a new password before anything else", body: passwordInput{}},
	"POST /api/v1/users/{id}/reset":                       {summary: "Reset the account (seed 003): a random temporary password, returned in this answer only, that the user must change at the next login; the user's authenticator app and recovery codes are removed and, where authenticator apps are allowed for the user, the next login asks for a new one, SSO sessions, refresh tokens, access tokens and pending reset links end. Needs the password reset right and \"2FA settings - Modify\"; audited as user.account_reset; delegated users: 400", resp: directory.AccountReset{}},
	"POST /api/v1/users/{id}/unlock":                      {summary: "Lift a user's sign-in delay and lock after failed logins (R-PWD-3; needs the right to modify the user; audited)"},
	"GET /api/v1/users/{id}/rights":                       {summary: "Effective rights in a context, with the steps that produced them (R-EFF)", query: []string{"contextId", "module"}, resp: access.Result{}},
	"GET /api/v1/users/{id}/api-keys":                     {summary: "A user's API keys (metadata only; R-SSO-6)", resp: listOf[model.APIKey]{}},
	"POST /api/v1/users/{id}/api-keys":                    {summary: "Create an API key for a user (sk_…, 256 random bits; only its SHA-256 is stored): the key is in this answer only", body: apiKeyInput{}, resp: directory.CreatedAPIKey{}, status: 201},
	"DELETE /api/v1/users/{id}/api-keys/{keyId}":          {summary: "Revoke a user's API key; it stops working at once"},
	"GET /api/v1/users/{id}/two-factor":                   {summary: "A user's second-factor settings (one-time codes, authenticator apps; default = the instance's) and whether an authenticator app is set up (R-2FA-1)", resp: directory.TwoFactorView{}},
	"PUT /api/v1/users/{id}/two-factor":                   {summary: "Set a local user's own second-factor settings (needs \"2FA settings - Modify\"; audited; delegated users: 400, their IdP does MFA)", body: directory.TwoFactorSettings{}, resp: directory.TwoFactorView{}},
	"DELETE /api/v1/users/{id}/two-factor/totp":           {summary: "Remove a user's authenticator app and recovery codes (a lost phone; needs \"2FA settings - Modify\"; audited)"},
	"GET /api/v1/clients":                                 {summary: "List registered clients and CAS services", resp: listOf[clientView]{}},
	"POST /api/v1/clients":                                {summary: "Register an OIDC client or CAS service (a confidential client's secret is returned once)", body: clientInput{}, resp: createdClient{}, status: 201},
	"GET /api/v1/clients/{id}":                            {summary: "Read a client", resp: clientView{}},
	"PATCH /api/v1/clients/{id}":                          {summary: "Change a client", body: clientPatch{}, resp: clientView{}},
	"DELETE /api/v1/clients/{id}":                         {summary: "Remove a client"},
	"GET /api/v1/connections":                             {summary: "The connections to external IdPs the caller may read (right Identity providers - Read or - Manage at the owner: root or a tenant), optionally of one owner; client secrets are never shown (hasClientSecret); redirectUrl is what the customer registers at the IdP (SPEC.md §6)", query: []string{"tenantId"}, resp: listOf[connectionView]{}},
	"POST /api/v1/connections":                            {summary: "Create a connection (OIDC by discovery URL, or OAuth 2.0 / OIDC with explicit endpoints) owned by root or a tenant (Identity providers - Manage there; audited); clientSecret is write-only and stored sealed with the master key; claim mapping with presets entra, keycloak, okta, google (R-FED-1..3). SAML 2.0 (kind saml, R-SAML-1..6): saml.idpMetadata (the IdP's metadata XML) or saml.metadataUrl (fetched at save time), parsed when saved (400 naming the problem; several IdP entities need saml.idpEntityId, the error lists them); saml.allowIdpInitiated (default off), clockSkewSeconds (default 120, at most 180), signRequests, binding (redirect or post); attribute names in mapping (defaults Email, First Name, Last Name, Phone Number; presets entra, adfs, okta, google; mapping.subject stays empty: the NameID is the key); an SP key pair is generated (spCertificates) and samlSp shows entityId, acsUrl, signOnUrl, metadataUrl, sloUrl for the IdP's administrator; only a root administrator marks an email domain verified (home-realm discovery)", body: directory.ConnectionInput{}, resp: connectionView{}, status: 201},
	"GET /api/v1/connections/{id}":                        {summary: "Read a connection (no secret; with redirectUrl)", resp: connectionView{}},
	"PUT /api/v1/connections/{id}":                        {summary: "Replace a connection's settings (clientSecret absent: kept; \"\": removed); version, when given, must be the current one (409 otherwise); the version is bumped. enforcement (off, testing, active) and enforceGroups (phased rollout) are the SSO stage (R-SAML-8): leaving active — also by disabling — needs a caller signed in with a password (HTTP Basic, or an access token whose amr has pwd and not fed), else 403 naming enforcement; stage changes are audited as connection.enforcement", body: directory.ConnectionInput{}, resp: connectionView{}},
	"DELETE /api/v1/connections/{id}":                     {summary: "Delete a connection and its identity links (its users stay; audited); an active SSO connection only by a caller signed in with a password (R-SAML-8)"},
	"POST /api/v1/connections/{id}/saml/rotate-key":       {summary: "Give a SAML connection a new SP key pair (R-SAML-1): the new key signs AuthnRequests and is advertised first in the SP metadata; the previous key stays second (advertised, tried for decryption) until retire-key, so the IdP can take the new certificate first (audited; 409 for other kinds)", resp: connectionView{}},
	"POST /api/v1/connections/{id}/saml/refresh-metadata": {summary: "Fetch a SAML connection's IdP metadata URL now (as the federation.metadataRefresh schedule does): a changed document is validated and stored, the version bumped; a failed fetch or refused metadata is a 400 naming saml.metadataUrl and keeps the stored metadata; 409 without a metadata URL (audited as connection.saml_metadata_refresh)", resp: connectionView{}},
	"POST /api/v1/connections/{id}/saml/retire-key":       {summary: "End a SAML SP key rotation: drop the previous key (409 when there is none; audited)", resp: connectionView{}},
	"GET /api/v1/audit":                                   {summary: "The audit log, newest first", query: []string{"actorId", "targetId", "action", "since", "until", "offset", "limit"}, resp: list[model.AuditEvent]{}},
	"GET /api/v1/message-templates":                       {summary: "Every message template (type × language): the override or the shipped default, with the placeholders of its type (R-MSG-1; right Message templates - Read at root)", resp: listOf[message.View]{}},
	"GET /api/v1/message-templates/{type}/{language}":     {summary: "One message template (R-MSG-1)", resp: message.View{}},
	"PUT /api/v1/message-templates/{type}/{language}":     {summary: "Save an override of a message template; an unknown placeholder is refused with 400 naming it (R-MSG-1; right Message templates - Manage at root; audited)", body: messageTemplateInput{}, resp: message.View{}},
	"DELETE /api/v1/message-templates/{type}/{language}":  {summary: "Remove the override: the shipped default applies again (audited)"},
	"GET /api/v1/scim-credentials":                        {summary: "The tenants' SCIM credentials the caller may read (Identity providers - Read or - Manage at the tenant), optionally of one tenant; revoked ones too (revokedAt); never the token (issue 12)", query: []string{"tenantId"}, resp: listOf[model.SCIMCredential]{}},
	"POST /api/v1/scim-credentials":                       {summary: "Create a SCIM credential for a tenant (Identity providers - Manage and the user, lifecycle, delete and group rights there; audited): token is a bearer token (scim_…, 256 random bits; only its SHA-256 is stored) in this answer only, opening /scim/v2 of that tenant and nothing else; optional connectionId (users sign in only through it), contextId (where users are created), defaultGroups, defaultDomain", body: directory.NewSCIMCredential{}, resp: directory.CreatedSCIMCredential{}, status: 201},
	"GET /api/v1/scim-credentials/{id}":                   {summary: "Read a SCIM credential (never its token)", resp: model.SCIMCredential{}},
	"DELETE /api/v1/scim-credentials/{id}":                {summary: "Revoke a SCIM credential: its token stops working at once (audited; the credential stays listed with revokedAt)"},
}

type schemaGen struct{ defs map[string]any }

func (g *schemaGen) of(t reflect.Type) map[string]any {
	if t.Kind() == reflect.Pointer {
		return g.of(t.Elem())
	}
	if t == reflect.TypeOf(time.Time{}) {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object"}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := t.Name()
		if base, _, generic := strings.Cut(name, "["); generic {
			// list[T] and listOf[T]: named after the element of Items.
			name = "ListOf" + t.Field(0).Type.Elem().Name()
			if base == "list" {
				name = "PageOf" + t.Field(0).Type.Elem().Name()
			}
		}
		if name == "" {
			return g.object(t)
		}
		name = strings.ToUpper(name[:1]) + name[1:]
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // break cycles
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" && f.Anonymous && f.Type.Kind() == reflect.Struct {
			// encoding/json flattens embedded structs: so does the schema.
			for k, v := range g.object(f.Type)["properties"].(map[string]any) {
				if _, taken := props[k]; !taken {
					props[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = described(g.of(f.Type), f)
	}
	return map[string]any{"type": "object", "properties": props}
}

// described adds a field's `doc` tag as the property's description and its
// `example` tag (JSON, or a plain string) as the example. OpenAPI 3.0
// ignores siblings of $ref, so a described reference is wrapped in allOf.
func described(s map[string]any, f reflect.StructField) map[string]any {
	doc, ex := f.Tag.Get("doc"), f.Tag.Get("example")
	if doc == "" && ex == "" {
		return s
	}
	if _, ref := s["$ref"]; ref {
		s = map[string]any{"allOf": []any{s}}
	}
	if doc != "" {
		s["description"] = doc
	}
	if ex != "" {
		var v any
		if json.Unmarshal([]byte(ex), &v) != nil {
			v = ex
		}
		s["example"] = v
	}
	return s
}

// OpenAPI returns the document for the given route patterns.
func OpenAPI(routes []string) ([]byte, error) {
	g := &schemaGen{defs: map[string]any{}}
	g.defs["Problem"] = map[string]any{"type": "object", "description": "RFC 9457 problem details", "properties": map[string]any{
		"type": map[string]any{"type": "string"}, "title": map[string]any{"type": "string"}, "status": map[string]any{"type": "integer"},
		"detail": map[string]any{"type": "string"}, "field": map[string]any{"type": "string", "description": "the offending input"}}}
	problem := map[string]any{"content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}
	paths := map[string]any{}
	for _, r := range routes {
		method, path, _ := strings.Cut(r, " ")
		o, ok := ops[r]
		if !ok {
			continue
		}
		var params []any
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, "{") {
				p := map[string]any{"name": strings.Trim(seg, "{}"), "in": "path", "required": true, "schema": map[string]any{"type": "string"}}
				if seg == "{action}" {
					p["schema"] = map[string]any{"type": "string", "enum": []string{"activate", "deactivate", "reactivate", "delete"}}
				}
				params = append(params, p)
			}
		}
		for _, q := range o.query {
			s := map[string]any{"type": "string"}
			if q == "offset" || q == "limit" {
				s = map[string]any{"type": "integer", "minimum": 0}
				if q == "limit" {
					s["maximum"], s["default"] = 500, 50
				}
			}
			params = append(params, map[string]any{"name": q, "in": "query", "schema": s})
		}
		status := o.status
		if status == 0 {
			status = http.StatusOK
		}
		responses := map[string]any{}
		switch o.resp {
		case nil:
			responses["204"] = map[string]any{"description": "done"}
		case "csv":
			responses["200"] = map[string]any{"description": "CSV", "content": map[string]any{"text/csv": map[string]any{"schema": map[string]any{"type": "string"}}}}
		default:
			responses[strconv.Itoa(status)] = map[string]any{"description": http.StatusText(status),
				"content": map[string]any{"application/json": map[string]any{"schema": g.of(reflect.TypeOf(o.resp))}}}
		}
		for _, st := range []int{400, 401, 403, 404, 409} {
			responses[strconv.Itoa(st)] = map[string]any{"description": http.StatusText(st), "content": problem["content"]}
		}
		operation := map[string]any{"summary": o.summary, "operationId": opID(method, path), "responses": responses}
		if len(params) > 0 {
			operation["parameters"] = params
		}
		switch o.body {
		case nil:
		case "csv":
			operation["requestBody"] = map[string]any{"required": true, "content": map[string]any{"text/csv": map[string]any{"schema": map[string]any{"type": "string"}}}}
		default:
			operation["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": g.of(reflect.TypeOf(o.body))}}}
			// decode.go: a JSON body needs Content-Type: application/json.
			responses["415"] = map[string]any{"description": http.StatusText(http.StatusUnsupportedMediaType), "content": problem["content"]}
		}
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		item[strings.ToLower(method)] = operation
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "Sesame admin API", "version": "1.0.0", "description": "Authenticate with HTTP Basic (a local user's login name with the password or one of the user's API keys) " +
			"or a bearer token (an API key sk_… or an access token from Sesame's OIDC provider; R-SSO-6). " +
			"Every action is a right of module cas evaluated in the caller's effective rights for the target context (R-USR-4); " +
			"objects outside the caller's reach answer 404. Errors are RFC 9457 problem documents naming the offending field."},
		"servers":  []any{map[string]any{"url": "/"}},
		"security": []any{map[string]any{"basicAuth": []any{}}, map[string]any{"bearerAuth": []any{}}},
		"paths":    paths,
		"components": map[string]any{"schemas": g.defs, "securitySchemes": map[string]any{
			"basicAuth":  map[string]any{"type": "http", "scheme": "basic"},
			"bearerAuth": map[string]any{"type": "http", "scheme": "bearer", "description": "an API key (sk_…) or an OAuth 2.0 access token"}}},
	}
	return json.MarshalIndent(doc, "", "  ")
}

func opID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		seg = strings.Trim(seg, "{}")
		for _, part := range strings.FieldsFunc(seg, func(r rune) bool { return r == '-' }) {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}
