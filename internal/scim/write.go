package scim

import (
	"net/http"
)

// The bodies of the writes every resource shares: POST and PUT carry a
// whole resource (RFC 7644 §3.3, §3.5.1), PATCH a PatchOp message
// (§3.5.2). Each yields the document the resource's update writes.

// readDoc reads and canonicalises a resource body.
func (h *Handler) readDoc(w http.ResponseWriter, r *http.Request, res *resource) (map[string]any, error) {
	var in map[string]any
	if err := h.readBody(w, r, &in); err != nil {
		return nil, err
	}
	return res.canon(in)
}

// replacement reads a PUT body: the new document, whatever the current
// one is. An id other than the resource's is refused (it is read-only).
func (h *Handler) replacement(w http.ResponseWriter, r *http.Request, res *resource) (func(map[string]any) (map[string]any, error), error) {
	doc, err := h.readDoc(w, r, res)
	if err != nil {
		return nil, err
	}
	if id, ok := doc["id"].(string); ok && id != r.PathValue("id") {
		return nil, badRequest(typeMutability, "id is read-only: it cannot change")
	}
	delete(doc, "id")
	return func(map[string]any) (map[string]any, error) { return doc, nil }, nil
}

// patching reads a PATCH body: the operations applied to the current
// document (without its read-only parts and drop), then canonicalised.
// Any failing operation fails the whole request: nothing is written.
func (h *Handler) patching(w http.ResponseWriter, r *http.Request, res *resource, drop ...string) (func(map[string]any) (map[string]any, error), error) {
	var req patchRequest
	if err := h.readBody(w, r, &req); err != nil {
		return nil, err
	}
	return func(cur map[string]any) (map[string]any, error) {
		for _, k := range append([]string{"id", "meta", "schemas"}, drop...) {
			delete(cur, k)
		}
		if err := res.applyPatch(cur, req); err != nil {
			return nil, err
		}
		return res.canon(cur)
	}, nil
}
