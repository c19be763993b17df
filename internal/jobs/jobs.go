// Package jobs runs background work kept in the store's jobs table (see
// store/jobs.go): any node may run a job, a restart resumes it, and no two
// claims hold one job at once.
//
// Work is enqueued inside the Write that asks for it:
//
//	tx.Jobs().Enqueue(store.Job{Kind: "account.delete", Key: id, Payload: p})
//
// and a Runner on every node claims due jobs of the kinds it has handlers
// for, under a lease it extends while the handler runs. A handler that
// returns nil completes the job (its row is deleted); an error makes it due
// again after an exponential backoff, until MaxAttempts, after which the
// job stays failed with its last error. A node that stops or crashes
// mid-run leaves a lease that runs out, after which another claim resumes
// the job; a node whose lease ran out can no longer complete it.
//
// Every time the runner compares (due times, leases, backoff) reads the
// injected clock, so tests move time instead of sleeping. The runner
// polls every Poll and is woken at once by jobs this node enqueues.
//
// A lease is not a lock: a node paused longer than its lease may still be
// running a handler when another node starts the same job (the paused
// node's heartbeat then cancels its handler, and its outcome is refused).
// Handlers must therefore be idempotent, like any at-least-once work.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// Store is what a Runner needs: Write to enqueue recurring jobs, and the
// claim calls.
type Store interface {
	Write(ctx context.Context, fn func(store.Tx) error) error
	store.JobStore
}

// Handler runs one job; nil means done. ctx ends when the runner stops or
// the job's lease is lost, and the handler should then return promptly.
// Wrap an error with Permanent when retrying cannot help.
type Handler func(ctx context.Context, j store.Job) error

// Options tune a Runner; zero values take the defaults noted.
type Options struct {
	Clock       func() time.Time // time.Now
	Node        string           // names this node in claim owners and logs
	Poll        time.Duration    // how often to look for due jobs: 1s
	Lease       time.Duration    // a claim's hold, extended every Lease/3 while running: 1m
	Workers     int              // jobs run at once on this node: 4
	MaxAttempts int              // claims before a job fails for good: 10
	MinBackoff  time.Duration    // wait after the first failure, doubling: 1s
	MaxBackoff  time.Duration    // longest wait between attempts: 5m
	Log         *slog.Logger     // slog.Default()
}

func (o *Options) defaults() {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Lease <= 0 {
		o.Lease = time.Minute
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(5*time.Minute, o.MinBackoff)
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
}

// settleTimeout bounds recording a job's outcome, which must not depend on
// the context the handler ran under (it may have ended).
const settleTimeout = 30 * time.Second

var (
	// errStopping and errLeaseLost are the causes a handler's context
	// is cancelled with.
	errStopping  = errors.New("jobs: the runner is stopping")
	errLeaseLost = errors.New("jobs: the job's lease was lost")
)

type kindSpec struct {
	h     Handler
	every time.Duration // > 0: recurring
}

// Runner claims and runs jobs on one node. Register every kind (Handle,
// Every) before Start or RunDue.
type Runner struct {
	st  Store
	opt Options
	log *slog.Logger
	// Claim owners are id.seq: id is Node and a random part, so that two
	// runners (or one before and after a restart) never share a token.
	id  string
	seq atomic.Uint64

	mu      sync.Mutex
	kinds   map[string]kindSpec
	names   []string // sorted kinds, set when frozen
	frozen  bool
	ensured bool // the recurring jobs exist

	busy chan struct{} // one token per running job (Start's loop)
	full atomic.Bool   // the last claim took every free worker
	wake chan struct{}

	started   atomic.Bool
	stopOnce  sync.Once
	stopErr   error
	quit      chan struct{}
	loopDone  chan struct{}
	runCtx    context.Context
	cancelRun context.CancelCauseFunc
	running   sync.WaitGroup
}

// New returns a runner on st; it does nothing until Start or RunDue.
func New(st Store, opt Options) *Runner {
	opt.defaults()
	var b [6]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	if opt.Node != "" {
		id = opt.Node + "-" + id
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	return &Runner{st: st, opt: opt, id: id, log: opt.Log.With("runner", id), kinds: map[string]kindSpec{},
		busy: make(chan struct{}, opt.Workers), wake: make(chan struct{}, 1),
		quit: make(chan struct{}), loopDone: make(chan struct{}), runCtx: ctx, cancelRun: cancel}
}

// Handle registers the handler of a kind.
func (r *Runner) Handle(kind string, h Handler) {
	if h == nil {
		panic("jobs: nil handler for " + kind)
	}
	r.register(kind, kindSpec{h: h})
}

// Every registers recurring work: fn runs about once per period on one node
// of all that share the store. The job of each run enqueues the next one
// (Key = kind, so however many nodes register it, one run is pending), in
// the same transaction that records its outcome. A run that fails is kept,
// failed, with its error, and is not retried: the next run is the retry.
// now is the runner's clock when the run starts.
func (r *Runner) Every(kind string, period time.Duration, fn func(ctx context.Context, now time.Time) error) {
	if period <= 0 || fn == nil {
		panic("jobs: Every " + kind + " needs a positive period and a function")
	}
	r.register(kind, kindSpec{every: period, h: func(ctx context.Context, _ store.Job) error {
		return fn(ctx, r.opt.Clock())
	}})
}

func (r *Runner) register(kind string, k kindSpec) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case kind == "":
		panic("jobs: empty kind")
	case r.frozen:
		panic("jobs: " + kind + " registered after the runner started")
	}
	if _, dup := r.kinds[kind]; dup {
		panic("jobs: kind " + kind + " registered twice")
	}
	r.kinds[kind] = k
}

