// Package app wires Canopy together: store, keyring, caches, services, the
// registry and the HTTP server. cmd/canopy and the end-to-end tests both
// build the server through here.
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/api/imsapi"
	"github.com/canopy-iam/canopy/internal/api/ramapi"
	"github.com/canopy-iam/canopy/internal/api/rdapi"
	"github.com/canopy-iam/canopy/internal/api/ssoapi"
	"github.com/canopy-iam/canopy/internal/api/stsapi"
	"github.com/canopy-iam/canopy/internal/api/trailapi"
	"github.com/canopy-iam/canopy/internal/audit"
	"github.com/canopy-iam/canopy/internal/authn"
	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/authz"
	"github.com/canopy-iam/canopy/internal/cloudsso"
	"github.com/canopy-iam/canopy/internal/console"
	"github.com/canopy-iam/canopy/internal/credentials"
	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/jobs"
	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/notify"
	"github.com/canopy-iam/canopy/internal/seglog"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
	"github.com/canopy-iam/canopy/internal/sts"
)

// DefaultHost is the HostId of an error for a version no product has: the
// name the endpoint answers as, never the listener address.
const DefaultHost = "canopy"

// App is one running Canopy node.
type App struct {
	Config   Config
	Store    store.Backend
	Ring     *keyring.Keyring
	Registry *api.Registry
	IAM      *iam.Service
	STS      *sts.Service
	RD       *directory.Service
	SSO      *cloudsso.Service
	Notify   notify.Sender
	// CAFile is the local CA's certificate, which clients of the TLS
	// listener trust; "" without TLS or with a certificate of one's own.
	CAFile string

	keys     *authn.KeyCache
	sessions *sessionCredentials
	authn    *authn.Authenticator
	authz    *authz.Authorizer
	appender *audit.Appender
	watcher  *watcher
	jobs     *jobs.Runner
	// Invoker runs any registered action for a principal (the RPC front
	// and, later, the console use it; tests may call it directly).
	Invoker *api.Invoker
	rpc     *api.RPC
	console *console.Console

	stop    context.CancelFunc
	bg      sync.WaitGroup
	httpSrv *http.Server
	tlsSrv  *http.Server // nil without Config.TLSAddr

	unattributed atomic.Uint64 // see api.Invoker.Unattributed

	serveLock *os.File // held while this node serves a SQLite store (servelock.go)

	// clockOffset moves the domain clock (token, invitation, code expiry)
	// away from real time, for tests; signatures always use real time.
	clockOffset atomic.Int64
}

// Now is the node's domain clock.
func (a *App) Now() time.Time { return time.Now().Add(time.Duration(a.clockOffset.Load())) }

// AdvanceClock moves the domain clock forward by d (tests: expire a token
// without sleeping).
func (a *App) AdvanceClock(d time.Duration) { a.clockOffset.Add(int64(d)) }

// OpenStore opens the configured store and keyring (also used by the CLI).
func OpenStore(ctx context.Context, cfg Config, opts ...sqlstore.Option) (store.Backend, *keyring.Keyring, error) {
	ring, err := keyring.Load(cfg.DataDir)
	if err != nil {
		return nil, nil, err
	}
	opts = append([]sqlstore.Option{sqlstore.WithWALLimit(cfg.SQLiteWALLimit), sqlstore.WithMaxSize(cfg.SQLiteMaxSize)}, opts...)
	st, err := sqlstore.OpenURL(ctx, cfg.DataDir, cfg.DB, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("open store: %w", err)
	}
	return st, ring, nil
}

