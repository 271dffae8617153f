package adminapi

import (
	"net/http"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

type groupInput struct {
	ContextID   string           `json:"contextId" doc:"The context the group belongs to; required; root makes it global." example:"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31"`
	Name        string           `json:"name" doc:"Display name; required; unique within the context." example:"Billing clerks"`
	Description string           `json:"description" doc:"Optional free text for administrators." example:"May read invoices and change price plans."`
	RoleNames   []string         `json:"roleNames" doc:"Optional external IdP role names that map onto the group (R-EFF-1)." example:"[\"billing-clerk\"]"`
	Values      []model.ACLValue `json:"values" doc:"The ACL values members get; give these or templateId, not both." example:"[{\"module\": \"portal\", \"acl\": \"Billing - Read\", \"value\": \"true\"}, {\"module\": \"portal\", \"acl\": \"Price Plan\", \"value\": \"gold\"}]"`
	TemplateID  string           `json:"templateId" doc:"An ACL template whose values are copied into the group (later template changes do not follow); instead of values." example:"5e8d2c14-a9b7-4f60-8c3e-1d2f4a6b8c90"`
}

type groupPatch struct {
	Name        *string           `json:"name" doc:"New display name; absent: unchanged." example:"Billing team"`
	Description *string           `json:"description" doc:"New description; absent: unchanged." example:"Reads invoices."`
	RoleNames   *[]string         `json:"roleNames" doc:"New role names, replacing all; absent: unchanged." example:"[\"billing-clerk\", \"billing-admin\"]"`
	Values      *[]model.ACLValue `json:"values" doc:"New ACL values, replacing all; absent: unchanged." example:"[{\"module\": \"portal\", \"acl\": \"Billing - Read\", \"value\": \"true\"}, {\"module\": \"portal\", \"acl\": \"Price Plan\", \"value\": \"gold\"}]"`
}

func (a *API) listGroups(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	cid, err := query(r, "contextId")
	if err != nil {
		return err
	}
	if cid == "" {
		return model.Invalid("contextId", "is required")
	}
	global := r.URL.Query().Get("includeGlobal") == "true"
	gs, err := a.svc.ListGroups(r.Context(), actor, cid, global)
	if err != nil {
		return err
	}
	if gs == nil {
		gs = []model.Group{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": gs})
	return nil
}

func (a *API) createGroup(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	var in groupInput
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	g, err := a.svc.CreateGroup(r.Context(), actor, model.Group{ContextID: in.ContextID, Name: in.Name,
		Description: in.Description, RoleNames: in.RoleNames, Values: in.Values}, in.TemplateID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/groups/"+g.ID)
	writeJSON(w, http.StatusCreated, g)
	return nil
}

func (a *API) getGroup(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	g, err := a.svc.GetGroup(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (a *API) updateGroup(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in groupPatch
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	g, err := a.svc.UpdateGroup(r.Context(), actor, id, func(g model.Group) (model.Group, error) {
		if in.Name != nil {
			g.Name = *in.Name
		}
		if in.Description != nil {
			g.Description = *in.Description
		}
		if in.RoleNames != nil {
			g.RoleNames = *in.RoleNames
		}
		if in.Values != nil {
			g.Values = *in.Values
		}
		return g, nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (a *API) deleteGroup(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteGroup(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) applyTemplate(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		TemplateID string `json:"templateId"`
	}
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	if in.TemplateID == "" {
		return model.Invalid("templateId", "is required")
	}
	g, err := a.svc.ApplyTemplate(r.Context(), actor, id, in.TemplateID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (a *API) listMembers(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	ms, err := a.svc.ListMembers(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ms})
	return nil
}

func (a *API) addMember(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		UserID    string `json:"userId"`
		ContextID string `json:"contextId"`
	}
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	if in.UserID == "" {
		return model.Invalid("userId", "is required")
	}
	if err := a.svc.AddMember(r.Context(), actor, model.Membership{GroupID: id, UserID: in.UserID, ContextID: in.ContextID}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) removeMember(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	uid, err := idParam(r, "userId")
	if err != nil {
		return err
	}
	cid, err := query(r, "contextId")
	if err != nil {
		return err
	}
	if err := a.svc.RemoveMember(r.Context(), actor, model.Membership{GroupID: id, UserID: uid, ContextID: cid}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
