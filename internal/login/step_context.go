package login

import (
	"context"
	"net/http"
	"slices"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/web"
)

// StepContext asks which context to act in (R-SSO-5) when the user is
// assigned to several and the app named none.
const StepContext StepID = "context"

// maxContextChoices bounds the page; a user assigned to more contexts
// gets the first ones (root first, then by name) and switches later.
const maxContextChoices = 50

// ContextStep is the context choice.
type ContextStep struct {
	Svc   *directory.Service
	Pages *web.Pages
}

// ID implements Step.
func (c *ContextStep) ID() StepID { return StepContext }

// Due implements Step.
func (c *ContextStep) Due(_ context.Context, a *Attempt) (bool, error) {
	f := a.Flow
	return f.UserID != "" && f.ContextID == "" && f.WantContext == "" && !f.Passed(StepContext) && len(a.User.Contexts) > 1, nil
}

// ContextChoice is one context on the page.
type ContextChoice struct {
	ID, Name, Type string
	Checked        bool
}

type contextPage struct {
	Form
	Choices []ContextChoice
	Error   i18n.Msg
}

// choices lists the user's assigned contexts, the default first.
func (c *ContextStep) choices(ctx context.Context, a *Attempt) ([]ContextChoice, error) {
	def := c.Svc.Rights().DefaultContext(ctx, a.User, "")
	var out []ContextChoice
	for _, id := range a.User.Contexts {
		if len(out) == maxContextChoices {
			break
		}
		cx, err := c.Svc.Reader().GetContext(ctx, id)
		if model.ErrorCode(err) == model.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ContextChoice{ID: cx.ID, Name: cx.Name, Type: string(cx.Type), Checked: cx.ID == def})
	}
	slices.SortStableFunc(out, func(x, y ContextChoice) int {
		if x.Checked != y.Checked {
			if x.Checked {
				return -1
			}
			return 1
		}
		return 0
	})
	return out, nil
}

// Show implements Step.
func (c *ContextStep) Show(w http.ResponseWriter, r *http.Request, a *Attempt) error {
	ch, err := c.choices(r.Context(), a)
	if err != nil {
		return err
	}
	c.Pages.Render(w, r, a.StatusOr(http.StatusOK), "context", contextPage{Form: a.Form(), Choices: ch, Error: a.Problem})
	return nil
}

// Submit implements Step: the chosen context must be one the user may
// act in (a posted id is never trusted).
func (c *ContextStep) Submit(_ http.ResponseWriter, r *http.Request, a *Attempt) (Outcome, error) {
	id := r.PostForm.Get("context")
	if id == "" || len(id) > 100 {
		a.Fail(http.StatusBadRequest, i18n.M("context.error.missing"))
		return Retry, nil
	}
	ok, err := c.Svc.Rights().CanActIn(r.Context(), a.User, id)
	if err != nil {
		return Retry, err
	}
	if !ok {
		a.Fail(http.StatusForbidden, i18n.M("context.error.not_allowed"))
		return Retry, nil
	}
	a.Flow.ContextID = id
	a.Flow.Pass(StepContext)
	return Passed, nil
}
