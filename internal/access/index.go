package access

import "github.com/sesame-sso/sesame/internal/model"

// Index holds every group of an instance, grouped by context and
// pre-sorted, so the groups available in a context (its own plus the
// global ones) are ready without allocation.
type Index struct {
	available map[string][]model.Group
	global    []model.Group
}

// NewIndex builds the index; rootID is the root context (global groups).
func NewIndex(groups []model.Group, rootID string) *Index {
	byCtx := map[string][]model.Group{}
	var global []model.Group
	for _, g := range groups {
		if g.ContextID == rootID {
			global = append(global, g)
		} else {
			byCtx[g.ContextID] = append(byCtx[g.ContextID], g)
		}
	}
	SortGroups(global)
	ix := &Index{available: make(map[string][]model.Group, len(byCtx)), global: global}
	for c, gs := range byCtx {
		all := append(append(make([]model.Group, 0, len(gs)+len(global)), gs...), global...)
		SortGroups(all)
		ix.available[c] = all
	}
	return ix
}

// Available returns the groups available in contextID, sorted for
// evaluation. The slice is shared: do not modify it.
func (ix *Index) Available(contextID string) []model.Group {
	if gs, ok := ix.available[contextID]; ok {
		return gs
	}
	return ix.global
}