// New builds a node: it opens the store (applying migrations) and starts
// the background work (change watcher, audit appender, sweeper).
func New(ctx context.Context, cfg Config) (_ *App, err error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &App{Config: cfg}
	var tlsCfg *tls.Config
	if cfg.TLSAddr != "" && cfg.TLSCert != "" {
		// First, so that a certificate that cannot serve stops the start
		// before anything is opened.
		if tlsCfg, err = a.loadTLS(); err != nil {
			return nil, err
		}
	}
	if a.serveLock, err = lockSQLiteServer(cfg); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil && a.serveLock != nil {
			a.serveLock.Close()
		}
	}()
	if cfg.TLSAddr != "" && tlsCfg == nil {
		// The local CA writes its files into the data directory: only
		// once this node holds the serve lock, so that a node the lock
		// refuses leaves the serving node's certificate alone.
		if tlsCfg, err = a.loadTLS(); err != nil {
			return nil, err
		}
	}
	// The read cache (SQLite only) learns of other processes' writes
	// through the watcher started below, within PollInterval.
	st, ring, err := OpenStore(ctx, cfg, sqlstore.WithReadCache())
	if err != nil {
		return nil, err
	}
	a.Store, a.Ring, a.Registry, a.IAM = st, ring, api.NewRegistry(), iam.New(ring)
	a.Notify = NewSender(cfg)
	a.STS = sts.New(a.IAM, sts.NewTokens(ring), ring)
	a.RD = directory.New(a.IAM, cfg.Directory)
	a.RD.SetConfirmationURL(cfg.PublicURL + ConfirmPath)
	a.RD.HashCodesWith(ring.Derive("rd-verification-code/1"))
	a.SSO = cloudsso.New(a.IAM, a.RD, ring, cfg.CloudSSO)
	a.keys = authn.NewKeyCache(a.loadCredential)
	a.sessions = newSessionCredentials(a.STS.Tokens(), a.Now, a.accountLive)
	a.authn = authn.New(a.keys, a.sessions)
	a.authz = authz.New(ring, a.IAM.IdentityLayer(), sts.SessionLayer{})
	if a.watcher, err = newWatcher(ctx, st, a); err != nil {
		st.Close()
		return nil, err
	}
	if err := a.startJobs(); err != nil {
		st.Close()
		return nil, err
	}
	if a.appender, err = a.openAuditLog(ctx); err != nil {
		a.jobs.Stop(ctx)
		st.Close()
		return nil, err
	}
	stsapi.Register(a.Registry, a.STS)
	trailapi.Register(a.Registry, a.appender)
	iamapi.Register(a.Registry, a.IAM) // the actions RAM and IMS share, declared once for both
	ramapi.Register(a.Registry, a.IAM)
	imsapi.Register(a.Registry, a.IAM)
	rdapi.Register(a.Registry, a.RD)
	ssoapi.Register(a.Registry, a.SSO)
	a.Invoker = &api.Invoker{Registry: a.Registry, Authorizer: a.authz, Store: st, Events: a.appender,
		DefaultHost: DefaultHost, Canonical: a.IAM.CanonicalResource, Unattributed: &a.unattributed,
		Attempts: api.NewAttemptBudget(cfg.KeyAttemptBurst, cfg.KeyAttemptsPerHour),
		AfterWrite: func(ctx context.Context) {
			if err := a.watcher.sync(ctx); err != nil {
				cfg.Log.Warn("cache sync after write failed", "err", err)
			}
			a.jobs.Wake() // the write may have queued work (a message, a deletion)
		}}
	limiter := api.NewFailureLimiter(cfg.AuthFailBurst, cfg.AuthFailPerMinute)
	a.rpc = &api.RPC{Invoker: a.Invoker, Auth: a.authn, Clock: a.Now, Log: cfg.Log, Limiter: limiter}
	a.console = console.New(console.Config{Store: st, IAM: a.IAM, Invoker: a.Invoker, Now: a.Now, Log: cfg.Log,
		Outbox: cfg.Outbox, Dev: *cfg.ConsoleDev, Tokens: a.STS.Tokens(), SSO: a.SSO, STS: a.STS, Limiter: limiter})
	// Built here, not in Serve: Shutdown may run before Serve starts (in
	// another goroutine), and Serve must then return at once.
	h := a.Handler()
	a.httpSrv = newServer(h)
	if tlsCfg != nil {
		a.tlsSrv = newServer(h)
		a.tlsSrv.TLSConfig = tlsCfg
		// Handshake failures (a client that does not trust the CA) are the
		// operator's clue, not the standard logger's.
		a.tlsSrv.ErrorLog = slog.NewLogLogger(cfg.Log.Handler(), slog.LevelInfo)
	}
	bgCtx, stop := context.WithCancel(context.Background())
	a.stop = stop
	a.bg.Add(2)
	go func() {
		defer a.bg.Done()
		a.watcher.run(bgCtx, func(err error) { cfg.Log.Warn("change watch failed", "err", err) })
	}()
	go func() {
		defer a.bg.Done()
		a.sweep(bgCtx)
	}()
	return a, nil
}

