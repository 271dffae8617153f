package scim

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Users (RFC 7643 §4.1, §4.3) mapped onto the directory: userName is the
// login name, name.givenName / familyName, the primary email and phone
// number and preferredLanguage are the user's person data, active is the
// lifecycle (active / inactive), externalId and every other attribute are
// the SCIM side (storage.SCIMUser).

// userDoc is the SCIM view of a user.
func (h *Handler) userDoc(u model.User, su storage.SCIMUser, groups []model.Group) map[string]any {
	doc := map[string]any{}
	if len(su.Attrs) > 0 {
		_ = json.Unmarshal(su.Attrs, &doc)
	}
	schemas := []string{URNUser}
	if _, ok := doc[URNEnterprise]; ok {
		schemas = append(schemas, URNEnterprise)
	}
	doc["schemas"] = schemas
	doc["id"] = u.ID
	doc["userName"] = u.LoginName
	if su.ExternalID != "" {
		doc["externalId"] = su.ExternalID
	}
	doc["active"] = u.Status == model.StatusActive
	name, _ := doc["name"].(map[string]any)
	if name == nil {
		name = map[string]any{}
	}
	setOrDelete(name, "givenName", u.Person.FirstName)
	setOrDelete(name, "familyName", u.Person.LastName)
	if len(name) > 0 {
		doc["name"] = name
	} else {
		delete(doc, "name")
	}
	setOrDelete(doc, "preferredLanguage", u.Person.Language)
	overlayPrimary(doc, "emails", u.Person.Email)
	overlayPrimary(doc, "phoneNumbers", u.Person.Phone)
	gs := make([]any, 0, len(groups))
	for _, g := range groups {
		gs = append(gs, map[string]any{"value": g.ID, "display": g.Name, "$ref": h.location(groupResource, g.ID), "type": "direct"})
	}
	if len(gs) > 0 {
		doc["groups"] = gs
	}
	doc["meta"] = meta("User", h.location(userResource, u.ID), u.CreatedAt, u.UpdatedAt)
	return doc
}

func setOrDelete(m map[string]any, k, v string) {
	if v == "" {
		delete(m, k)
	} else {
		m[k] = v
	}
}

// overlayPrimary makes the primary (or first) value of a multi-valued
// attribute the directory's value, which an admin may have changed.
func overlayPrimary(doc map[string]any, attr, v string) {
	es := elements(doc[attr])
	if v == "" {
		return
	}
	if len(es) == 0 {
		doc[attr] = []any{map[string]any{"value": v, "type": "work", "primary": true}}
		return
	}
	target := es[0]
	for _, e := range es {
		if e["primary"] == true {
			target = e
		}
	}
	target["value"] = v
	doc[attr] = toList(es)
}

// primaryValue is the value of the primary (or first) element.
func primaryValue(doc map[string]any, attr string) string {
	es := elements(doc[attr])
	for _, e := range es {
		if e["primary"] == true {
			s, _ := e["value"].(string)
			return s
		}
	}
	if len(es) > 0 {
		s, _ := es[0]["value"].(string)
		return s
	}
	return ""
}

var phoneRE = regexp.MustCompile(`^\+?[0-9 ()-]{3,32}$`)

