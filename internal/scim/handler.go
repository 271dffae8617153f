package scim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Directory is what the SCIM server writes through (internal/directory's
// SCIM methods: authorized to the tenant, audited with the credential).
type Directory interface {
	SCIMCreateUser(ctx context.Context, a directory.Actor, cred model.SCIMCredential, w directory.SCIMUser) (model.User, error)
	SCIMUpdateUser(ctx context.Context, a directory.Actor, cred model.SCIMCredential, id string,
		fn func(u model.User, su storage.SCIMUser) (directory.SCIMUser, error)) (model.User, error)
	SCIMDeleteUser(ctx context.Context, a directory.Actor, cred model.SCIMCredential, id string) error
	SCIMCreateGroup(ctx context.Context, a directory.Actor, cred model.SCIMCredential, w directory.SCIMGroup) (model.Group, error)
	SCIMUpdateGroup(ctx context.Context, a directory.Actor, cred model.SCIMCredential, id string,
		fn func(g model.Group, sg storage.SCIMGroup, members []string) (directory.SCIMGroup, error)) (model.Group, error)
	SCIMDeleteGroup(ctx context.Context, a directory.Actor, cred model.SCIMCredential, id string) error
}

// Store is what the SCIM server reads.
type Store interface {
	GetUser(ctx context.Context, id string) (model.User, error)
	GetGroup(ctx context.Context, id string) (model.Group, error)
	GetSCIMUsers(ctx context.Context, userIDs []string) (map[string]storage.SCIMUser, error)
	SearchSCIMUsers(ctx context.Context, q storage.SCIMQuery) ([]storage.SCIMUserRow, int, error)
	SCIMUserGroups(ctx context.Context, contextID string, userIDs []string) (map[string][]model.Group, error)
	GetSCIMGroups(ctx context.Context, groupIDs []string) (map[string]storage.SCIMGroup, error)
	SearchSCIMGroups(ctx context.Context, q storage.SCIMQuery) ([]model.Group, int, error)
	SCIMMembers(ctx context.Context, groupID string) ([]storage.SCIMMember, error)
}

// Authenticator checks SCIM bearer tokens (authn.Service).
type Authenticator interface {
	AuthenticateSCIM(ctx context.Context, token string) (model.SCIMCredential, error)
}

// Handler serves /scim/v2.
type Handler struct {
	Dir   Directory
	Store Store
	Authn Authenticator
	Log   *slog.Logger
	// BaseURL is the issuer: meta.location is BaseURL + /scim/v2/….
	BaseURL string
	// MaxBody bounds request bodies (default 1 MiB).
	MaxBody int64
}

// Prefix is where the server is mounted.
const Prefix = "/scim/v2"

type scimHandler func(w http.ResponseWriter, r *http.Request, cred model.SCIMCredential) error

// Register mounts the routes.
func (h *Handler) Register(mux *http.ServeMux) {
	if h.MaxBody <= 0 {
		h.MaxBody = 1 << 20
	}
	if h.Log == nil {
		h.Log = slog.New(slog.DiscardHandler)
	}
	route := func(pattern string, fn scimHandler) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.Handle(method+" "+Prefix+path, h.wrap(fn))
	}
	route("GET /ServiceProviderConfig", h.serviceProviderConfig)
	route("GET /ResourceTypes", h.resourceTypes)
	route("GET /ResourceTypes/{name}", h.resourceType)
	route("GET /Schemas", h.schemas)
	route("GET /Schemas/{id}", h.schemaByID)
	route("GET /Users", h.listUsers)
	route("POST /Users", h.createUser)
	route("GET /Users/{id}", h.getUser)
	route("PUT /Users/{id}", h.replaceUser)
	route("PATCH /Users/{id}", h.patchUser)
	route("DELETE /Users/{id}", h.deleteUser)
	route("GET /Groups", h.listGroups)
	route("POST /Groups", h.createGroup)
	route("GET /Groups/{id}", h.getGroup)
	route("PUT /Groups/{id}", h.replaceGroup)
	route("PATCH /Groups/{id}", h.patchGroup)
	route("DELETE /Groups/{id}", h.deleteGroup)
	mux.Handle(Prefix+"/", h.wrap(func(w http.ResponseWriter, r *http.Request, _ model.SCIMCredential) error {
		return errorf(http.StatusNotFound, "", "no such endpoint: %s %s", r.Method, r.URL.Path)
	}))
}

