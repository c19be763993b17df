package jobs_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/jobs"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
	"github.com/canopy-iam/canopy/internal/testutil/pgtest"
)

// The helper process of TestKill9Resumes reads its store and marker file
// from these.
const (
	killDialectEnv = "JOBS_TEST_KILL_DIALECT"
	killDBEnv      = "JOBS_TEST_KILL_DB" // SQLite path or PostgreSQL DSN
	killMarkEnv    = "JOBS_TEST_KILL_MARK"
	killLease      = time.Minute
)

// TestKill9Resumes: a process running a job is killed with SIGKILL mid-run.
// Until its lease runs out no one else runs the job; then the next process
// claims it and finishes it.
func TestKill9Resumes(t *testing.T) {
	for _, dialect := range []string{sqlstore.DialectSQLite, sqlstore.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			var (
				s   *sqlstore.Store
				db  string
				env []string
			)
			if dialect == sqlstore.DialectSQLite {
				db = filepath.Join(t.TempDir(), "canopy.db")
				s = openSQLite(t, db)
				env = append(env, pgtest.EnvDSN+"=unused") // the child needs no server
			} else {
				server := pgtest.Start(t)
				db = pgtest.FreshDatabase(t, server)
				s = openPostgres(t, db)
				env = append(env, pgtest.EnvDSN+"="+server) // the child starts none of its own
			}
			enqueue(t, s, store.Job{ID: "k", Kind: "work", Payload: []byte("resume me")})

			mark := filepath.Join(t.TempDir(), "started")
			cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelperProcess$", "-test.count=1")
			cmd.Env = append(append(os.Environ(), env...),
				killDialectEnv+"="+dialect, killDBEnv+"="+db, killMarkEnv+"="+mark)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			deadline := time.After(time.Minute)
			for started := false; !started; {
				select {
				case err := <-exited:
					t.Fatalf("helper exited before running the job: %v\n%s", err, out.String())
				case <-deadline:
					cmd.Process.Kill()
					t.Fatalf("helper did not start the job\n%s", out.String())
				case <-time.After(10 * time.Millisecond):
					_, err := os.Stat(mark)
					started = err == nil
				}
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-exited

			j := mustGetJob(t, s, "k")
			if j.State != store.JobReady || j.Attempts != 1 || j.Owner == "" {
				t.Fatalf("job after the kill: %+v", j)
			}
			var ran []store.Job
			record := func(_ context.Context, j store.Job) error {
				ran = append(ran, j)
				return nil
			}
			// While the dead process's lease runs, nobody runs the job.
			now := jobs.New(s, jobs.Options{Log: quiet, Lease: killLease})
			now.Handle("work", record)
			runDue(t, now, 0)
			// Once it has run out, the next process resumes it.
			later := jobs.New(s, jobs.Options{Log: quiet, Lease: killLease,
				Clock: func() time.Time { return time.Now().Add(killLease) }})
			later.Handle("work", record)
			runDue(t, later, 1)
			if len(ran) != 1 || string(ran[0].Payload) != "resume me" || ran[0].Attempts != 2 {
				t.Errorf("resumed runs: %+v", ran)
			}
			wantGone(t, s, "k")
		})
	}
}

// TestKillHelperProcess is the process TestKill9Resumes kills: it claims
// the job and runs it until killed.
func TestKillHelperProcess(t *testing.T) {
	db := os.Getenv(killDBEnv)
	if db == "" {
		return // only runs as the child of TestKill9Resumes
	}
	var s *sqlstore.Store
	if os.Getenv(killDialectEnv) == sqlstore.DialectSQLite {
		s = openSQLite(t, db)
	} else {
		s = openPostgres(t, db)
	}
	r := jobs.New(s, jobs.Options{Lease: killLease, Log: quiet})
	r.Handle("work", func(ctx context.Context, _ store.Job) error {
		if err := os.WriteFile(os.Getenv(killMarkEnv), nil, 0o600); err != nil {
			t.Error(err)
		}
		<-ctx.Done()
		return ctx.Err()
	})
	r.Start()
	time.Sleep(time.Minute)
	t.Fatal("not killed")
}