// freeze ends registration and returns the kinds.
func (r *Runner) freeze() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.frozen {
		r.frozen = true
		for k := range r.kinds {
			r.names = append(r.names, k)
		}
		slices.Sort(r.names)
	}
	return r.names
}

// ensureRecurring enqueues the first run of every recurring kind unless
// one is pending (or running) already, on this node or another.
func (r *Runner) ensureRecurring(ctx context.Context) error {
	r.mu.Lock()
	done := r.ensured
	r.mu.Unlock()
	if done {
		return nil
	}
	now := r.opt.Clock()
	var first []store.Job
	for _, name := range r.freeze() {
		if r.kinds[name].every > 0 {
			first = append(first, store.Job{Kind: name, Key: name, RunAt: now})
		}
	}
	if len(first) > 0 {
		err := r.st.Write(ctx, func(tx store.Tx) error {
			for _, j := range first {
				if _, err := tx.Jobs().Enqueue(j); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("jobs: enqueue recurring jobs: %w", err)
		}
	}
	r.mu.Lock()
	r.ensured = true
	r.mu.Unlock()
	return nil
}

// claim leases up to n due jobs under a new owner token.
func (r *Runner) claim(ctx context.Context, n int) ([]store.Job, string, error) {
	owner := r.id + "." + strconv.FormatUint(r.seq.Add(1), 36)
	jobs, err := r.st.ClaimJobs(ctx, store.JobClaim{Owner: owner, Kinds: r.freeze(), Now: r.opt.Clock(),
		Lease: r.opt.Lease, Limit: n})
	return jobs, owner, err
}

// RunDue runs every job that is due by the clock, this one's and those the
// runs make due, waits for them and reports how many ran. Tests drive the
// runner with it instead of Start.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	if err := r.ensureRecurring(ctx); err != nil {
		return 0, err
	}
	total := 0
	for {
		jobs, owner, err := r.claim(ctx, r.opt.Workers)
		if err != nil || len(jobs) == 0 {
			return total, err
		}
		var wg sync.WaitGroup
		for _, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.run(ctx, j, owner)
			}()
		}
		wg.Wait()
		total += len(jobs)
	}
}

// Start runs jobs in the background until Stop.
func (r *Runner) Start() {
	if r.started.CompareAndSwap(false, true) {
		r.freeze()
		go r.loop()
	}
}

// Stop stops claiming, waits for running jobs until ctx ends, then cancels
// the rest and releases them (due again at once, on any node, without
// counting the attempt). It returns ctx's error when it had to interrupt
// jobs. Calling it again returns the first result.
func (r *Runner) Stop(ctx context.Context) error {
	r.stopOnce.Do(func() {
		if !r.started.Load() {
			return
		}
		close(r.quit)
		<-r.loopDone
		done := make(chan struct{})
		go func() {
			r.running.Wait()
			close(done)
		}()
		select {
		case <-done:
		case <-ctx.Done():
			r.stopErr = ctx.Err()
			r.cancelRun(errStopping)
			<-done
		}
		r.cancelRun(errStopping)
	})
	return r.stopErr
}

// Wake makes the runner look for due jobs now rather than at its next
// poll: the node calls it after a write that may have enqueued work.
func (r *Runner) Wake() { r.kick() }

// kick makes the loop poll now.
func (r *Runner) kick() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *Runner) loop() {
	defer close(r.loopDone)
	enqueued := r.st.JobsEnqueued()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-r.quit:
			return
		case <-t.C:
		case <-r.wake:
		case <-enqueued:
		}
		r.poll()
		t.Reset(r.opt.Poll)
	}
}

// poll claims as many due jobs as there are free workers and starts them.
func (r *Runner) poll() {
	ctx := r.runCtx
	if err := r.ensureRecurring(ctx); err != nil {
		r.log.Warn("jobs: recurring jobs not enqueued yet", "err", err)
	}
	for {
		free := cap(r.busy) - len(r.busy)
		if free == 0 {
			return
		}
		jobs, owner, err := r.claim(ctx, free)
		if err != nil {
			if ctx.Err() == nil {
				r.log.Warn("jobs: claim failed", "err", err)
			}
			return
		}
		// More may be due: a finishing job polls again.
		r.full.Store(len(jobs) == free)
		for _, j := range jobs {
			r.busy <- struct{}{}
			r.running.Add(1)
			go func() {
				defer r.running.Done()
				r.run(ctx, j, owner)
				<-r.busy
				if r.full.Load() {
					r.kick()
				}
			}()
		}
		if len(jobs) < free {
			return
		}
	}
}

