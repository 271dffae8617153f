package access

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sesame-sso/sesame/internal/model"
)

// Input is everything needed to evaluate user U's rights in context C.
type Input struct {
	User    model.User    // Kind matters: e1 applies to delegated users only
	Context model.Context // C
	// Catalog is the ACL catalog (all modules or the evaluated one). Index,
	// when set, is a prebuilt catalog and Catalog is ignored.
	Catalog []model.ACL
	Index   *Catalog
	// AvailableGroups are the groups defined in C plus the global groups.
	AvailableGroups []model.Group
	// MemberGroupIDs are the groups U is assigned to in C.
	MemberGroupIDs []string
	// Roles are the IdP role names given to U for C or globally.
	Roles     []string
	Policy    []model.ACLValue
	HasPolicy bool
}

// Steps of the evaluation.
const (
	StepE1     = "e1"
	StepE2     = "e2"
	StepPolicy = "policy"
)

// Step is one change to one right.
type Step struct {
	Step      string `json:"step" doc:"Which evaluation step made the change: e1 (groups of the context), e2 (global groups) or policy (the context's access policy) (R-EFF)." example:"e1"`
	GroupID   string `json:"groupId,omitempty" doc:"The group whose values applied; absent for the policy step." example:"2a6c9e14-3f8b-4d70-b5a1-7e9c0d2f4b68"`
	GroupName string `json:"groupName,omitempty" doc:"That group's name." example:"Billing clerks"`
	Module    string `json:"module" doc:"The right's module." example:"portal"`
	ACL       string `json:"acl" doc:"The right's ACL name." example:"Billing - Read"`
	Value     string `json:"value" doc:"The value after the step." example:"\"true\""`
	// Previous is the value overwritten ("" when the right was unassigned).
	Previous string `json:"previous,omitempty" doc:"The value overwritten; absent when the right was unassigned." example:"\"false\""`
	// Effect is "set", "overwrote", "filtered" or "narrowed" (a list
	// right cut down to its intersection with the policy's list).
	Effect string `json:"effect" doc:"set, overwrote, filtered (removed by the policy) or narrowed (a list cut down to what the policy allows)." example:"set"`
}

// Right is the effective value of one ACL.
type Right struct {
	Module   string        `json:"module" doc:"The right's module." example:"portal"`
	Category string        `json:"category" doc:"The ACL's category." example:"Billing"`
	Name     string        `json:"name" doc:"The ACL's name." example:"Billing - Read"`
	Type     model.ACLType `json:"type" doc:"boolean or text." example:"boolean"`
	// Value is "true"/"false" for booleans, the text or "" for text rights.
	Value    string `json:"value" doc:"The effective value: \"true\"/\"false\" for booleans, the text (or \"\") for text rights." example:"\"true\""`
	Assigned bool   `json:"assigned" doc:"Whether any group gave the right a value." example:"true"`
	// SetBy names the group that set the final value ("" if unassigned).
	SetBy string `json:"setBy,omitempty" doc:"Name of the group that set the final value; absent if unassigned." example:"Billing clerks"`
	// Steps that touched this right, in order.
	Steps []Step `json:"steps,omitempty" doc:"The steps that touched this right, in order." example:"[{\"step\": \"e1\", \"groupId\": \"2a6c9e14-3f8b-4d70-b5a1-7e9c0d2f4b68\", \"groupName\": \"Billing clerks\", \"module\": \"portal\", \"acl\": \"Billing - Read\", \"value\": \"true\", \"effect\": \"set\"}]"`
}

// Result is the effective rights of a user in a context.
type Result struct {
	UserID    string  `json:"userId" doc:"The user whose rights these are." example:"3b2f6a4e-1c9d-4e7b-8f10-2a5c7d9e0b14"`
	ContextID string  `json:"contextId" doc:"The context they were evaluated in." example:"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31"`
	Module    string  `json:"module,omitempty" doc:"The module asked for; absent: all modules." example:"portal"`
	Rights    []Right `json:"rights" doc:"Every right of the catalog (user preferences left out) with its effective value." example:"[{\"module\": \"portal\", \"category\": \"Billing\", \"name\": \"Billing - Read\", \"type\": \"boolean\", \"value\": \"true\", \"assigned\": true, \"setBy\": \"Billing clerks\"}]"`
	Trace     []Step  `json:"trace" doc:"All steps of the evaluation, in order." example:"[{\"step\": \"e1\", \"groupId\": \"2a6c9e14-3f8b-4d70-b5a1-7e9c0d2f4b68\", \"groupName\": \"Billing clerks\", \"module\": \"portal\", \"acl\": \"Billing - Read\", \"value\": \"true\", \"effect\": \"set\"}]"`
}