// userWrite turns a canonical document into a directory write.
func userWrite(doc map[string]any) (directory.SCIMUser, error) {
	var w directory.SCIMUser
	name, _ := doc["userName"].(string)
	if strings.TrimSpace(name) == "" {
		return w, badRequest(typeInvalidValue, "userName is required")
	}
	w.LoginName = name
	w.Active = true
	if b, ok := doc["active"].(bool); ok {
		w.Active = b
	}
	w.ExternalID, _ = doc["externalId"].(string)
	if n, ok := doc["name"].(map[string]any); ok {
		w.Person.FirstName, _ = n["givenName"].(string)
		w.Person.LastName, _ = n["familyName"].(string)
	}
	lang, _ := doc["preferredLanguage"].(string)
	w.Person.Language = strings.ReplaceAll(lang, "_", "-")
	w.Person.Email = primaryValue(doc, "emails")
	if p := primaryValue(doc, "phoneNumbers"); phoneRE.MatchString(p) {
		w.Person.Phone = p // others stay in the SCIM side only
	}
	rest := map[string]any{}
	for k, v := range doc {
		switch k {
		case "schemas", "id", "meta", "userName", "active", "externalId", "groups", "password", "preferredLanguage":
			continue
		}
		rest[k] = v
	}
	if n, ok := rest["name"].(map[string]any); ok {
		other := map[string]any{}
		for k, v := range n {
			if k != "givenName" && k != "familyName" {
				other[k] = v
			}
		}
		if len(other) > 0 {
			rest["name"] = other
		} else {
			delete(rest, "name")
		}
	}
	attrs, err := json.Marshal(rest)
	if err != nil {
		return w, err
	}
	w.Attrs = attrs
	for _, e := range elements(doc["emails"]) {
		if v, ok := e["value"].(string); ok {
			w.Values = append(w.Values, storage.SCIMValue{Attr: storage.FieldEmail, Value: v})
		}
	}
	for _, e := range elements(doc["phoneNumbers"]) {
		if v, ok := e["value"].(string); ok {
			w.Values = append(w.Values, storage.SCIMValue{Attr: storage.FieldPhone, Value: v})
		}
	}
	for _, key := range userIndexed {
		ref, _ := userResource.resolve(key)
		src := doc
		if ref.ext != nil {
			src, _ = doc[ref.ext.ID].(map[string]any)
		}
		v := src[ref.a.Name]
		if ref.sub != nil {
			m, _ := v.(map[string]any)
			v = m[ref.sub.Name]
		}
		if s, ok := v.(string); ok {
			w.Values = append(w.Values, storage.SCIMValue{Attr: key, Value: s})
		}
	}
	return w, nil
}

// loadUser reads a user of the credential's tenant with its SCIM side and
// groups; others are 404.
func (h *Handler) loadUser(r *http.Request, cred model.SCIMCredential, id string) (map[string]any, error) {
	if !model.PlausibleID(id) {
		return nil, errNotFound("user")
	}
	u, err := h.Store.GetUser(r.Context(), id)
	if model.ErrorCode(err) == model.ENOTFOUND || (err == nil && (u.TenantID != cred.TenantID || u.Status == model.StatusDeleted)) {
		return nil, errNotFound("user")
	}
	if err != nil {
		return nil, err
	}
	return h.userDocs(r, cred, []model.User{u})
}

