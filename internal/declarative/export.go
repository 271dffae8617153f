package declarative

import (
	"context"
	"sort"

	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// Export writes the store's data as a Document that Apply accepts: contexts
// by id (so a promotion keeps ids), parents before children. It includes
// password hashes (argon2id) and client secret hashes (SHA-256), never plain
// passwords or secrets: treat the file as sensitive. Clients keep their ids
// (their OAuth client_id); connections keep their ids and carry no client
// secret (clientSecretEnv names where apply finds it). Deleted users and
// the shipped catalog are left out.
func Export(ctx context.Context, svc *directory.Service) (Document, error) {
	st := svc.Reader()
	var d Document
	var err error
	if d.Domains, err = st.ListDomains(ctx); err != nil {
		return d, err
	}
	if err := exportModules(ctx, svc, &d); err != nil {
		return d, err
	}
	root, err := st.RootContext(ctx)
	if err != nil {
		return d, err
	}
	var all []model.Context
	for off := 0; ; off += 500 {
		cs, more, err := st.SearchContexts(ctx, model.ContextFilter{Page: model.Page{Offset: off, Limit: 500}})
		if err != nil {
			return d, err
		}
		all = append(all, cs...)
		if !more {
			break
		}
	}
	depth := map[string]int{root.ID: 0}
	byID := map[string]model.Context{}
	for _, c := range all {
		byID[c.ID] = c
	}
	var depthOf func(id string) int
	depthOf = func(id string) int {
		if v, ok := depth[id]; ok {
			return v
		}
		v := depthOf(byID[id].ParentID) + 1
		depth[id] = v
		return v
	}
	sort.SliceStable(all, func(i, j int) bool { return depthOf(all[i].ID) < depthOf(all[j].ID) })
	ref := func(id string) string {
		if id == root.ID {
			return "root"
		}
		return id
	}
	ids := []string{root.ID}
	for _, c := range all {
		if c.ID == root.ID {
			continue
		}
		ids = append(ids, c.ID)
		d.Contexts = append(d.Contexts, Context{Ref: c.ID, ID: c.ID, Type: c.Type, Name: c.Name, Number: c.Number, Slug: c.Slug, Parent: ref(c.ParentID)})
		if vals, has, err := st.GetPolicy(ctx, c.ID); err != nil {
			return d, err
		} else if has {
			d.Policies = append(d.Policies, Policy{Context: c.ID, Values: fromValues(vals)})
		}
	}
	ts, err := st.ListTemplates(ctx)
	if err != nil {
		return d, err
	}
	for _, t := range ts {
		d.Templates = append(d.Templates, Template{Name: t.Name, Description: t.Description, ContextTypes: t.ContextTypes, Values: fromValues(t.Values)})
	}
	gs, err := st.ListGroups(ctx, ids)
	if err != nil {
		return d, err
	}
	groupByID := map[string]model.Group{}
	for _, g := range gs {
		groupByID[g.ID] = g
		d.Groups = append(d.Groups, Group{Context: ref(g.ContextID), Name: g.Name, Description: g.Description, RoleNames: g.RoleNames, Values: fromValues(g.Values)})
	}
	for off := 0; ; off += 500 {
		us, more, err := st.ListUsers(ctx, model.UserFilter{Page: model.Page{Offset: off, Limit: 500}})
		if err != nil {
			return d, err
		}
		for _, u := range us {
			if u.Status == model.StatusDeleted {
				continue
			}
			eu := User{Login: u.LoginName, Domain: u.Domain, Kind: u.Kind, Status: u.Status, Person: u.Person,
				TwoFactor: u.TwoFactor, PasswordHash: u.PasswordHash}
			for _, c := range u.Contexts {
				eu.Contexts = append(eu.Contexts, ref(c))
			}
			ms, err := st.UserMemberships(ctx, u.ID)
			if err != nil {
				return d, err
			}
			for _, m := range ms {
				g := groupByID[m.GroupID]
				em := Membership{Group: g.Name, Context: ref(m.ContextID)}
				if g.ContextID != m.ContextID {
					em.GroupContext = ref(g.ContextID)
				}
				eu.Groups = append(eu.Groups, em)
			}
			roles, err := st.UserRoles(ctx, u.ID)
			if err != nil {
				return d, err
			}
			for _, r := range roles {
				eu.Roles = append(eu.Roles, Role{Context: ref(r.ContextID), Role: r.Role})
				if r.ContextID == "" {
					eu.Roles[len(eu.Roles)-1].Context = ""
				}
			}
			d.Users = append(d.Users, eu)
		}
		if !more {
			break
		}
	}
	if err := exportClients(ctx, svc, &d); err != nil {
		return d, err
	}
	if err := exportConnections(ctx, svc, &d, ref); err != nil {
		return d, err
	}
	if err := exportSCIMCredentials(ctx, svc, &d, ref); err != nil {
		return d, err
	}
	return d, nil
}

// exportModules writes modules and ACLs that are not in the shipped catalog.
func exportModules(ctx context.Context, svc *directory.Service, d *Document) error {
	cat, err := catalog.Default()
	if err != nil {
		return err
	}
	shipped := map[model.ACLRef]bool{}
	for _, a := range cat.ACLs {
		shipped[a.Ref()] = true
	}
	mods, err := svc.Reader().ListModules(ctx)
	if err != nil {
		return err
	}
	for _, m := range mods {
		acls, err := svc.Reader().ListACLs(ctx, m.Name)
		if err != nil {
			return err
		}
		em := Module{Name: m.Name, Description: m.Description}
		for _, a := range acls {
			if !shipped[a.Ref()] {
				em.ACLs = append(em.ACLs, ACL{Category: a.Category, Name: a.Name, Type: a.Type, Description: a.Description})
			}
		}
		if len(em.ACLs) > 0 {
			d.Modules = append(d.Modules, em)
		}
	}
	return nil
}