// Catalog is an ACL catalog indexed for evaluation: user preferences removed
// (R-ACL-2), ordered by module, category, name.
type Catalog struct {
	acls   []model.ACL
	idx    map[model.ACLRef]int
	ranges map[string][2]int
}

// NewCatalog indexes acls.
func NewCatalog(acls []model.ACL) *Catalog {
	c := &Catalog{idx: make(map[model.ACLRef]int, len(acls)), ranges: map[string][2]int{}}
	for _, a := range acls {
		if !a.IsPreference() {
			c.acls = append(c.acls, a)
		}
	}
	slices.SortFunc(c.acls, func(a, b model.ACL) int {
		return cmp.Or(cmp.Compare(a.Module, b.Module), cmp.Compare(a.Category, b.Category), cmp.Compare(a.Name, b.Name))
	})
	for i, a := range c.acls {
		c.idx[a.Ref()] = i
		r, ok := c.ranges[a.Module]
		if !ok {
			r = [2]int{i, i}
		}
		r[1] = i + 1
		c.ranges[a.Module] = r
	}
	return c
}

// groupLess is the evaluation order (R-EFF-2): group name case-insensitive,
// then byte order.
func groupCmp(a, b model.Group) int {
	return cmp.Or(compareFold(a.Name, b.Name), cmp.Compare(a.Name, b.Name))
}

// compareFold compares lower-cased strings without allocating.
func compareFold(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if c := cmp.Compare(unicode.ToLower(ra), unicode.ToLower(rb)); c != 0 {
			return c
		}
		a, b = a[na:], b[nb:]
	}
	return cmp.Compare(len(a), len(b))
}

// SortGroups orders groups for evaluation, in place.
func SortGroups(gs []model.Group) { slices.SortStableFunc(gs, groupCmp) }

type evaluation struct {
	cat      *Catalog
	lo, hi   int
	value    []string
	assigned []bool
	setBy    []string
	trace    []Step
	traceIdx []int // catalog index of each trace step
}

func (e *evaluation) apply(step string, g model.Group) {
	for _, v := range g.Values {
		i, ok := e.cat.idx[v.Ref()]
		if !ok || i < e.lo || i >= e.hi {
			continue // unknown ACL, a preference, or another module
		}
		if e.cat.acls[i].Type == model.ACLBoolean && v.Value != "true" && v.Value != "false" {
			continue
		}
		s := Step{Step: step, GroupID: g.ID, GroupName: g.Name, Module: v.Module, ACL: v.Name, Value: v.Value, Effect: "set"}
		if e.assigned[i] {
			s.Previous, s.Effect = e.value[i], "overwrote"
		}
		e.value[i], e.assigned[i], e.setBy[i] = v.Value, true, g.Name
		e.trace = append(e.trace, s)
		e.traceIdx = append(e.traceIdx, i)
	}
}