// openAuditLog opens this node's segment log under the data directory,
// folds what a crash or a stop left in it, and refills the replay guard
// with every nonce still within its window.
func (a *App) openAuditLog(ctx context.Context) (*audit.Appender, error) {
	log, err := seglog.Open(filepath.Join(a.Config.DataDir, "auditlog"), seglog.Options{SegmentSize: a.Config.SegmentSize})
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	for _, d := range log.Damaged() {
		// Loud: unless it was the torn last write of a crash (never
		// answered), the calls recorded there are lost, and their nonces.
		a.Config.Log.Error("audit log damaged: recovery skipped an unreadable stretch and kept the records after it; "+
			"the events recorded in it are lost, unless it was the torn last write of a crash",
			"segment", d.Path, "offset", d.At, "bytes", d.Bytes)
	}
	app, err := audit.OpenAppender(ctx, a.Store, log, audit.AppenderConfig{Log: a.Config.Log})
	if err != nil {
		return nil, err
	}
	if err := a.Store.RecentNonces(ctx, time.Now(), a.authn.Remember); err != nil {
		app.Close()
		return nil, fmt.Errorf("load recent nonces: %w", err)
	}
	return app, nil
}

// FlushAudit folds this node's audit log into the store now (tests: what
// another node sees without waiting for the fold interval).
func (a *App) FlushAudit() error { return a.appender.Flush() }

// Handler is the HTTP handler of the node: /healthz, the console under
// /console/ and the RPC endpoint, which answers every other path.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	a.handleConfirmations(mux) // the legacy Resource Directory e-mail links
	mux.Handle(console.Prefix, a.console)
	mux.Handle(console.SSOPrefix, a.console) // the CloudSSO user portal
	mux.Handle("/", a.rootOrRPC())
	return mux
}

// rootOrRPC sends a person who opens the server's address to the console;
// every request that names an action (a parameter, or the x-acs-action
// header of a V3 signature) and everything else goes to the RPC endpoint,
// which answers malformed calls as the cloud does.
func (a *App) rootOrRPC() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/" && r.URL.RawQuery == "" && r.Header.Get("x-acs-action") == "" &&
			r.Header.Get("Authorization") == "" {
			http.Redirect(w, r, console.Prefix, http.StatusFound)
			return
		}
		a.rpc.ServeHTTP(w, r)
	})
}

func newServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 256 << 10}
}