// wrap authenticates the bearer token, then runs fn and answers its error
// in the SCIM format.
func (h *Handler) wrap(fn scimHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
			h.writeError(w, r, errorf(http.StatusUnauthorized, "", "authenticate with the tenant's SCIM bearer token"))
			return
		}
		cred, err := h.Authn.AuthenticateSCIM(r.Context(), strings.TrimSpace(token))
		if err != nil {
			if model.ErrorCode(err) == model.EUNAUTHORIZED {
				w.Header().Set("WWW-Authenticate", `Bearer realm="scim", error="invalid_token"`)
			}
			h.writeError(w, r, err)
			return
		}
		if err := fn(w, r, cred); err != nil {
			h.writeError(w, r, err)
		}
	})
}

func (h *Handler) actor(r *http.Request, cred model.SCIMCredential) directory.Actor {
	return directory.SCIMActor(cred.ID, clientip.From(r.Context()))
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	se, ok := asSCIM(err)
	if !ok {
		if r.Context().Err() != nil {
			h.Log.InfoContext(r.Context(), "scim request cancelled", "path", r.URL.Path, "err", err)
		} else {
			h.Log.ErrorContext(r.Context(), "scim request failed", "path", r.URL.Path, "err", err)
		}
		w.Header().Set("Retry-After", "5")
		se = errorf(http.StatusServiceUnavailable, "", "the service is unavailable, try again")
	}
	body := map[string]any{"schemas": []string{urnError}, "status": strconv.Itoa(se.Status), "detail": se.Detail}
	if se.ScimType != "" {
		body["scimType"] = se.ScimType
	}
	writeJSON(w, se.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// readBody decodes a JSON object body of at most MaxBody bytes.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request, v any) error {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	if ct != "" && !strings.Contains(ct, "json") {
		return errorf(http.StatusUnsupportedMediaType, "", "send application/scim+json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errorf(http.StatusRequestEntityTooLarge, "", "the body is larger than %d bytes", h.MaxBody)
	}
	if err != nil {
		return badRequest(typeInvalidSyntax, "the body could not be read")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if err := dec.Decode(v); err != nil {
		return badRequest(typeInvalidSyntax, "the body is not valid JSON for this request: %v", err)
	}
	if dec.More() {
		return badRequest(typeInvalidSyntax, "the body has data after the JSON value")
	}
	return nil
}

// version is the weak ETag of a resource (RFC 7644 §3.14): its last
// modification in microseconds.
func version(t time.Time) string { return fmt.Sprintf(`W/"%d"`, t.UnixMicro()) }

// checkIfMatch refuses a change of a resource whose version is not the one
// the client named (If-Match, RFC 7644 §3.14; RFC 9110 §13.1.1).
func checkIfMatch(r *http.Request, current string) error {
	im := r.Header.Get("If-Match")
	if im == "" || im == "*" {
		return nil
	}
	for _, tag := range strings.Split(im, ",") {
		if strings.TrimPrefix(strings.TrimSpace(tag), "W/") == strings.TrimPrefix(current, "W/") {
			return nil
		}
	}
	return errorf(http.StatusPreconditionFailed, "", "the resource changed: its version is %s", current)
}

func (h *Handler) location(res *resource, id string) string {
	return strings.TrimRight(h.BaseURL, "/") + Prefix + res.endpoint + "/" + id
}

func meta(resType, location string, created, modified time.Time) map[string]any {
	return map[string]any{"resourceType": resType, "location": location,
		"created": created.UTC().Format(time.RFC3339Nano), "lastModified": modified.UTC().Format(time.RFC3339Nano),
		"version": version(modified)}
}

// writeResource answers one resource with its ETag and Location.
func writeResource(w http.ResponseWriter, status int, doc map[string]any) {
	if m, ok := doc["meta"].(map[string]any); ok {
		w.Header().Set("ETag", m["version"].(string))
		if status == http.StatusCreated {
			w.Header().Set("Location", m["location"].(string))
		}
	}
	writeJSON(w, status, doc)
}

func listResponse(total, start int, docs []map[string]any) map[string]any {
	if docs == nil {
		docs = []map[string]any{}
	}
	return map[string]any{"schemas": []string{urnList}, "totalResults": total, "startIndex": start,
		"itemsPerPage": len(docs), "Resources": docs}
}