// run runs one claimed job and records its outcome.
func (r *Runner) run(parent context.Context, j store.Job, owner string) {
	r.mu.Lock()
	k := r.kinds[j.Kind]
	r.mu.Unlock()
	log := r.log.With("job", j.ID, "kind", j.Kind, "attempt", j.Attempts)
	if j.Attempts > r.opt.MaxAttempts {
		// The last claim ended without an outcome (its node stopped or
		// crashed mid-run), and no attempt is left to run it again.
		msg := fmt.Sprintf("gave up after %d attempts: the last one's lease ran out before it finished; last error: %q",
			j.Attempts-1, j.LastError)
		r.settle(log, j, owner, k, errors.New(msg), nil)
		return
	}
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	stopBeat, beatDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(beatDone)
		r.heartbeat(stopBeat, cancel, log, j.ID, owner)
	}()
	err := call(ctx, k.h, j)
	close(stopBeat)
	<-beatDone
	r.settle(log, j, owner, k, err, ctx)
}

// call runs h, turning a panic into an error.
func call(ctx context.Context, h Handler, j store.Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx, j)
}

// heartbeat extends the lease every Lease/3 until stop; when the lease is
// lost it cancels the handler.
func (r *Runner) heartbeat(stop <-chan struct{}, lost context.CancelCauseFunc, log *slog.Logger, id, owner string) {
	t := time.NewTicker(r.opt.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		now := r.opt.Clock()
		ctx, cancel := context.WithTimeout(context.Background(), r.opt.Lease/3)
		err := r.st.ExtendJob(ctx, id, owner, now, now.Add(r.opt.Lease))
		cancel()
		switch {
		case errors.Is(err, store.ErrLeaseLost):
			log.Warn("jobs: lease lost while running; cancelling the handler")
			lost(errLeaseLost)
			return
		case err != nil:
			// The lease has two thirds left; try again next tick.
			log.Warn("jobs: extending the lease failed", "err", err)
		}
	}
}

// settle records the outcome of a run. hctx is the context the handler ran
// under (nil when it did not run).
func (r *Runner) settle(log *slog.Logger, j store.Job, owner string, k kindSpec, err error, hctx context.Context) {
	ctx, cancel := context.WithTimeout(context.Background(), settleTimeout)
	defer cancel()
	now := r.opt.Clock()
	var serr error
	switch {
	case hctx != nil && errors.Is(context.Cause(hctx), errLeaseLost):
		log.Warn("jobs: run ended after its lease was lost; its outcome is not recorded", "err", err)
		return
	case err == nil:
		serr = r.st.CompleteJob(ctx, j.ID, owner, now, r.next(k, j, now)...)
	case hctx != nil && hctx.Err() != nil:
		// Stopped (or the caller of RunDue gave up): not the job's fault.
		log.Info("jobs: run interrupted; releasing the job", "err", err)
		serr = r.st.ReleaseJob(ctx, j.ID, owner, now)
	case k.every > 0:
		log.Warn("jobs: recurring run failed", "err", err)
		serr = r.st.FailJob(ctx, j.ID, owner, now, err.Error(), r.next(k, j, now)...)
	case isPermanent(err) || j.Attempts >= r.opt.MaxAttempts:
		log.Error("jobs: job failed for good", "err", err)
		serr = r.st.FailJob(ctx, j.ID, owner, now, err.Error())
	default:
		at := now.Add(r.backoff(j.Attempts))
		log.Warn("jobs: job failed; retrying later", "err", err, "retry_at", at)
		serr = r.st.RetryJob(ctx, j.ID, owner, now, err.Error(), at)
	}
	switch {
	case errors.Is(serr, store.ErrLeaseLost):
		log.Warn("jobs: the lease ran out before the outcome was recorded; the job will run again")
	case serr != nil:
		log.Error("jobs: recording the outcome failed; the job will run again when its lease runs out", "err", serr)
	}
}

// next is the following run of a recurring kind: one period after this
// one was due, or one period from now if that has passed already.
func (r *Runner) next(k kindSpec, j store.Job, now time.Time) []store.Job {
	if k.every <= 0 {
		return nil
	}
	at := j.RunAt.Add(k.every)
	if !at.After(now) {
		at = now.Add(k.every)
	}
	return []store.Job{{Kind: j.Kind, Key: j.Kind, RunAt: at}}
}

// backoff is the wait after the attempt-th failed attempt: MinBackoff,
// doubling each time, at most MaxBackoff.
func (r *Runner) backoff(attempt int) time.Duration {
	d := r.opt.MinBackoff
	for i := 1; i < attempt && d < r.opt.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, r.opt.MaxBackoff)
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks a handler's error as one retrying cannot fix: the job
// fails at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

func isPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}
