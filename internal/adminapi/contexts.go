package adminapi

import (
	"net/http"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

type contextInput struct {
	Type     model.ContextType `json:"type"`
	Name     string            `json:"name"`
	Number   string            `json:"number"`
	ParentID string            `json:"parentId"`
	// Slug (tenants only): unique, [a-z0-9-], derived from the name when
	// empty, fixed afterwards; logins name the tenant by it ("slug/name").
	Slug string `json:"slug"`
}

type contextPatch struct {
	Name     *string `json:"name"`
	Number   *string `json:"number"`
	ParentID *string `json:"parentId"`
	// Slug cannot change: given, it must equal the current one.
	Slug *string `json:"slug"`
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
	HasPolicy bool             `json:"hasPolicy"`
	Values    []model.ACLValue `json:"values"`
}

type policyInput struct {
	Values     []model.ACLValue `json:"values"`
	TemplateID string           `json:"templateId"`
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
