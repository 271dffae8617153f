package adminapi

import (
	"net/http"
	"time"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

func (a *API) listAudit(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	f := model.AuditFilter{Page: p}
	for name, dst := range map[string]*string{"actorId": &f.ActorID, "targetId": &f.TargetID, "action": &f.Action} {
		if *dst, err = query(r, name); err != nil {
			return err
		}
	}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := r.URL.Query().Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return model.Invalid(name, "must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z")
			}
			*dst = t
		}
	}
	items, more, err := a.svc.ListAudit(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, p, more))
	return nil
}
