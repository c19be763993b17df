// Package store is the persistence boundary of Canopy. Domain packages talk to
// these interfaces only; internal/store/sqlstore implements them on SQLite and
// PostgreSQL, and internal/store/storetest is the conformance suite every
// backend must pass.
//
// Every call names the account it reads or writes, so cross-account access is
// visible at the call site. Storage errors are the sentinels below; services
// turn them into the cloud's wire codes with the entity named.
//
// Domains keep their documents in records through typed collections
// (Collection), one per record kind.
package store

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Sentinel errors returned (possibly wrapped) by every backend.
var (
	// ErrNotFound: the addressed row does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: an insert hit a unique key that already exists.
	ErrConflict = errors.New("store: already exists")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store: closed")
	// ErrStorageFull: the database cannot grow (the disk or its quota is
	// full). Nothing was written; the same call may succeed once space is
	// freed, with no restart.
	ErrStorageFull = errors.New("store: storage full")
)

// Store is a transactional store: what domain code and the API pipeline
// need. Read and Write run fn inside one transaction; when fn returns an
// error the transaction is rolled back and the error is returned unchanged
// (so callers can return wire errors from fn).
//
// Work that is not a domain transaction (the audit log, the change feed,
// retention, bookkeeping) has small interfaces of its own below; a backend
// implements them all (Backend), and each consumer asks for the one it
// uses.
type Store interface {
	// Read runs fn in a read-only transaction with a consistent snapshot.
	Read(ctx context.Context, fn func(Tx) error) error
	// Write runs fn in a read-write transaction. On PostgreSQL it may run fn
	// more than once (serialization retries), so fn must not have side
	// effects outside tx. A committed write that changed rows bumps the
	// change counter and records one Change per mutated row, in the same
	// transaction. Access keys and records must belong to an existing
	// account (ErrNotFound otherwise). Calling Write inside fn deadlocks.
	Write(ctx context.Context, fn func(Tx) error) error
	// Close releases the backend; later calls return ErrClosed.
	Close() error
}

// MemoryFirst is a Store that can answer a read from memory, with no
// transaction, when everything it reads is there (sqlstore's read cache).
// fn may then run twice, the first time seeing errors where its reads
// missed the memory: it must have no effect outside tx and let those
// errors end it (return them or give up), as the API's read actions do.
type MemoryFirst interface {
	ReadFromMemoryFirst(ctx context.Context, fn func(Tx) error) error
}

// Remembering is a read transaction that can keep a value derived from
// what it read (a rendered answer, say) for as long as the store holds the
// same state: Recall finds what an earlier transaction of the same state
// kept under key. Only sqlstore's read cache offers it (a Tx may not);
// a kept value is shared by every later reader and must not be changed.
type Remembering interface {
	Recall(key string) (v any, ok bool)
	// Keep offers v, of about size bytes; it may be declined (too large,
	// a long key, the state changed meanwhile).
	Keep(key string, v any, size int)
}

// EventLog is where the events of calls that wrote nothing else end up.
// Each node first appends them to its own segment log (internal/seglog,
// durable before the call is answered); a background indexer then folds
// the log into the store in batches through this interface.
type EventLog interface {
	// FoldEvents stores events (one blob per batch, indexed by account and
	// time and by every LookupEvents attribute) and the nonces of the same
	// calls, and moves the cursor of log logID to next, in one
	// transaction: a fold that failed or was interrupted is redone from
	// the old cursor, and a redone fold stores nothing twice.
	FoldEvents(ctx context.Context, logID string, next LogCursor, events []Event, nonces []Nonce) error
	// FoldCursor is where the next fold of log logID starts (zero: the
	// log has never been folded).
	FoldCursor(ctx context.Context, logID string) (LogCursor, error)
	// RecentNonces calls fn for every nonce the store holds that expires
	// at or after now (folded ones and those of writes), so a restarted
	// node refuses their replay.
	RecentNonces(ctx context.Context, now time.Time, fn func(Nonce)) error
	// GuardNonces claims nonces for this node among all nodes sharing the
	// store: fresh[i] is false when another claim of nonces[i] came first.
	// It returns (nil, nil) when the store is not shared between nodes
	// (SQLite: one node, whose memory decides). A claim is not waited on
	// for durability: the caller's segment log is the durable record.
	GuardNonces(ctx context.Context, nonces []Nonce) ([]bool, error)
}

// LogCursor is a position in a node's segment log: the segment's sequence
// number and a byte offset in it.
type LogCursor struct {
	Segment int64
	Offset  int64
}

// ChangeFeed lets every node follow the writes of all nodes, to drop what
// its caches hold about them.
type ChangeFeed interface {
	// ChangeVersion returns the current change counter (cheap; polled by
	// every node to invalidate caches).
	ChangeVersion(ctx context.Context) (int64, error)
	// ChangesSince returns the changes committed with a version greater than
	// since, oldest first, and the newest version seen.
	ChangesSince(ctx context.Context, since int64) ([]Change, int64, error)
}

