package rights

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sesame-sso/sesame/internal/model"
)

// Which contexts a user may act in (R-SSO-5, R-PRT-1).

// actingContexts loads u's assigned contexts and returns them with the
// assigned accounts, whose customer contexts u may act for (R-PRT-1: a
// partner account acts on behalf of the customers below it).
func (d *Decider) actingContexts(ctx context.Context, u model.User) (assigned []model.Context, accounts []string, err error) {
	for _, id := range u.Contexts {
		c, err := d.store.GetContext(ctx, id)
		if errors.Is(err, model.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("user context %s: %w", id, err)
		}
		assigned = append(assigned, c)
		if c.Type == model.ContextAccount {
			accounts = append(accounts, c.ID)
		}
	}
	return assigned, accounts, nil
}

// CanActIn (was directory.SwitchContext) reports whether user u may act
// in contextID (R-SSO-5):
// u is active and either assigned to the context, or assigned to an
// account the context is a customer of (directly or through sub-accounts,
// R-PRT-1). Unknown contexts are simply not allowed. The OIDC provider
// calls it before issuing tokens for a context.
func (d *Decider) CanActIn(ctx context.Context, u model.User, contextID string) (bool, error) {
	if u.Status != model.StatusActive || !model.PlausibleID(contextID) {
		return false, nil
	}
	if slices.Contains(u.Contexts, contextID) {
		return true, nil
	}
	c, err := d.store.GetContext(ctx, contextID)
	if errors.Is(err, model.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("switch context: %w", err)
	}
	if c.Type != model.ContextCustomer {
		return false, nil
	}
	_, accounts, err := d.actingContexts(ctx, u)
	if err != nil {
		return false, err
	}
	for _, acc := range accounts {
		ok, err := d.store.IsDescendant(ctx, contextID, acc)
		if err != nil {
			return false, fmt.Errorf("switch context: %w", err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// ActingContexts (was directory.SwitchableContexts) lists the contexts u
// may act in (R-SSO-5, R-PRT-1):
// u's assigned contexts first, then the customer contexts below u's
// accounts, each part ordered by name; q matches name or number as a
// case-insensitive substring (R-CTX-1). It pages like the other lists.
func (d *Decider) ActingContexts(ctx context.Context, u model.User, q string, p model.Page) ([]model.Context, bool, error) {
	p = p.Normalize()
	if u.Status != model.StatusActive {
		return nil, false, nil
	}
	assigned, accounts, err := d.actingContexts(ctx, u)
	if err != nil {
		return nil, false, err
	}
	q = strings.ToLower(strings.TrimSpace(q))
	// Assigned customers below an assigned account come with the customer
	// part, so nothing is listed twice.
	var own []model.Context
	for _, c := range assigned {
		if c.Type == model.ContextCustomer {
			below := false
			for _, acc := range accounts {
				if below, err = d.store.IsDescendant(ctx, c.ID, acc); err != nil {
					return nil, false, fmt.Errorf("switchable contexts: %w", err)
				} else if below {
					break
				}
			}
			if below {
				continue
			}
		}
		if q == "" || strings.Contains(strings.ToLower(c.Name), q) || strings.Contains(strings.ToLower(c.Number), q) {
			own = append(own, c)
		}
	}
	slices.SortFunc(own, func(a, b model.Context) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	n := len(own)
	items := own[min(p.Offset, n):min(p.Offset+p.Limit, n)]
	if p.Offset+p.Limit < n {
		return items, true, nil
	}
	if len(accounts) == 0 {
		return items, false, nil
	}
	f := model.ContextFilter{Query: q, Type: model.ContextCustomer, Within: accounts,
		Page: model.Page{Offset: max(p.Offset-n, 0), Limit: p.Limit - len(items)}}
	if f.Page.Limit == 0 {
		// The page is full of assigned contexts: is there a customer after it?
		f.Page.Limit = 1
		cs, _, err := d.store.SearchContexts(ctx, f)
		if err != nil {
			return nil, false, fmt.Errorf("switchable contexts: %w", err)
		}
		return items, len(cs) > 0, nil
	}
	cs, more, err := d.store.SearchContexts(ctx, f)
	if err != nil {
		return nil, false, fmt.Errorf("switchable contexts: %w", err)
	}
	return append(slices.Clip(items), cs...), more, nil
}
