package sqlstore

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migrations are plain SQL files per dialect, named NNNN_description.sql,
// applied in version order inside one transaction that first takes a
// database-wide lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory
// transaction lock), so two processes starting at once apply each
// migration exactly once. schema_migrations records what was applied.

//go:embed migrations
var migrationFiles embed.FS

const sqlMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    BIGINT NOT NULL PRIMARY KEY,
	name       TEXT   NOT NULL,
	applied_ns BIGINT NOT NULL
)`

type migration struct {
	version int64
	name    string
	sql     string
}

func loadMigrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("sqlstore: migration %s: want NNNN_name.sql", name)
		}
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("sqlstore: migration %s: bad version", name)
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: migration %s: %w", name, err)
		}
		out = append(out, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("sqlstore: migrations %s and %s share a version", out[i-1].name, out[i].name)
		}
	}
	return out, nil
}

// pending returns the migrations not yet applied. A database that has a
// version this binary does not know was migrated by a newer release;
// running old code on it could corrupt it, so that is an error.
func pending(all []migration, applied map[int64]bool) ([]migration, error) {
	known := make(map[int64]bool, len(all))
	var out []migration
	for _, m := range all {
		known[m.version] = true
		if !applied[m.version] {
			out = append(out, m)
		}
	}
	for v := range applied {
		if !known[v] {
			return nil, fmt.Errorf("sqlstore: database has schema version %d, unknown to this binary (newer release?)", v)
		}
	}
	return out, nil
}
