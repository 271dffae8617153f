package scim

import (
	"net/http"
	"strings"

	"github.com/sesame-sso/sesame/internal/model"
)

// Discovery (RFC 7644 §4): what this service provider supports.

func (h *Handler) serviceProviderConfig(w http.ResponseWriter, r *http.Request, _ model.SCIMCredential) error {
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":          []string{urnSPC},
		"documentationUri": "https://datatracker.ietf.org/doc/html/rfc7644",
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": maxCount},
		"changePassword":   map[string]any{"supported": false},
		"sort":             map[string]any{"supported": true},
		"etag":             map[string]any{"supported": true},
		"authenticationSchemes": []map[string]any{{"type": "oauthbearertoken", "name": "Bearer token",
			"description": "The tenant's SCIM credential, created in the admin API (POST /api/v1/scim-credentials)", "primary": true}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": h.BaseURL + Prefix + "/ServiceProviderConfig"},
	})
	return nil
}

func (h *Handler) resourceTypeDoc(res *resource) map[string]any {
	exts := []map[string]any{}
	for _, e := range res.exts {
		exts = append(exts, map[string]any{"schema": e.ID, "required": false})
	}
	return map[string]any{"schemas": []string{urnRT}, "id": res.name, "name": res.name, "endpoint": res.endpoint,
		"schema": res.schema.ID, "schemaExtensions": exts,
		"meta": map[string]any{"resourceType": "ResourceType", "location": h.BaseURL + Prefix + "/ResourceTypes/" + res.name}}
}

func (h *Handler) resourceTypes(w http.ResponseWriter, r *http.Request, _ model.SCIMCredential) error {
	docs := []map[string]any{h.resourceTypeDoc(userResource), h.resourceTypeDoc(groupResource)}
	writeJSON(w, http.StatusOK, listResponse(len(docs), 1, docs))
	return nil
}

func (h *Handler) resourceType(w http.ResponseWriter, r *http.Request, _ model.SCIMCredential) error {
	for _, res := range []*resource{userResource, groupResource} {
		if strings.EqualFold(r.PathValue("name"), res.name) {
			writeJSON(w, http.StatusOK, h.resourceTypeDoc(res))
			return nil
		}
	}
	return errNotFound("resource type")
}

func (h *Handler) schemaDoc(s *schemaDef) map[string]any {
	return map[string]any{"schemas": []string{urnSchema}, "id": s.ID, "name": s.Name, "description": s.Description,
		"attributes": s.Attributes, "meta": map[string]any{"resourceType": "Schema", "location": h.BaseURL + Prefix + "/Schemas/" + s.ID}}
}

func (h *Handler) schemas(w http.ResponseWriter, r *http.Request, _ model.SCIMCredential) error {
	docs := []map[string]any{h.schemaDoc(userSchema), h.schemaDoc(enterpriseSchema), h.schemaDoc(groupSchema)}
	writeJSON(w, http.StatusOK, listResponse(len(docs), 1, docs))
	return nil
}

func (h *Handler) schemaByID(w http.ResponseWriter, r *http.Request, _ model.SCIMCredential) error {
	for _, s := range []*schemaDef{userSchema, enterpriseSchema, groupSchema} {
		if strings.EqualFold(r.PathValue("id"), s.ID) {
			writeJSON(w, http.StatusOK, h.schemaDoc(s))
			return nil
		}
	}
	return errNotFound("schema")
}
