package pgtest

import (
	"database/sql"
	"testing"
)

func TestSchemasAreIsolated(t *testing.T) {
	a, b := DSN(t), DSN(t)
	if a == b {
		t.Fatal("two tests share a schema")
	}
	da, err := sql.Open("pgx", a)
	if err != nil {
		t.Fatal(err)
	}
	defer da.Close()
	db, _ := sql.Open("pgx", b)
	defer db.Close()
	if _, err := da.Exec(`CREATE TABLE only_in_a (x int)`); err != nil {
		t.Fatal(err)
	}
	if _, err := da.Exec(`INSERT INTO only_in_a VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`SELECT * FROM only_in_a`); err == nil {
		t.Fatal("a table of one schema is visible from another")
	}
}
