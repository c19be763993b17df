package sqlstore

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/canopy-iam/canopy/internal/store"
)

// Jobs (see store/jobs.go and migrations/*/0003_jobs.sql). Enqueue runs in
// the caller's Write; the runner's calls each run in a short transaction of
// their own, outside the Write lock and without a change record (nothing
// caches jobs), like AppendEvents.
//
// A claim is one UPDATE ... RETURNING that picks the due rows and leases
// them. On PostgreSQL the pick is SELECT ... FOR UPDATE SKIP LOCKED at READ
// COMMITTED: rows another claimer has locked are skipped, and a row another
// claimer leased and committed meanwhile is re-checked against its new
// version and dropped, so two claimers never both get it. On SQLite the
// claim holds the single write lock.
//
// Every call that needs a lease matches (id, owner) and lease_ns > now in
// its WHERE clause, so an owner whose lease ran out changes nothing, even
// if no one has claimed the job since.

const (
	jobCols = `id, kind, key, payload, state, run_at_ns, attempts, last_error, owner, lease_ns, created_ns, updated_ns`

	sqlJobInsert = `INSERT INTO jobs (` + jobCols + `) VALUES (?, ?, ?, ?, 'ready', ?, 0, '', '', 0, ?, ?) ON CONFLICT DO NOTHING`
	sqlJobGet    = `SELECT ` + jobCols + ` FROM jobs WHERE id = ?`
	sqlJobList   = `SELECT ` + jobCols + ` FROM jobs WHERE kind = ? AND id > ? ORDER BY id LIMIT ?`

	// leaseHeld is the condition of every call made under a lease; its
	// arguments are id, owner, now.
	leaseHeld = ` WHERE id = ? AND owner = ? AND lease_ns > ? AND state = 'ready'`

	sqlJobExtend   = `UPDATE jobs SET lease_ns = ?, updated_ns = ?` + leaseHeld
	sqlJobComplete = `DELETE FROM jobs` + leaseHeld
	sqlJobRetry    = `UPDATE jobs SET run_at_ns = ?, last_error = ?, owner = '', lease_ns = 0, updated_ns = ?` + leaseHeld
	sqlJobFail     = `UPDATE jobs SET state = 'failed', last_error = ?, owner = '', lease_ns = 0, updated_ns = ?` + leaseHeld
	// A released job keeps its RunAt, which was due when it was claimed.
	sqlJobRelease = `UPDATE jobs SET owner = '', lease_ns = 0, attempts = attempts - 1, updated_ns = ?` + leaseHeld
	sqlJobPurge   = `DELETE FROM jobs WHERE state = 'failed' AND updated_ns < ?`

	// The claims differ by dialect; both take the due jobs in (run_at, id)
	// order. SQLite gets the kinds as a JSON array; +kind keeps it from
	// preferring jobs_kind over the due order of jobs_due.
	sqlJobClaimSQLite = `UPDATE jobs SET owner = ?, lease_ns = ?, attempts = attempts + 1, updated_ns = ?
		WHERE id IN (SELECT id FROM jobs WHERE state = 'ready' AND run_at_ns <= ? AND lease_ns <= ?
			AND +kind IN (SELECT value FROM json_each(?)) ORDER BY run_at_ns, id LIMIT ?)
		RETURNING ` + jobCols
	sqlJobClaimPostgres = `WITH due AS (SELECT id FROM jobs WHERE state = 'ready' AND run_at_ns <= ? AND lease_ns <= ?
			AND kind = ANY(?) ORDER BY run_at_ns, id LIMIT ? FOR UPDATE SKIP LOCKED)
		UPDATE jobs SET owner = ?, lease_ns = ?, attempts = jobs.attempts + 1, updated_ns = ?
		FROM due WHERE jobs.id = due.id
		RETURNING jobs.id, jobs.kind, jobs.key, jobs.payload, jobs.state, jobs.run_at_ns, jobs.attempts,
			jobs.last_error, jobs.owner, jobs.lease_ns, jobs.created_ns, jobs.updated_ns`
)

// jobStatements lists the job statements of a dialect for buildStatements.
func jobStatements(dialect string) []string {
	claim := sqlJobClaimSQLite
	if dialect == DialectPostgres {
		claim = sqlJobClaimPostgres
	}
	return []string{sqlJobInsert, sqlJobGet, sqlJobList, sqlJobExtend, sqlJobComplete, sqlJobRetry,
		sqlJobFail, sqlJobRelease, sqlJobPurge, claim}
}

var _ store.JobStore = (*Store)(nil)

// jobSignal is the channel JobsEnqueued returns, made on first use.
type jobSignal struct {
	once sync.Once
	ch   chan struct{}
}

func (w *jobSignal) c() chan struct{} {
	w.once.Do(func() { w.ch = make(chan struct{}, 1) })
	return w.ch
}

