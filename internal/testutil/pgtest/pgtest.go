// Package pgtest gives tests a PostgreSQL server: the one named by
// CANOPY_TEST_POSTGRES_DSN when set, otherwise a throw-away server started
// from the locally installed binaries (Debian's postgresql package puts
// them in /usr/lib/postgresql/<version>/bin) in a temporary directory, on a
// free loopback port, with fsync on so durability benchmarks mean something.
//
// Missing binaries fail the test with instructions rather than skipping it:
// the PostgreSQL backend must be tested wherever the SQLite one is.
//
// Typical use, one server per test package and one database per test:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, nil)) }
//
//	func TestX(t *testing.T) {
//		dsn := pgtest.FreshDatabase(t, pgtest.Start(t))
//		...
//	}
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the environment variable with an existing server's DSN. The
// role must be allowed to CREATE DATABASE.
const EnvDSN = "CANOPY_TEST_POSTGRES_DSN"

const installHint = "install the PostgreSQL server (apt-get install postgresql) or set " + EnvDSN

var (
	sharedMu  sync.Mutex
	sharedDSN string // the server Main started, if any
)

// Start returns the DSN of a PostgreSQL server for t: CANOPY_TEST_POSTGRES_DSN,
// or the server Main started for the package, or else a new server that is
// stopped and removed when t ends.
func Start(t testing.TB) string {
	t.Helper()
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		return dsn
	}
	sharedMu.Lock()
	dsn := sharedDSN
	sharedMu.Unlock()
	if dsn != "" {
		return dsn
	}
	srv, err := startServer()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(srv.stop)
	return srv.dsn
}

// Main starts one server for a whole test package (unless
// CANOPY_TEST_POSTGRES_DSN is set), runs run(dsn) (m.Run() when run is nil),
// stops the server and returns the exit code:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, nil)) }
//
// Start returns the same DSN to the package's tests.
func Main(m *testing.M, run func(dsn string) int) int {
	if run == nil {
		run = func(string) int { return m.Run() }
	}
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		return run(dsn)
	}
	srv, err := startServer()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		return 1
	}
	defer srv.stop()
	sharedMu.Lock()
	sharedDSN = srv.dsn
	sharedMu.Unlock()
	defer func() {
		sharedMu.Lock()
		sharedDSN = ""
		sharedMu.Unlock()
	}()
	return run(srv.dsn)
}

// FreshDatabase creates an empty database on the server at dsn, drops it
// when t ends, and returns a DSN for it. Tests that each use their own
// database cannot see one another's rows.
//
// It prefers an ICU (en-US) default collation over the server's C locale,
// so a test that depends on byte order only passes if the schema asks for
// COLLATE "C" itself, as it must on production databases.
func FreshDatabase(t testing.TB, dsn string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("pgtest: connect %s: %v", redact(dsn), err)
	}
	defer conn.Close(ctx)

	var b [6]byte
	rand.Read(b[:])
	name := "canopy_test_" + hex.EncodeToString(b[:])
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"); err != nil {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
			t.Fatalf("pgtest: create database: %v", err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	out, err := withDatabase(dsn, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return out
}

// withDatabase returns dsn pointing at database name. It handles URLs and
// key=value strings (where a later dbname wins).
func withDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("parse DSN: %w", err)
		}
		u.Path = "/" + name
		u.RawPath = ""
		return u.String(), nil
	}
	return dsn + " dbname=" + name, nil
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxx")
			return u.String()
		}
	}
	return dsn
}

// server is a running throw-away PostgreSQL.
type server struct {
	dir  string
	cmd  *exec.Cmd
	done chan struct{} // closed when the postmaster exits
	dsn  string
	once sync.Once
}

// binGlob is where Debian's packages install the server binaries.
var binGlob = "/usr/lib/postgresql/*/bin"

// binDir finds the newest installed server binaries.
func binDir() (string, error) {
	dirs, _ := filepath.Glob(binGlob)
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		d := filepath.Dir(p)
		if isExecutable(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errors.New("PostgreSQL server binaries (initdb, postgres) not found in /usr/lib/postgresql/*/bin or PATH: " + installHint)
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// runAs returns the credentials to run the server with. initdb and postgres
// refuse to run as root, so root runs them as the postgres OS user, which
// the Debian package creates.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.New("running as root, and PostgreSQL refuses to run as root; there is no 'postgres' OS user to run it as: " + installHint)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("user postgres has a non-numeric uid/gid %s/%s", u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startServer() (*server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, err := runAs()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	srv := &server{dir: dir, done: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			srv.stop()
		}
	}()
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("chown %s to postgres: %w", dir, err)
		}
	}
	data := filepath.Join(dir, "data")

	// initdb's own fsyncs only protect the template files of a database
	// we throw away; the server below runs with fsync on.
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = procAttr(cred)
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}

	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	srv.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data,
		"-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "full_page_writes=on",
		"-c", "max_connections=300", "-c", "shared_buffers=128MB",
		"-c", "max_pred_locks_per_transaction=256")
	srv.cmd.Stdout, srv.cmd.Stderr = logf, logf
	srv.cmd.SysProcAttr = procAttr(cred)
	if err := srv.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	go func() {
		srv.cmd.Wait()
		close(srv.done)
	}()

	srv.dsn = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	if err := srv.waitReady(60 * time.Second); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
		return nil, fmt.Errorf("%v\npostgres log:\n%s", err, log)
	}
	ok = true
	return srv, nil
}

func (s *server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, s.dsn)
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(ctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-s.done:
			return errors.New("postgres exited during startup")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres not accepting connections after %v: %v", limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop shuts the server down (fast shutdown: roll back sessions, checkpoint)
// and removes its directory.
func (s *server) stop() {
	s.once.Do(func() {
		if s.cmd != nil && s.cmd.Process != nil {
			s.cmd.Process.Signal(syscall.SIGINT)
			select {
			case <-s.done:
			case <-time.After(30 * time.Second):
				s.cmd.Process.Kill()
				<-s.done
			}
		}
		os.RemoveAll(s.dir)
	})
}
