package sqlstore

import (
	"strconv"
	"strings"
)

// Dialect names accepted by Options.Dialect and returned by Store.Dialect.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// The repos write every statement once, in portable SQL with ? placeholders;
// the only per-dialect rewrite is the placeholder syntax. Everything else
// that differs (how a transaction starts, what an error means) lives in the
// backend (sqlite.go, postgres.go).

// indexHint marks, in portable text, the index a statement must use;
// dialectText makes it SQLite's INDEXED BY and drops it for PostgreSQL,
// whose planner has statistics.
func indexHint(index string) string {
	if index == "" || index == "PRIMARY KEY" {
		return ""
	}
	return " /*index:" + index + "*/"
}

// dialectText is q in dialect's form: placeholders, and index hints.
func dialectText(dialect, q string) string {
	for {
		i := strings.Index(q, " /*index:")
		if i < 0 {
			break
		}
		j := strings.Index(q[i:], "*/")
		name := q[i+len(" /*index:") : i+j]
		hint := ""
		if dialect == DialectSQLite {
			hint = " INDEXED BY " + name
		}
		q = q[:i] + hint + q[i+j+2:]
	}
	return rebind(dialect, q)
}

// rebind rewrites ? placeholders to $1, $2, ... for PostgreSQL. The SQL in
// this package never has a ? inside a string literal, so a plain scan is
// enough.
func rebind(dialect, q string) string {
	if dialect != DialectPostgres || strings.IndexByte(q, '?') < 0 {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// stmt is one statement in its dialect form. Both backends prepare it once
// per connection, keyed by this text (pgx by itself, SQLite in liteConn).
type stmt struct {
	text string
}

// buildStatements maps the portable text of every statement the package
// can issue (all variants of the dynamic ones included) to its dialect form.
// It is built once at Open and read-only afterwards.
func buildStatements(dialect string) map[string]*stmt {
	m := make(map[string]*stmt)
	add := func(q string) {
		if _, ok := m[q]; !ok {
			m[q] = &stmt{text: dialectText(dialect, q)}
		}
	}
	for _, q := range staticSQL {
		add(q)
	}
	for _, q := range recordVariants() {
		add(q)
	}
	for _, q := range eventVariants() {
		add(q)
	}
	for _, q := range foldSQL {
		add(q)
	}
	for _, q := range jobStatements(dialect) {
		add(q)
	}
	for _, size := range chunkSizes {
		add(insertEventsSQL(size))
		add(insertNoncesSQL(size))
		add(insertPostingsSQL(size))
		add(insertChangesSQL(dialect, size))
	}
	return m
}

// staticSQL lists the fixed statements of every repo.
var staticSQL = []string{
	sqlAccountInsert, sqlAccountGet, sqlAccountGetByEmail, sqlAccountUpdate,
	sqlAccountExists, sqlAccountList,
	sqlKeyInsert, sqlKeyGet, sqlKeyList, sqlKeyUpdate, sqlKeyDelete, sqlKeyCount,
	sqlRecordGet, sqlRecordInsert, sqlRecordUpdate, sqlRecordDelete,
	sqlNonceInsert, sqlNonceSweep, sqlEventsExpire, sqlKeyTouch,
	sqlCounterGet, sqlCounterBump, sqlLiteVersion, sqlLiteCounterFloor, sqlLiteChangeOne, sqlChangesSince, sqlChangesSweep,
	sqlRecordPurge, sqlKeyPurge,
}

// chunkSizes are the row counts of the multi-row INSERT statements. A batch
// of n rows is split into these sizes (binary decomposition), which bounds
// the number of distinct statements to prepare while keeping one statement
// per up-to-64 rows.
var chunkSizes = []int{64, 32, 16, 8, 4, 2, 1}

// chunks splits n rows into statement sizes from chunkSizes, largest first.
func chunks(n int) []int {
	var out []int
	for n > 0 {
		for _, c := range chunkSizes {
			if c <= n {
				out = append(out, c)
				n -= c
				break
			}
		}
	}
	return out
}

// valuesRows returns "(?,?,...),(...)" for rows rows of cols placeholders.
func valuesRows(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
}
