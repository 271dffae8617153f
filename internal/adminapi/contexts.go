package adminapi

import (
	"net/http"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

type contextInput struct {
	Type     model.ContextType `json:"type" doc:"Level of the new context: tenant, account or customer (root exists once)." example:"account"`
	Name     string            `json:"name" doc:"Display name; required." example:"Muster Logistics AG"`
	Number   string            `json:"number" doc:"Optional customer or account number from your own systems." example:"K-10042"`
	ParentID string            `json:"parentId" doc:"The parent context's id; required; must allow the type (tenants below root; accounts below root, a tenant or an account; customers below an account)." example:"0c4a8e62-7d15-4f3b-9e20-b6a1d3c5f789"`
	// Slug (tenants only): unique, [a-z0-9-], derived from the name when
	// empty, fixed afterwards; logins name the tenant by it ("slug/name").
	Slug string `json:"slug" doc:"Tenants only, optional: the short name users type in logins (\"slug/name\"); lowercase letters, digits and -, unique; derived from the name when empty; cannot change later." example:"muster"`
}

type contextPatch struct {
	Name     *string `json:"name" doc:"New display name; absent: unchanged." example:"Muster Logistics Schweiz AG"`
	Number   *string `json:"number" doc:"New number; \"\" clears it; absent: unchanged." example:"K-10043"`
	ParentID *string `json:"parentId" doc:"Move the context below this parent (the type must be allowed there); absent: unchanged." example:"0c4a8e62-7d15-4f3b-9e20-b6a1d3c5f789"`
	// Slug cannot change: given, it must equal the current one.
	Slug *string `json:"slug" doc:"Cannot change: if given, it must equal the current slug." example:"muster"`
}

func (a *API) searchContexts(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	f := model.ContextFilter{Page: p}
	if f.Query, err = query(r, "q"); err != nil {
		return err
	}
	t, err := query(r, "type")
	if err != nil {
		return err
	}
	if t != "" && !model.ContextType(t).Valid() {
		return model.Invalid("type", "must be one of root, tenant, account, customer")
	}
	f.Type = model.ContextType(t)
	if f.ParentID, err = query(r, "parentId"); err != nil {
		return err
	}
	if within, err := query(r, "within"); err != nil {
		return err
	} else if within != "" {
		f.Within = []string{within}
	}
	items, more, err := a.svc.SearchContexts(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, p, more))
	return nil
}

func (a *API) createContext(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	var in contextInput
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	c, err := a.svc.CreateContext(r.Context(), actor, model.Context{Type: in.Type, Name: in.Name, Number: in.Number, ParentID: in.ParentID, Slug: in.Slug})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/contexts/"+c.ID)
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (a *API) getContext(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	c, err := a.svc.GetContext(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) ancestors(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	cs, err := a.svc.Ancestors(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cs})
	return nil
}

func (a *API) updateContext(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in contextPatch
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	c, err := a.svc.UpdateContext(r.Context(), actor, id, func(c model.Context) (model.Context, error) {
		if in.Name != nil {
			c.Name = *in.Name
		}
		if in.Number != nil {
			c.Number = *in.Number
		}
		if in.ParentID != nil {
			c.ParentID = *in.ParentID
		}
		if in.Slug != nil {
			c.Slug = *in.Slug
		}
		return c, nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) deleteContext(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteContext(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type policyDoc struct {
	HasPolicy bool             `json:"hasPolicy" doc:"Whether the context has an access policy; false: values is empty." example:"true"`
	Values    []model.ACLValue `json:"values" doc:"The policy's ACL values; effective rights in this context are limited to what they grant (R-EFF-5)." example:"[{\"module\": \"portal\", \"acl\": \"Billing - Read\", \"value\": \"true\"}]"`
}

type policyInput struct {
	Values     []model.ACLValue `json:"values" doc:"The policy's ACL values; give these or templateId, not both." example:"[{\"module\": \"portal\", \"acl\": \"Billing - Read\", \"value\": \"true\"}]"`
	TemplateID string           `json:"templateId" doc:"An ACL template whose values are copied into the policy (later template changes do not follow); instead of values." example:"5e8d2c14-a9b7-4f60-8c3e-1d2f4a6b8c90"`
}

func (a *API) getPolicy(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	vals, has, err := a.svc.GetPolicy(r.Context(), actor, id)
	if err != nil {
		return err
	}
	if vals == nil {
		vals = []model.ACLValue{}
	}
	writeJSON(w, http.StatusOK, policyDoc{HasPolicy: has, Values: vals})
	return nil
}

func (a *API) setPolicy(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in policyInput
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	switch {
	case in.TemplateID != "" && in.Values != nil:
		return model.Invalid("templateId", "give values or a templateId, not both")
	case in.TemplateID != "":
		err = a.svc.ApplyTemplateToPolicy(r.Context(), actor, id, in.TemplateID)
	default:
		if in.Values == nil {
			in.Values = []model.ACLValue{}
		}
		err = a.svc.SetPolicy(r.Context(), actor, id, in.Values)
	}
	if err != nil {
		return err
	}
	return a.getPolicy(w, r, actor)
}

func (a *API) deletePolicy(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.SetPolicy(r.Context(), actor, id, nil); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
