package scim

import (
	"net/http"
	"strings"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Groups (RFC 7643 §4.2) are the user groups of the credential's context;
// members are users of the tenant (nested groups are not supported).

func (h *Handler) groupDoc(g model.Group, sg storage.SCIMGroup, members []storage.SCIMMember, withMembers bool) map[string]any {
	doc := map[string]any{"schemas": []string{URNGroup}, "id": g.ID, "displayName": g.Name,
		"meta": meta("Group", h.location(groupResource, g.ID), g.CreatedAt, g.UpdatedAt)}
	if sg.ExternalID != "" {
		doc["externalId"] = sg.ExternalID
	}
	if withMembers {
		ms := make([]any, 0, len(members))
		for _, m := range members {
			ms = append(ms, map[string]any{"value": m.UserID, "display": m.LoginName, "$ref": h.location(userResource, m.UserID), "type": "User"})
		}
		doc["members"] = ms
	}
	return doc
}

// wantsMembers: members are read only when the answer shows them (Entra
// ID asks with excludedAttributes=members).
func wantsMembers(attrs, excluded []string) bool { return wantsAttr(attrs, excluded, "members") }

// wantsAttr: whether attribute name (read with extra queries: members,
// groups) is in an answer with these attributes / excludedAttributes.
func wantsAttr(attrs, excluded []string, name string) bool {
	for _, a := range excluded {
		if strings.EqualFold(a, name) {
			return false
		}
	}
	if len(attrs) == 0 {
		return true
	}
	for _, a := range attrs {
		if strings.HasPrefix(strings.ToLower(a), strings.ToLower(name)) {
			return true
		}
	}
	return false
}

func (h *Handler) groupDocs(r *http.Request, gs []model.Group, withMembers bool) ([]map[string]any, error) {
	ids := make([]string, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	sgs, err := h.Store.GetSCIMGroups(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	docs := make([]map[string]any, len(gs))
	for i, g := range gs {
		var ms []storage.SCIMMember
		if withMembers {
			if ms, err = h.Store.SCIMMembers(r.Context(), g.ID); err != nil {
				return nil, err
			}
		}
		docs[i] = h.groupDoc(g, sgs[g.ID], ms, withMembers)
	}
	return docs, nil
}

func (h *Handler) loadGroup(r *http.Request, cred model.SCIMCredential, id string, withMembers bool) (map[string]any, error) {
	if !model.PlausibleID(id) {
		return nil, errNotFound("group")
	}
	g, err := h.Store.GetGroup(r.Context(), id)
	if model.ErrorCode(err) == model.ENOTFOUND || (err == nil && g.ContextID != cred.Target()) {
		return nil, errNotFound("group")
	}
	if err != nil {
		return nil, err
	}
	docs, err := h.groupDocs(r, []model.Group{g}, withMembers)
	if err != nil {
		return nil, err
	}
	return docs[0], nil
}

func (h *Handler) listGroups(w http.ResponseWriter, r *http.Request, cred model.SCIMCredential) error {
	p, err := groupResource.parseList(queryOf(r))
	if err != nil {
		return err
	}
	gs, total, err := h.Store.SearchSCIMGroups(r.Context(), storage.SCIMQuery{TenantID: cred.TenantID, ContextID: cred.Target(),
		Where: p.where, SortBy: p.sortBy, Descending: p.desc, Offset: p.startIndex - 1, Limit: p.count})
	if err != nil {
		return err
	}
	docs, err := h.groupDocs(r, gs, wantsMembers(p.attrs, p.excludeAttr))
	if err != nil {
		return err
	}
	for i := range docs {
		docs[i] = groupResource.project(docs[i], p.attrs, p.excludeAttr)
	}
	writeJSON(w, http.StatusOK, listResponse(total, p.startIndex, docs))
	return nil
}

func (h *Handler) getGroup(w http.ResponseWriter, r *http.Request, cred model.SCIMCredential) error {
	q := queryOf(r)
	attrs, excl := splitList(q.Get("attributes")), splitList(q.Get("excludedAttributes"))
	doc, err := h.loadGroup(r, cred, r.PathValue("id"), wantsMembers(attrs, excl))
	if err != nil {
		return err
	}
	writeResource(w, http.StatusOK, groupResource.project(doc, attrs, excl))
	return nil
}

// groupWrite turns a canonical document into a directory write.
func groupWrite(doc map[string]any) (directory.SCIMGroup, error) {
	var w directory.SCIMGroup
	w.Name, _ = doc["displayName"].(string)
	if strings.TrimSpace(w.Name) == "" {
		return w, badRequest(typeInvalidValue, "displayName is required")
	}
	w.ExternalID, _ = doc["externalId"].(string)
	for _, m := range elements(doc["members"]) {
		if t, _ := m["type"].(string); t != "" && !strings.EqualFold(t, "User") {
			return w, badRequest(typeInvalidValue, "members are users (nested groups are not supported)")
		}
		v, _ := m["value"].(string)
		if v == "" {
			return w, badRequest(typeInvalidValue, "a member needs a value (the user's id)")
		}
		w.Members = append(w.Members, v)
	}
	return w, nil
}

func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request, cred model.SCIMCredential) error {
	doc, err := h.readDoc(w, r, groupResource)
	if err != nil {
		return err
	}
	gw, err := groupWrite(doc)
	if err != nil {
		return err
	}
	g, err := h.Dir.SCIMCreateGroup(r.Context(), h.actor(r, cred), cred, gw)
	if err != nil {
		return err
	}
	out, err := h.loadGroup(r, cred, g.ID, true)
	if err != nil {
		return err
	}
	writeResource(w, http.StatusCreated, out)
	return nil
}

func (h *Handler) updateGroup(w http.ResponseWriter, r *http.Request, cred model.SCIMCredential, edit func(cur map[string]any) (map[string]any, error)) error {
	id := r.PathValue("id")
	g, err := h.Dir.SCIMUpdateGroup(r.Context(), h.actor(r, cred), cred, id, func(g model.Group, sg storage.SCIMGroup, members []string) (directory.SCIMGroup, error) {
		if err := checkIfMatch(r, version(g.UpdatedAt)); err != nil {
			return directory.SCIMGroup{}, err
		}
		ms := make([]storage.SCIMMember, len(members))
		for i, m := range members {
			ms[i] = storage.SCIMMember{UserID: m}
		}
		cur := h.groupDoc(g, sg, ms, true)
		for _, m := range elements(cur["members"]) {
			delete(m, "display")
			delete(m, "$ref")
		}
		next, err := edit(cur)
		if err != nil {
			return directory.SCIMGroup{}, err
		}
		return groupWrite(next)
	})
	if err != nil {
		return err
	}
	// PATCH answers 204 for groups unless the client asks for attributes
	// (RFC 7644 §3.5.2: 200 with the resource, or 204): a group of
	// thousands of members is not sent back for every batch.
	if r.Method == http.MethodPatch && r.URL.Query().Get("attributes") == "" {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	out, err := h.loadGroup(r, cred, g.ID, true)
	if err != nil {
		return err
	}
	writeResource(w, http.StatusOK, out)
	return nil
}

func (h *Handler) replaceGroup(w http.ResponseWriter, r *http.Request, cred model.SCIMCredential) error {
	edit, err := h.replacement(w, r, groupResource)
	if err != nil {
		return err
	}
	return h.updateGroup(w, r, cred, edit)
}

func (h *Handler) patchGroup(w http.ResponseWriter, r *http.Request, cred model.SCIMCredential) error {
	edit, err := h.patching(w, r, groupResource)
	if err != nil {
		return err
	}
	return h.updateGroup(w, r, cred, edit)
}

func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request, cred model.SCIMCredential) error {
	if err := h.Dir.SCIMDeleteGroup(r.Context(), h.actor(r, cred), cred, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
