package pgtest

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMissingBinaries(t *testing.T) {
	saved := binGlob
	binGlob = "/nonexistent/*/bin"
	defer func() { binGlob = saved }()
	t.Setenv("PATH", "")
	_, err := startServer()
	if err == nil || !strings.Contains(err.Error(), "apt-get install postgresql") {
		t.Fatalf("startServer without binaries: %v, want an install hint", err)
	}
}

func TestWithDatabase(t *testing.T) {
	got, err := withDatabase("postgres://u:p@127.0.0.1:5432/postgres?sslmode=disable", "db1")
	if err != nil || got != "postgres://u:p@127.0.0.1:5432/db1?sslmode=disable" {
		t.Errorf("URL form: %q, %v", got, err)
	}
	got, err = withDatabase("host=/tmp port=5432 dbname=postgres", "db1")
	if err != nil || got != "host=/tmp port=5432 dbname=postgres dbname=db1" {
		t.Errorf("key=value form: %q, %v", got, err)
	}
}

// TestFreshDatabase: databases from FreshDatabase are separate and usable.
func TestFreshDatabase(t *testing.T) {
	dsn := Start(t)
	ctx := context.Background()
	a, b := FreshDatabase(t, dsn), FreshDatabase(t, dsn)
	if a == b {
		t.Fatalf("two fresh databases share a DSN: %s", a)
	}
	ca, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close(ctx)
	if _, err := ca.Exec(ctx, "CREATE TABLE only_in_a (x int)"); err != nil {
		t.Fatal(err)
	}
	cb, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close(ctx)
	var n int
	if err := cb.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("table of database a visible in b")
	}
	var fsync string
	if err := ca.QueryRow(ctx, "SHOW fsync").Scan(&fsync); err != nil {
		t.Fatal(err)
	}
	if fsync != "on" {
		t.Errorf("fsync = %s, want on", fsync)
	}
}