// Evaluate computes the effective rights for module ("" = every module).
func Evaluate(in Input, module string) Result {
	cat := in.Index
	if cat == nil {
		cat = NewCatalog(in.Catalog)
	}
	lo, hi := 0, len(cat.acls)
	if module != "" {
		r, ok := cat.ranges[module]
		if !ok {
			lo, hi = 0, 0
		} else {
			lo, hi = r[0], r[1]
		}
	}
	n := hi - lo
	e := &evaluation{cat: cat, lo: lo, hi: hi}
	// One allocation per slice, indexed by catalog position minus lo.
	e.value = make([]string, len(cat.acls))
	e.assigned = make([]bool, len(cat.acls))
	e.setBy = make([]string, len(cat.acls))

	groups := in.AvailableGroups
	if !slices.IsSortedFunc(groups, groupCmp) {
		groups = slices.Clone(groups)
		SortGroups(groups)
	}
	// e1 (R-EFF-1): delegated users only; role name match, no membership needed.
	if in.User.Kind == model.KindDelegated && len(in.Roles) > 0 {
		for _, g := range groups {
			if carriesRole(g.RoleNames, in.Roles) {
				e.apply(StepE1, g)
			}
		}
	}
	// e2 (R-EFF-2): member groups, overwriting e1.
	if len(in.MemberGroupIDs) > 0 {
		for _, g := range groups {
			if slices.Contains(in.MemberGroupIDs, g.ID) {
				e.apply(StepE2, g)
			}
		}
	}
	// Policy filter (R-EFF-5).
	if in.HasPolicy {
		pol := make(map[model.ACLRef]string, len(in.Policy))
		for _, v := range in.Policy {
			pol[v.Ref()] = v.Value
		}
		for i := lo; i < hi; i++ {
			if !e.assigned[i] {
				continue
			}
			a := cat.acls[i]
			pv, has := pol[a.Ref()]
			keep := false
			if a.Type == model.ACLBoolean {
				keep = e.value[i] == "false" || pv == "true"
			} else {
				keep = has && pv != ""
			}
			if keep && IsListRight(a) {
				// A list is narrowed to what the policy allows, not let
				// through (R-EFF-5): the intersection of both lists.
				narrowed, changed, ok := narrowList(e.value[i], pv)
				if ok && !changed {
					continue
				}
				if ok {
					e.trace = append(e.trace, Step{Step: StepPolicy, Module: a.Module, ACL: a.Name, Value: narrowed,
						Previous: e.value[i], Effect: "narrowed"})
					e.traceIdx = append(e.traceIdx, i)
					e.value[i] = narrowed
					continue
				}
				keep = false // nothing left, or a list that does not parse: fail closed
			}
			if keep {
				continue
			}
			s := Step{Step: StepPolicy, Module: a.Module, ACL: a.Name, Previous: e.value[i], Effect: "filtered"}
			if a.Type == model.ACLBoolean {
				s.Value = "false"
				e.value[i] = "false"
			} else {
				e.assigned[i], e.value[i] = false, ""
			}
			e.setBy[i] = ""
			e.trace = append(e.trace, s)
			e.traceIdx = append(e.traceIdx, i)
		}
	}
	res := Result{UserID: in.User.ID, ContextID: in.Context.ID, Module: module, Rights: make([]Right, n), Trace: e.trace}
	if res.Trace == nil {
		res.Trace = []Step{}
	}
	for i := lo; i < hi; i++ {
		a := cat.acls[i]
		r := Right{Module: a.Module, Category: a.Category, Name: a.Name, Type: a.Type, Value: e.value[i], Assigned: e.assigned[i], SetBy: e.setBy[i]}
		if a.Type == model.ACLBoolean && !r.Assigned {
			r.Value = "false" // R-EFF-4: unassigned is false
		}
		res.Rights[i-lo] = r
	}
	// Attach each right's steps: sub-slices of one backing array, bucketed
	// by catalog index (a counting sort keeps the trace order per right).
	if len(e.trace) > 0 {
		count := make([]int, n+1)
		for _, i := range e.traceIdx {
			count[i-lo+1]++
		}
		for k := 1; k <= n; k++ {
			count[k] += count[k-1]
		}
		steps := make([]Step, len(e.trace))
		next := slices.Clone(count[:n])
		for t, i := range e.traceIdx {
			steps[next[i-lo]] = e.trace[t]
			next[i-lo]++
		}
		for k := 0; k < n; k++ {
			if count[k+1] > count[k] {
				res.Rights[k].Steps = steps[count[k]:count[k+1]:count[k+1]]
			}
		}
	}
	return res
}

// narrowList intersects a list right's value with the policy's (R-EFF-5).
// ok is false when nothing is left or either list is invalid; changed is
// false when the policy already covers the whole value.
func narrowList(value, policy string) (narrowed string, changed, ok bool) {
	ps, err := IntersectCIDRLists(value, policy)
	if err != nil || len(ps) == 0 {
		return "", false, false
	}
	gs, _ := ParseCIDRList(value) // parsed above without error
	pol, _ := ParseCIDRList(policy)
	if CoveredBy(gs, pol) {
		return value, false, true
	}
	return FormatCIDRList(ps), true, true
}

func carriesRole(groupRoles, userRoles []string) bool {
	for _, gr := range groupRoles {
		for _, ur := range userRoles {
			if strings.EqualFold(gr, ur) {
				return true
			}
		}
	}
	return false
}

// Bool reports whether a boolean right is true.
func (r Result) Bool(module, name string) bool {
	for _, x := range r.Rights {
		if x.Name == name && x.Module == module {
			return x.Type == model.ACLBoolean && x.Value == "true"
		}
	}
	return false
}

// Text returns a text right's value and whether it is assigned.
func (r Result) Text(module, name string) (string, bool) {
	for _, x := range r.Rights {
		if x.Name == name && x.Module == module {
			return x.Value, x.Type == model.ACLText && x.Assigned
		}
	}
	return "", false
}

// Map returns "module/name" → bool for booleans and → string for assigned
// text rights, the compact form tokens and userinfo carry.
func (r Result) Map() map[string]any {
	m := make(map[string]any, len(r.Rights))
	for _, x := range r.Rights {
		key := x.Module + "/" + x.Name
		if x.Type == model.ACLBoolean {
			m[key] = x.Value == "true"
		} else if x.Assigned {
			m[key] = x.Value
		}
	}
	return m
}
