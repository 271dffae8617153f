package adminapi_test

import (
	"context"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestDeletionWipesPersonalData (R-USR-1): deletion anonymizes every
// personal field — phone, avatar and language as well as names and email —
// in the API answer and in the store, and keeps the id for the audit log.
func TestDeletionWipesPersonalData(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			env := sesametest.New(t, backend)
			ad := env.Admin()
			acct := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": env.RootID})
			person := model.Person{FirstName: "Pia", LastName: "Privat", Email: "pia@example.com", Phone: "+4930123456",
				Language: "de", Avatar: "https://cdn.example.com/pia.png"}
			id := ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "pia", "domain": "ENTERPRISE", "contexts": []string{acct},
				"status": "active", "password": pw, "person": person})
			got, err := env.Store.GetUser(context.Background(), id)
			if err != nil || got.Person != person {
				t.Fatalf("stored before deletion: %+v %v", got.Person, err)
			}
			var u model.User
			ad.Must(200, "POST", "/api/v1/users/"+id+"/delete", nil).JSON(t, &u)
			if u.Person != (model.Person{}) || u.LoginName != "deleted-"+id || u.Status != model.StatusDeleted {
				t.Errorf("deleted user as answered: %+v", u)
			}
			got, err = env.Store.GetUser(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Person != (model.Person{}) || got.PasswordHash != "" || got.LoginName != "deleted-"+id {
				t.Errorf("deleted user as stored: %+v", got)
			}
		})
	}
}
