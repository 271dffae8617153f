package adminapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestOpenAPI: the served document is OpenAPI 3, documents every route with
// an operationId and problem responses, and every $ref resolves.
func TestOpenAPI(t *testing.T) {
	env := sesametest.New(t, "sqlite")
	r := env.As("", "").Must(200, "GET", "/api/v1/openapi.json", nil)
	var doc map[string]any
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc["openapi"].(string), "3.") {
		t.Fatalf("openapi %v", doc["openapi"])
	}
	paths := doc["paths"].(map[string]any)
	routes := env.Server.Config.Handler.(interface{ Routes() []string }).Routes()
	for _, route := range routes {
		method, path, _ := strings.Cut(route, " ")
		item, _ := paths[path].(map[string]any)
		op, _ := item[strings.ToLower(method)].(map[string]any)
		if op == nil {
			t.Errorf("%s is not documented", route)
			continue
		}
		if op["operationId"] == "" || op["summary"] == "" {
			t.Errorf("%s: no operationId or summary", route)
		}
		resp := op["responses"].(map[string]any)
		if _, ok := resp["400"]; !ok {
			t.Errorf("%s: no problem response", route)
		}
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for _, want := range []string{"User", "Context", "Group", "Template", "Result", "Problem", "PageOfUser"} {
		if _, ok := schemas[want]; !ok {
			t.Errorf("schema %s missing (have %v)", want, keys(schemas))
		}
	}
	user := schemas["User"].(map[string]any)["properties"].(map[string]any)
	if _, ok := user["loginName"]; !ok {
		t.Errorf("User schema lacks loginName: %v", keys(user))
	}
	if _, ok := user["PasswordHash"]; ok {
		t.Error("User schema exposes the password hash")
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				name := strings.TrimPrefix(ref, "#/components/schemas/")
				if _, ok := schemas[name]; !ok {
					t.Errorf("dangling $ref %s", ref)
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestOpenAPIDescribesAuthorize: every field a portal sends to and gets
// from POST /api/v1/authorize has a description, and every scalar one an
// example (docs/quickstart-portal.md explains the same fields).
func TestOpenAPIDescribesAuthorize(t *testing.T) {
	checkDescribed(t, "AuthorizeInput", "AuthorizeCredentials", "APIDecision", "APIDecisionUser", "APIDecisionACL")
}

// TestOpenAPIDescribesFields: every property of the main resources'
// request and answer schemas has a description, and every one that is not
// a reference to another schema an example (issue 14 item 8) — a portal
// developer reads the document, not the Go code.
func TestOpenAPIDescribesFields(t *testing.T) {
	checkDescribed(t,
		// users
		"User", "Person", "NewUser", "UserPatch", "PasswordInput", "AccountReset", "TwoFactorSettings", "TwoFactorView",
		// contexts
		"Context", "ContextInput", "ContextPatch", "PolicyDoc", "PolicyInput",
		// groups, templates and ACL values
		"Group", "GroupInput", "GroupPatch", "Membership", "Template", "TemplateInput", "TemplatePatch", "ACLValue",
		// clients
		"ClientInput", "ClientPatch", "ClientView", "CreatedClient",
		// connections
		"ConnectionInput", "ConnectionView", "SamlSPView", "SAMLSettings", "SPCertificate", "ConnectionDomain", "OIDCSettings", "ClaimMapping", "ContextRoles", "OrganisationMapping",
		// API keys, SCIM credentials, audit events, branding
		"APIKey", "CreatedAPIKey", "ApiKeyInput", "SCIMCredential", "NewSCIMCredential", "CreatedSCIMCredential", "AuditEvent", "BrandingView", "BrandingInput",
		// catalog, user domains, message templates
		"Module", "ACL", "ModuleInput", "UserDomain", "MessageTemplateInput", "View",
		// effective rights
		"Result", "Right", "Step",
	)
}

// checkDescribed fails for each property of the named schemas without a
// description, or, unless it wraps a reference (allOf), without an example.
func checkDescribed(t *testing.T, schemas ...string) {
	t.Helper()
	env := sesametest.New(t, "sqlite")
	r := env.As("", "").Must(200, "GET", "/api/v1/openapi.json", nil)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	for _, name := range schemas {
		s, ok := doc.Components.Schemas[name]
		if !ok || len(s.Properties) == 0 {
			t.Errorf("schema %s missing", name)
			continue
		}
		for field, p := range s.Properties {
			if d, _ := p["description"].(string); d == "" {
				t.Errorf("%s.%s has no description", name, field)
			}
			if _, obj := p["allOf"]; !obj && p["example"] == nil {
				t.Errorf("%s.%s has no example", name, field)
			}
		}
	}
}