// Serve answers requests on ln until Shutdown; after Shutdown it returns
// at once.
func (a *App) Serve(ln net.Listener) error {
	err := a.httpSrv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// ServeTLS answers the same requests as Serve over TLS on ln (a plain TCP
// listener: the TLS is ServeTLS's), with the certificate New prepared for
// Config.TLSAddr, until Shutdown; after Shutdown it returns at once. A
// request that came over TLS is one with acs:SecureTransport true.
func (a *App) ServeTLS(ln net.Listener) error {
	if a.tlsSrv == nil {
		return errors.New("ServeTLS: no TLS listener was configured (Config.TLSAddr is empty)")
	}
	err := a.tlsSrv.ServeTLS(ln, "", "")
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting (on both listeners), finishes in-flight
// requests, flushes the audit trail and closes the store.
func (a *App) Shutdown(ctx context.Context) error {
	var errs []error
	var tlsErr error
	var servers sync.WaitGroup
	if a.tlsSrv != nil {
		servers.Go(func() { tlsErr = a.tlsSrv.Shutdown(ctx) })
	}
	errs = append(errs, a.httpSrv.Shutdown(ctx))
	servers.Wait()
	errs = append(errs, tlsErr)
	errs = append(errs, a.jobs.Stop(ctx))
	a.stop()
	a.bg.Wait()
	a.flushKeyUse(ctx)
	a.appender.Close()
	errs = append(errs, a.Store.Close())
	if a.serveLock != nil {
		a.serveLock.Close() // the store is closed: another node may serve it
		a.serveLock = nil
	}
	return errors.Join(errs...)
}

// Unattributed is how many refused requests named no identity this node
// knows (unsigned, an unknown AccessKey, throttled): counted, not stored.
func (a *App) Unattributed() uint64 { return a.unattributed.Load() }

// loadCredential fills the AccessKey cache from the store.
func (a *App) loadCredential(ctx context.Context, id string) (*authn.Credential, error) {
	var cred *authn.Credential
	err := a.Store.Read(ctx, func(tx store.Tx) error {
		k, err := tx.AccessKeys().Get(id)
		if err != nil {
			return err
		}
		secret, err := credentials.OpenSecret(a.Ring, k)
		if err != nil {
			return fmt.Errorf("access key %s: %w", id, err)
		}
		acct, err := tx.Accounts().Get(k.AccountID)
		if err != nil {
			return err
		}
		if !accounts.Live(acct) {
			return fmt.Errorf("%w: access key %s of deleted account %s", store.ErrNotFound, id, acct.ID)
		}
		p := model.Principal{Kind: model.Root, AccountID: k.AccountID, AccessKeyID: k.ID}
		disabled := ""
		if k.UserName == "" && !accounts.RootEnabled(acct) {
			disabled = rootDisabled(acct)
		}
		if k.UserName != "" {
			p.Kind, p.UserName = model.RAMUser, k.UserName
			if p.UserID, err = a.IAM.ResolveUserID(tx, k.AccountID, k.UserName); err != nil {
				return err // a key whose user is gone authenticates nobody
			}
		}
		cred = &authn.Credential{Principal: p, Active: k.Status == credentials.Active && disabled == "",
			Disabled: disabled, Key: signature.NewKey(secret)}
		return nil
	})
	return cred, err
}

// accountLive reads whether an account exists and is not deleted.
func (a *App) accountLive(ctx context.Context, accountID string) (bool, error) {
	var live bool
	err := a.Store.Read(ctx, func(tx store.Tx) error {
		acct, err := tx.Accounts().Get(accountID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		live = err == nil && accounts.Live(acct)
		return err
	})
	return live, err
}

// rootDisabled says why the root user of acct may not sign, and how to get
// in instead.
func rootDisabled(acct store.Account) string {
	return fmt.Sprintf("The root user of account %s is disabled: the account is a resource account of a resource directory. "+
		"Use a RAM user of the account, or assume the role %s from the management account.", acct.ID, directory.AccessRoleName)
}

// apply implements invalidator.
func (a *App) apply(c store.Change) {
	if c.Kind == console.SessionKind {
		return // read from the store on every request: no cache holds a session
	}
	switch {
	case c.Kind == store.ChangeAccessKey:
		a.keys.InvalidateKey(c.Key)
	case c.Kind == store.ChangeAccount:
		a.keys.InvalidateAccount(c.AccountID)
		a.sessions.invalidateAccount(c.AccountID)
	case iam.ChangesCredentials(c.Kind):
		a.keys.InvalidateAccount(c.AccountID)
	}
	a.authz.InvalidateAccount(c.AccountID)
}

func (a *App) all() {
	a.keys.InvalidateAll()
	a.sessions.invalidateAll()
	a.authz.InvalidateAll()
}

// flushKeyUse stores when AccessKeys were last used (GetAccessKeyLastUsed).
func (a *App) flushKeyUse(ctx context.Context) {
	if used := a.authn.TakeUsed(); len(used) > 0 {
		if err := a.Store.TouchAccessKeys(ctx, used); err != nil && ctx.Err() == nil {
			a.Config.Log.Warn("recording AccessKey use failed", "err", err)
		}
	}
}

// FlushKeyUse stores the AccessKey uses this node has seen so far (tests
// call it rather than wait for the minute's sweep).
func (a *App) FlushKeyUse() { a.flushKeyUse(context.Background()) }