// Maintenance deletes what has outlived its use. Each call is short and
// runs outside the Write lock.
type Maintenance interface {
	// Sweep deletes nonces that expired before now and change-log rows older
	// than keepChanges.
	Sweep(ctx context.Context, now time.Time, keepChanges time.Duration) error
	// ExpireEvents deletes audit events older than before, in every account
	// (and those of callers that could not be identified).
	ExpireEvents(ctx context.Context, before time.Time) error
}

// KeyUsage records AccessKey use behind the request path (a node collects
// uses in memory and flushes them now and then).
type KeyUsage interface {
	// TouchAccessKeys records when AccessKeys were last used (moving
	// LastUsed forward only). It records no change: nothing caches it.
	TouchAccessKeys(ctx context.Context, used map[string]time.Time) error
}

// Backend is everything one storage backend provides; internal/store/sqlstore
// returns it and internal/app holds it. Consumers take the smallest of the
// interfaces above that does their job.
type Backend interface {
	Store
	EventLog
	ChangeFeed
	Maintenance
	KeyUsage
	JobStore
	// Dialect names the backend: "sqlite" or "postgres".
	Dialect() string
}

// Tx is one transaction. Mutating calls fail on a read-only transaction.
type Tx interface {
	Accounts() AccountRepo
	AccessKeys() AccessKeyRepo
	Records() RecordRepo
	Events() EventRepo
	Jobs() JobRepo
	// UseNonce records a nonce; false when it was already recorded (the
	// caller refuses the request and rolls back).
	UseNonce(n Nonce) (bool, error)
}

// Account is a top-level account (tenant). A cloud account has an email
// and a root password; a Resource Directory resource account has neither.
type Account struct {
	ID           string // 16-digit numeric id
	Email        string // login and security email, stored lower-cased; "" = none
	RealName     string // legal entity of the real-name verification
	Mobile       string // security phone, may be empty
	PasswordHash string // argon2id encoded hash of the root password; "" = none
	Type         string // e.g. "CloudAccount"
	Status       string // e.g. "Active"
	Data         []byte // JSON for attributes later issues add (nil = "{}")
	Created      time.Time
	Updated      time.Time
}

// AccountRepo stores accounts. Ids are globally unique, and so are emails
// among the accounts that have one.
type AccountRepo interface {
	Insert(a Account) error // ErrConflict on duplicate id or email
	Get(id string) (Account, error)
	// GetByEmail finds an account by email, ignoring case; "" finds none.
	GetByEmail(email string) (Account, error)
	Update(a Account) error // ErrNotFound when missing
	// List pages through accounts ordered by id; after is exclusive.
	List(after string, limit int) ([]Account, error)
}

// AccessKey is a long-term AccessKey pair of a root user (UserName "") or a
// RAM user. The secret is stored sealed, never in clear.
type AccessKey struct {
	ID           string // e.g. LTAI...; globally unique
	AccountID    string
	UserName     string // "" for the root user
	Status       string // "Active" | "Inactive"
	SealedSecret []byte // AES-GCM sealed secret (see internal/keyring)
	Created      time.Time
	Updated      time.Time
	LastUsed     time.Time // zero when never used
}

// AccessKeyRepo stores AccessKeys.
type AccessKeyRepo interface {
	Insert(k AccessKey) error
	// Get looks a key up by its globally unique id (authentication path).
	Get(id string) (AccessKey, error)
	// ListForUser lists one user's keys ordered by creation, then id.
	ListForUser(accountID, userName string) ([]AccessKey, error)
	Update(k AccessKey) error          // by (AccountID, ID)
	Delete(accountID, id string) error // ErrNotFound when missing
	CountForUser(accountID, userName string) (int, error)
	// DeleteAccount deletes every AccessKey of the account (root and RAM
	// users alike) and returns how many it deleted; each is logged as a
	// change, so every node's key cache drops it.
	DeleteAccount(accountID string) (int, error)
}

// Record is one document of a RAM aggregate (user, group, role, policy,
// policy version, membership, attachment, MFA device, login profile,
// account setting ...). (AccountID, Kind, Key) is unique; Key orders lists
// and paging; Ref is an optional secondary index within (AccountID, Kind).
type Record struct {
	AccountID string
	Kind      string
	Key       string
	Ref       string
	Data      []byte // JSON document
	Created   time.Time
	Updated   time.Time
}

// Query selects records of one kind in one account, ordered by Key.
type Query struct {
	AccountID string
	Kind      string
	Prefix    string // only keys starting with Prefix ("" = all)
	Ref       string // when set, only records with this Ref (ordered by Key)
	After     string // exclusive lower bound on Key, for keyset paging
	Limit     int    // <= 0 means no limit
	// Offset skips that many matches first, for page-number paging
	// (Resource Directory lists); keyset paging (After) costs less.
	Offset int
}