func (h *Handler) userDocs(r *http.Request, cred model.SCIMCredential, us []model.User) (map[string]any, error) {
	ids := make([]string, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	sus, err := h.Store.GetSCIMUsers(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	rows := make([]storage.SCIMUserRow, len(us))
	for i, u := range us {
		rows[i] = storage.SCIMUserRow{User: u, SCIM: sus[u.ID]}
	}
	docs, err := h.userDocList(r, cred, rows, true)
	if err != nil || len(docs) == 0 {
		return nil, err
	}
	return docs[0], nil
}

// userDocList makes the documents of users with their SCIM side, and
// their groups when withGroups.
func (h *Handler) userDocList(r *http.Request, cred model.SCIMCredential, rows []storage.SCIMUserRow, withGroups bool) ([]map[string]any, error) {
	groups := map[string][]model.Group{}
	if withGroups && len(rows) > 0 {
		ids := make([]string, len(rows))
		for i, u := range rows {
			ids[i] = u.ID
		}
		var err error
		if groups, err = h.Store.SCIMUserGroups(r.Context(), cred.Target(), ids); err != nil {
			return nil, err
		}
	}
	docs := make([]map[string]any, len(rows))
	for i, u := range rows {
		docs[i] = h.userDoc(u.User, u.SCIM, groups[u.ID])
	}
	return docs, nil
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request, cred model.SCIMCredential) error {
	p, err := userResource.parseList(queryOf(r))
	if err != nil {
		return err
	}
	rows, total, err := h.Store.SearchSCIMUsers(r.Context(), storage.SCIMQuery{TenantID: cred.TenantID, Where: p.where,
		SortBy: p.sortBy, Descending: p.desc, Offset: p.startIndex - 1, Limit: p.count})
	if err != nil {
		return err
	}
	docs, err := h.userDocList(r, cred, rows, wantsAttr(p.attrs, p.excludeAttr, "groups"))
	if err != nil {
		return err
	}
	for i := range docs {
		docs[i] = userResource.project(docs[i], p.attrs, p.excludeAttr)
	}
	writeJSON(w, http.StatusOK, listResponse(total, p.startIndex, docs))
	return nil
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request, cred model.SCIMCredential) error {
	doc, err := h.loadUser(r, cred, r.PathValue("id"))
	if err != nil {
		return err
	}
	q := queryOf(r)
	doc = userResource.project(doc, splitList(q.Get("attributes")), splitList(q.Get("excludedAttributes")))
	writeResource(w, http.StatusOK, doc)
	return nil
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request, cred model.SCIMCredential) error {
	doc, err := h.readDoc(w, r, userResource)
	if err != nil {
		return err
	}
	uw, err := userWrite(doc)
	if err != nil {
		return err
	}
	u, err := h.Dir.SCIMCreateUser(r.Context(), h.actor(r, cred), cred, uw)
	if err != nil {
		return err
	}
	// The answer is built from what was written (a new user's groups are
	// the credential's defaults): no read back.
	var groups []model.Group
	if len(cred.DefaultGroups) > 0 {
		gs, err := h.Store.SCIMUserGroups(r.Context(), cred.Target(), []string{u.ID})
		if err != nil {
			return err
		}
		groups = gs[u.ID]
	}
	writeResource(w, http.StatusCreated, h.userDoc(u, storage.SCIMUser{ExternalID: uw.ExternalID, Attrs: uw.Attrs}, groups))
	return nil
}

// updateUser runs edit on the user's current document inside the
// directory's transaction (If-Match checked there) and answers the result.
func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request, cred model.SCIMCredential, edit func(cur map[string]any) (map[string]any, error)) error {
	id := r.PathValue("id")
	u, err := h.Dir.SCIMUpdateUser(r.Context(), h.actor(r, cred), cred, id, func(u model.User, su storage.SCIMUser) (directory.SCIMUser, error) {
		if err := checkIfMatch(r, version(u.UpdatedAt)); err != nil {
			return directory.SCIMUser{}, err
		}
		cur := h.userDoc(u, su, nil)
		next, err := edit(cur)
		if err != nil {
			return directory.SCIMUser{}, err
		}
		return userWrite(next)
	})
	if err != nil {
		return err
	}
	out, err := h.loadUser(r, cred, u.ID)
	if err != nil {
		return err
	}
	writeResource(w, http.StatusOK, out)
	return nil
}

func (h *Handler) replaceUser(w http.ResponseWriter, r *http.Request, cred model.SCIMCredential) error {
	edit, err := h.replacement(w, r, userResource)
	if err != nil {
		return err
	}
	return h.updateUser(w, r, cred, edit)
}

func (h *Handler) patchUser(w http.ResponseWriter, r *http.Request, cred model.SCIMCredential) error {
	edit, err := h.patching(w, r, userResource, "groups")
	if err != nil {
		return err
	}
	return h.updateUser(w, r, cred, edit)
}

func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request, cred model.SCIMCredential) error {
	id := r.PathValue("id")
	if r.Header.Get("If-Match") != "" {
		doc, err := h.loadUser(r, cred, id)
		if err != nil {
			return err
		}
		if err := checkIfMatch(r, doc["meta"].(map[string]any)["version"].(string)); err != nil {
			return err
		}
	}
	if err := h.Dir.SCIMDeleteUser(r.Context(), h.actor(r, cred), cred, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
