// Package access computes effective rights (SPEC.md §2, R-EFF-1..6): what a
// user may do in one context, for one module, with the trace of the steps
// that produced every value. It is a pure computation over data the caller
// loads (see directory/rights.go), so it is table-tested and benchmarked
// without a database.
//
// It also holds the module entry rules (R-MOD-1..3, module.go) and the API
// IP allow-list check (R-ACL-3, ipallow.go).
package access