// RecordRepo stores records.
type RecordRepo interface {
	Get(accountID, kind, key string) (Record, error)
	Insert(r Record) error // ErrConflict when (AccountID, Kind, Key) exists
	Update(r Record) error // ErrNotFound when missing; keeps Created
	Delete(accountID, kind, key string) error
	List(q Query) ([]Record, error)
	Count(q Query) (int, error) // ignores After/Limit
	// DeleteAccount deletes every record of every kind in the account and
	// returns how many it deleted; each is logged as a change, so every
	// node's caches drop what they hold of the account.
	DeleteAccount(accountID string) (int, error)
}

// Event is one audit event. The columns are what LookupEvents filters on;
// Data holds the whole ActionTrail record, as JSON or in audit's compact
// form (see CompactRecord), which audit renders as JSON when it is read.
type Event struct {
	ID          string // event id (the request id)
	AccountID   string // account whose identity made the call ("" when unknown)
	Time        time.Time
	EventName   string
	ServiceName string
	EventRW     string // "Read" | "Write"
	// UserName is what the User lookup attribute matches: the RAM user's
	// name, or audit.RootUser (not a valid RAM user name) for the root
	// identity, whose record says userName "root" like a RAM user named
	// root would. "" when the caller is unknown.
	UserName    string
	AccessKeyID string
	ErrorCode   string
	// ResourceType and ResourceName name what the call acted on, e.g.
	// "ACS::RAM::User" and the user's ARN ("" for none); see
	// audit.ResourceOf.
	ResourceType string
	ResourceName string
	// Sensitive marks the event of a sensitive action (its record says
	// eventAttributes {"SensitiveAction": "true"}; see SensitiveData).
	Sensitive bool
	Data      []byte // the ActionTrail record: JSON or compact
}

// SensitiveMarker is how the JSON record of a sensitive action's event
// says so. Decoding an event reads Sensitive from its data (the binary
// form keeps the record, not the flag; see SensitiveData); audit renders
// exactly these bytes, which a test of audit holds.
const SensitiveMarker = `"eventAttributes":{"SensitiveAction":"true"}`

// EventFilter selects one account's events. At most one attribute filter.
type EventFilter struct {
	AccountID string
	Start     time.Time // inclusive
	End       time.Time // inclusive
	// Attribute is one of EventAttributes (or "" for none); Value is
	// compared exactly.
	Attribute string
	Value     string
	Newest    bool // true: newest first (BACKWARD); false: oldest first
	// Cursor continues after the event (Time, ID) returned last; zero = start.
	CursorTime time.Time
	CursorID   string
	Limit      int
}

// EventAttributes are the attributes an EventFilter may select on; every
// one is an index range in every backend.
var EventAttributes = []string{"EventName", "User", "EventRW", "EventAccessKeyId", "ServiceName", "EventId",
	"ResourceType", "ResourceName", "SensitiveAction"}

// EventRepo stores audit events.
type EventRepo interface {
	// Append stores e in the current Write (the event of that write).
	Append(e Event) error
	// Lookup returns the matching events, appended or folded, in the
	// filter's order.
	Lookup(f EventFilter) ([]Event, error)
}

// Nonce is one signature nonce of one AccessKey, remembered until Expires.
// Expires is derived from the request's signed timestamp, so a replayed
// request always yields the same (Expires, AccessKeyID, Value) key and keys
// arrive roughly in time order (backends index them in that order).
type Nonce struct {
	AccessKeyID string
	Value       string
	Expires     time.Time
}

// The change kinds of the store's own rows (records change under their
// record kind).
const (
	ChangeAccount   = "account"
	ChangeAccessKey = "accesskey"
)

// Change is one row of the change log, used to invalidate caches on every
// node. Kind is ChangeAccount, ChangeAccessKey or a record kind; Key is the id or
// record key.
type Change struct {
	Version   int64
	AccountID string
	Kind      string
	Key       string
}

// Matches reports whether e passes f: account, time range, attribute and
// cursor (what every backend's Lookup selects, before ordering and limit).
func (f *EventFilter) Matches(e *Event) bool {
	if e.AccountID != f.AccountID || !f.Start.IsZero() && e.Time.Before(f.Start) ||
		!f.End.IsZero() && e.Time.After(f.End) {
		return false
	}
	if f.Attribute != "" && e.Attribute(f.Attribute) != f.Value {
		return false
	}
	if f.CursorTime.IsZero() {
		return true
	}
	c := e.Time.Compare(f.CursorTime)
	if c == 0 {
		c = strings.Compare(e.ID, f.CursorID)
	}
	if f.Newest {
		return c < 0
	}
	return c > 0
}

// Attribute is e's value of one of EventAttributes ("" for another name).
func (e *Event) Attribute(name string) string {
	switch name {
	case "EventName":
		return e.EventName
	case "User":
		return e.UserName
	case "EventRW":
		return e.EventRW
	case "EventAccessKeyId":
		return e.AccessKeyID
	case "ServiceName":
		return e.ServiceName
	case "EventId":
		return e.ID
	case "ResourceType":
		return e.ResourceType
	case "ResourceName":
		return e.ResourceName
	case "SensitiveAction":
		if e.Sensitive {
			return "true"
		}
	}
	return ""
}