// notify never blocks: one pending signal is enough to wake a runner.
func (w *jobSignal) notify() {
	select {
	case w.c() <- struct{}{}:
	default:
	}
}

// JobsEnqueued implements store.JobStore.
func (s *Store) JobsEnqueued() <-chan struct{} { return s.jobWake.c() }

type jobRepo struct{ t *tx }

func (t *tx) Jobs() store.JobRepo { return jobRepo{t} }

func scanJob(r rowsIter, j *store.Job) error {
	var runAt, attempts, lease, created, updated int64
	if err := r.Scan(&j.ID, &j.Kind, &j.Key, &j.Payload, &j.State, &runAt, &attempts, &j.LastError,
		&j.Owner, &lease, &created, &updated); err != nil {
		return err
	}
	j.RunAt, j.Lease = fromNanos(runAt), fromNanos(lease)
	j.Created, j.Updated = fromNanos(created), fromNanos(updated)
	j.Attempts = int(attempts)
	return nil
}

// newJobID returns a unique id that sorts by creation time: 16 hex digits
// of the clock's nanoseconds, then 16 random ones.
func newJobID(at time.Time) string {
	var b [8]byte
	rand.Read(b[:])
	return fmt.Sprintf("%016x%016x", uint64(at.UnixNano()), binary.BigEndian.Uint64(b[:]))
}

// jobInsertArgs validates j and returns the arguments of sqlJobInsert,
// assigning an id when j has none.
func jobInsertArgs(j store.Job, at time.Time) ([]any, error) {
	if j.ID == "" {
		j.ID = newJobID(at)
	}
	if j.Kind == "" {
		return nil, errors.New("sqlstore: job kind is empty")
	}
	if err := checkText("job id", j.ID, "job kind", j.Kind, "job key", j.Key); err != nil {
		return nil, err
	}
	runAt, err := toNanos("job run at", j.RunAt)
	if err != nil {
		return nil, err
	}
	atNs, err := toNanos("job created", at)
	if err != nil {
		return nil, err
	}
	return []any{j.ID, j.Kind, j.Key, blob(j.Payload), runAt, atNs, atNs}, nil
}

// Enqueue implements store.JobRepo.
func (r jobRepo) Enqueue(j store.Job) (bool, error) {
	if err := r.t.writable(); err != nil {
		return false, err
	}
	args, err := jobInsertArgs(j, r.t.s.clock())
	if err != nil {
		return false, err
	}
	n, err := r.t.exec(sqlJobInsert, args...)
	if err != nil {
		return false, err
	}
	if n == 1 {
		r.t.enqueued = true
	}
	return n == 1, nil
}

// Get implements store.JobRepo.
func (r jobRepo) Get(id string) (store.Job, error) {
	var j store.Job
	if !textOK(id) {
		return j, fmt.Errorf("%w: job %s", store.ErrNotFound, id)
	}
	rows, err := r.t.query(sqlJobGet, id)
	if err != nil {
		return j, err
	}
	err = r.t.scanOne(rows, func(rows rowsIter) error { return scanJob(rows, &j) })
	if errors.Is(err, store.ErrNotFound) {
		return j, fmt.Errorf("%w: job %s", store.ErrNotFound, id)
	}
	return j, err
}

// List implements store.JobRepo.
func (r jobRepo) List(q store.JobQuery) ([]store.Job, error) {
	if !textOK(q.Kind) || !textOK(q.After) {
		return nil, nil
	}
	var out []store.Job
	err := r.t.queryAll(sqlJobList, []any{q.Kind, q.After, sqlLimit(q.Limit)}, func(rows rowsIter) error {
		var j store.Job
		if err := scanJob(rows, &j); err != nil {
			return err
		}
		out = append(out, j)
		return nil
	})
	return out, err
}

// ClaimJobs implements store.JobStore.
func (s *Store) ClaimJobs(ctx context.Context, c store.JobClaim) ([]store.Job, error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	if c.Owner == "" || c.Limit <= 0 || c.Lease <= 0 {
		return nil, errors.New("sqlstore: a claim needs an owner, a positive limit and a positive lease")
	}
	if len(c.Kinds) == 0 {
		return nil, nil
	}
	if err := checkText("job owner", c.Owner); err != nil {
		return nil, err
	}
	for _, k := range c.Kinds {
		if err := checkText("job kind", k); err != nil {
			return nil, err
		}
	}
	nowNs, err := toNanos("now", c.Now)
	if err != nil {
		return nil, err
	}
	leaseNs, err := toNanos("lease", c.Now.Add(c.Lease))
	if err != nil {
		return nil, err
	}
	var (
		q    string
		args []any
	)
	if s.dialect == DialectPostgres {
		q, args = sqlJobClaimPostgres, []any{nowNs, nowNs, c.Kinds, int64(c.Limit), c.Owner, leaseNs, nowNs}
	} else {
		kinds, err := json.Marshal(c.Kinds)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: %w", err)
		}
		q, args = sqlJobClaimSQLite, []any{c.Owner, leaseNs, nowNs, nowNs, nowNs, string(kinds), int64(c.Limit)}
	}
	var out []store.Job
	collect := func(rows rowsIter) error {
		for rows.Next() {
			var j store.Job
			if err := scanJob(rows, &j); err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	}
	item := []batchItem{{st: s.stmt(q), args: args, rows: collect}}
	err = s.withRetry(ctx, func() error {
		out = out[:0]
		return s.be.run(ctx, txAppend, func(ex executor) error { return ex.commit(ctx, item) })
	})
	if err != nil {
		return nil, err
	}
	// RETURNING follows no ORDER BY.
	slices.SortFunc(out, func(a, b store.Job) int {
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// ExtendJob implements store.JobStore.
func (s *Store) ExtendJob(ctx context.Context, id, owner string, now, until time.Time) error {
	untilNs, err := toNanos("lease", until)
	if err != nil {
		return err
	}
	nowNs, err := toNanos("now", now)
	if err != nil {
		return err
	}
	return s.underLease(ctx, id, owner, now, sqlJobExtend, []any{untilNs, nowNs}, nil)
}

// CompleteJob implements store.JobStore.
func (s *Store) CompleteJob(ctx context.Context, id, owner string, now time.Time, next ...store.Job) error {
	return s.underLease(ctx, id, owner, now, sqlJobComplete, nil, next)
}

// RetryJob implements store.JobStore.
func (s *Store) RetryJob(ctx context.Context, id, owner string, now time.Time, errMsg string, runAt time.Time) error {
	runNs, err := toNanos("job run at", runAt)
	if err != nil {
		return err
	}
	nowNs, err := toNanos("now", now)
	if err != nil {
		return err
	}
	return s.underLease(ctx, id, owner, now, sqlJobRetry, []any{runNs, storableText(errMsg), nowNs}, nil)
}

// FailJob implements store.JobStore.
func (s *Store) FailJob(ctx context.Context, id, owner string, now time.Time, errMsg string, next ...store.Job) error {
	nowNs, err := toNanos("now", now)
	if err != nil {
		return err
	}
	return s.underLease(ctx, id, owner, now, sqlJobFail, []any{storableText(errMsg), nowNs}, next)
}

// ReleaseJob implements store.JobStore.
func (s *Store) ReleaseJob(ctx context.Context, id, owner string, now time.Time) error {
	nowNs, err := toNanos("now", now)
	if err != nil {
		return err
	}
	return s.underLease(ctx, id, owner, now, sqlJobRelease, []any{nowNs}, nil)
}

// underLease runs q (set arguments, then id, owner, now) in one short
// transaction, with inserts of next after it; no row matched (the lease is
// not held) is store.ErrLeaseLost and changes nothing.
func (s *Store) underLease(ctx context.Context, id, owner string, now time.Time, q string, set []any, next []store.Job) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	lost := fmt.Errorf("%w: job %s, owner %s", store.ErrLeaseLost, id, owner)
	if owner == "" || !textOK(id) || !textOK(owner) {
		return lost
	}
	nowNs, err := toNanos("now", now)
	if err != nil {
		return err
	}
	args := append(set[:len(set):len(set)], id, owner, nowNs)
	items := make([]batchItem, 0, len(next))
	due := false
	for _, j := range next {
		ins, err := jobInsertArgs(j, now)
		if err != nil {
			return err
		}
		items = append(items, batchItem{st: s.stmt(sqlJobInsert), args: ins})
		due = due || !j.RunAt.After(now)
	}
	err = s.withRetry(ctx, func() error {
		return s.be.run(ctx, txAppend, func(ex executor) error {
			n, err := ex.exec(ctx, s.stmt(q), args)
			if err != nil {
				return err
			}
			if n == 0 {
				return lost
			}
			return ex.commit(ctx, items)
		})
	})
	if err == nil && due {
		s.jobWake.notify()
	}
	return err
}

// PurgeJobs implements store.JobStore.
func (s *Store) PurgeJobs(ctx context.Context, before time.Time) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	ns, err := toNanos("before", before)
	if err != nil {
		return err
	}
	item := []batchItem{{st: s.stmt(sqlJobPurge), args: []any{ns}}}
	return s.withRetry(ctx, func() error {
		return s.be.run(ctx, txAppend, func(ex executor) error { return ex.commit(ctx, item) })
	})
}

// storableText makes an error message storable as text (valid UTF-8, no
// NUL bytes) and bounds its length: it is kept for an operator to read.
func storableText(s string) string {
	const maxLen = 4000
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if len(s) > maxLen {
		cut := maxLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
