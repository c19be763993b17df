package api

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/audit"
	"github.com/canopy-iam/canopy/internal/authn"
	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/authz"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// EventSink durably records the events (and nonces) of calls that wrote
// nothing else; the audit package's group-commit Appender is one.
type EventSink interface {
	// Submit stores ev, and nonce when not nil, before it returns; fresh
	// is false when the nonce had been used before (ev was then not kept).
	Submit(ctx context.Context, nonce *store.Nonce, ev store.Event) (fresh bool, err error)
}

// Invoker runs registered actions for a caller. Both fronts use it: the
// RPC endpoint with a signed request's principal, the console with a
// session's.
type Invoker struct {
	Registry   *Registry
	Authorizer *authz.Authorizer
	Store      store.Store
	Events     EventSink
	// AfterWrite runs after a write committed, before the answer, so the
	// next request on this node sees its effect (cache invalidation).
	AfterWrite func(ctx context.Context)
	// DefaultHost is the HostId of a call whose version names no product.
	DefaultHost string
	// Canonical, when set, rewrites the resource a call names to the
	// stored spelling of the entity (RAM names are unique regardless of
	// case, policies match case-sensitively), in the call's transaction, so
	// a Deny on user/tom also stops a call that says TOM. It returns
	// resources it does not know unchanged.
	Canonical func(tx store.Tx, resource string) (string, error)

	// Unattributed counts the refusals of requests that named no identity
	// the node knows (unsigned, an unknown AccessKey, throttled; nil: not
	// counted). Their events are counted, never stored: nobody's trail
	// would show them, and anyone could send them in bulk.
	Unattributed *atomic.Uint64
	// Attempts bounds the failed attempts against one AccessKey (or one
	// account's console sign-in) that its owner's trail keeps (nil: all);
	// the rest count as Unattributed.
	Attempts *AttemptBudget
}

// KeepAttempt reports whether the trail keeps one more failed attempt
// against key (an AccessKey id; "signin:" and an account id for a console
// sign-in), within Attempts; an attempt it does not keep is counted as
// unattributed instead.
func (iv *Invoker) KeepAttempt(key string) bool {
	if iv.Attempts.take(key) {
		return true
	}
	iv.countUnattributed()
	return false
}

func (iv *Invoker) countUnattributed() {
	if iv.Unattributed != nil {
		iv.Unattributed.Add(1)
	}
}

func (iv *Invoker) unattributedTotal() uint64 {
	if iv.Unattributed == nil {
		return 0
	}
	return iv.Unattributed.Load()
}

// Invocation is one call of one action by one caller.
type Invocation struct {
	RequestID string
	Received  time.Time // the injected clock's time of the call
	// Caller is nil only for a call refused before it was authenticated.
	Caller *model.Principal
	// Nonce is the signed request's nonce; nil for a console call. A write
	// records it in its own transaction, a read with its event.
	Nonce     *store.Nonce
	Version   string
	Action    string
	Params    signature.Params // business parameters (common ones are ignored)
	SourceIP  netip.Addr
	Secure    bool // over TLS
	UserAgent string
	// AccessKeyID is the key the request named, for the audit record of a
	// call whose caller could not be identified.
	AccessKeyID string
	// KeyOwner, for a request refused before its caller was proven (a wrong
	// signature, a stale timestamp), is the identity its AccessKey stands
	// for: the attempt is recorded in that identity's trail, as unverified.
	KeyOwner *model.Principal
	// Host is the host the request was sent to (HTTP Host); "" for a call
	// that came over no HTTP.
	Host string
	// Rendered asks the Invoker for the answer the SDKs receive
	// ({"RequestId":…} and the output's fields), appended to AnswerBuf and
	// then read with Answer. It is rendered before the call is recorded as
	// a success, so an output that cannot be encoded is audited as the
	// failure the caller sees. A Cacheable action's answer may then come
	// from one rendered for an earlier call while the store is unchanged,
	// with this call's RequestId. Not set: the output is returned as is.
	Rendered  bool
	AnswerBuf []byte

	// resource is the ARN the call acts on, once known; output, a write's
	// answer. Both go into its audit event.
	resource string
	output   any
	// entry is the action, once Invoke found it (its event needs it too).
	entry *entry
	// answer is the rendered answer (Rendered).
	answer []byte
	// EventType is the audit eventType: "" for an API call, the console's
	// audit.ConsoleOperation for a call it makes for a signed-in person.
	EventType string
}

// Invoke runs the call and records it: bind, then in ONE transaction for a
// write (a read snapshot for a read) resolve the resource, check
// self-service, authorize, handle and (for a write) append the audit
// event. It returns the action's output or an *apperr.Error; either way the
// call is in the audit trail.
func (iv *Invoker) Invoke(ctx context.Context, inv *Invocation) (any, error) {
	if inv.Caller == nil {
		// A front must authenticate before it invokes; refuse, never panic.
		return nil, iv.Refuse(ctx, inv, apperr.Internal(errors.New("api: Invoke without a caller")))
	}
	e := iv.Registry.lookup(inv.Version, inv.Action)
	if e == nil {
		return nil, iv.Refuse(ctx, inv, iv.unknownAction(inv))
	}
	inv.entry = e
	in, err := e.binder.bind(inv.Params)
	if err != nil {
		return nil, iv.Refuse(ctx, inv, err)
	}
	if e.Write {
		return iv.write(ctx, e, inv, in)
	}
	return iv.read(ctx, e, inv, in)
}

func (iv *Invoker) call(ctx context.Context, inv *Invocation, tx store.Tx) *Call {
	return &Call{Ctx: ctx, Caller: inv.Caller, Tx: tx, RequestID: inv.RequestID, Now: inv.Received,
		SourceIP: inv.SourceIP, Secure: inv.Secure}
}

// run authorizes and handles the call inside tx, which began after since.
func (iv *Invoker) run(c *Call, since authz.Snapshot, e *entry, inv *Invocation, in any) (any, error) {
	if err := iv.authorize(c, since, e, inv, in); err != nil {
		return nil, err
	}
	if inv.resource == "" && c.Caller.Kind == model.Root && (e.resource != nil || e.resolve != nil) {
		// Root is not checked against a resource, but its events name one
		// too: an owner must find what root did to a user. Best effort: a
		// name that cannot be resolved is the handler's to report, as it
		// was before events named resources.
		if resource, err := iv.resourceOf(c, e, in); err == nil {
			inv.resource = resource
		}
	}
	memo, key := iv.remembering(c, e, inv)
	if memo != nil {
		if rest, ok := memo.Recall(key); ok {
			inv.answer = append(answerHead(inv.AnswerBuf, inv.RequestID), rest.([]byte)...)
			return nil, nil // the answer is made; there is no output value
		}
	}
	out, err := e.handle(c, in)
	if err != nil {
		return nil, err
	}
	if inv.Rendered {
		encode := e.encode
		if encode == nil {
			encode = appendValue
		}
		if inv.answer, err = successBodyWith(inv.AnswerBuf, inv.RequestID, out, encode); err != nil {
			return nil, apperr.Internal(err)
		}
		if memo != nil {
			// What follows the RequestId is the output's alone.
			rest := bytes.Clone(inv.answer[len(answerHead(nil, inv.RequestID)):])
			memo.Keep(key, rest, len(rest))
		}
	}
	return out, nil
}

// Answer is the answer rendered for a Rendered invocation that succeeded.
func (inv *Invocation) Answer() []byte { return inv.answer }

// remembering is where a Cacheable action's rendered answer may be kept
// (the read's store.Remembering) and under which key: the action and its
// product's version, the caller's account and the call's own parameters,
// which are all its answer depends on besides stored state. Nil when the
// answer may not be kept.
func (iv *Invoker) remembering(c *Call, e *entry, inv *Invocation) (store.Remembering, string) {
	if !e.Cacheable || !inv.Rendered {
		return nil, ""
	}
	memo, ok := c.Tx.(store.Remembering)
	if !ok {
		return nil, ""
	}
	size := len(e.product.Version) + len(e.Name) + len(c.Caller.AccountID) + 3
	for _, p := range inv.Params {
		if !IsCommonParam(p.Key) {
			size += len(p.Key) + len(p.Value) + 2
		}
	}
	if size > maxAnswerKey {
		return nil, "" // a long parameter: not worth a long-lived key
	}
	key := make([]byte, 0, size)
	key = append(append(append(key, e.product.Version...), '/'), e.Name...)
	key = append(append(append(key, 0), c.Caller.AccountID...), 0)
	for _, p := range inv.Params { // sorted and unique: one spelling per call
		if !IsCommonParam(p.Key) {
			key = append(append(append(append(key, p.Key...), '='), p.Value...), 0)
		}
	}
	return memo, string(key)
}

// maxAnswerKey bounds the key of a remembered answer.
const maxAnswerKey = 512

func (iv *Invoker) read(ctx context.Context, e *entry, inv *Invocation, in any) (any, error) {
	var out any
	var c *Call
	var err error
	if e.Stateless {
		// Nothing to read and nothing to authorize: a transaction would
		// only cost (a few percent of the call's CPU).
		c = iv.call(ctx, inv, nil)
		out, err = iv.run(c, authz.Snapshot{}, e, inv, in)
	} else {
		since := iv.Authorizer.Snapshot()
		read := iv.Store.Read
		if mf, ok := iv.Store.(store.MemoryFirst); ok {
			read = mf.ReadFromMemoryFirst // actions only read and return their errors
		}
		err = read(ctx, func(tx store.Tx) error {
			var err error
			c = iv.call(ctx, inv, newReadTx(tx))
			out, err = iv.run(c, since, e, inv, in)
			return err
		})
	}
	if err != nil {
		return nil, iv.Refuse(ctx, inv, err)
	}
	fresh, err := iv.Events.Submit(ctx, inv.Nonce, iv.event(inv, nil))
	if err != nil {
		return nil, storageError(err)
	}
	if !fresh {
		// A replay the store caught (after a restart, or on another node):
		// its success event was not stored; record the refusal instead.
		return nil, iv.refuseReplay(ctx, inv)
	}
	// Copies for other trails only once the call is known not to be a
	// replay: no trail shows a success its caller never got.
	for _, account := range c.alsoAuditIn {
		if _, err := iv.Events.Submit(ctx, nil, iv.eventIn(inv, nil, account)); err != nil {
			return nil, storageError(err)
		}
	}
	return out, nil
}

func (iv *Invoker) write(ctx context.Context, e *entry, inv *Invocation, in any) (any, error) {
	var out any
	var refused *apperr.Error // a refusal whose writes commit (apperr.KeepWrites)
	since := iv.Authorizer.Snapshot()
	err := iv.Store.Write(ctx, func(tx store.Tx) error {
		refused = nil
		if inv.Nonce != nil {
			fresh, err := tx.UseNonce(*inv.Nonce)
			if err != nil {
				return err
			}
			if !fresh {
				return errNonceReplayed
			}
		}
		var err error
		c := iv.call(ctx, inv, tx)
		if out, err = iv.run(c, since, e, inv, in); err != nil {
			if kept, ok := apperr.KeptWrites(err); ok {
				refused = kept
				return tx.Events().Append(iv.event(inv, kept))
			}
			return err
		}
		inv.output = out
		for _, account := range c.alsoAuditIn {
			if err := tx.Events().Append(iv.eventIn(inv, nil, account)); err != nil {
				return err
			}
		}
		return tx.Events().Append(iv.event(inv, nil))
	})
	if err == nil {
		if iv.AfterWrite != nil {
			// The write is committed: apply it to this node's caches even
			// if the caller has gone away meanwhile.
			iv.AfterWrite(context.WithoutCancel(ctx))
		}
		if refused != nil {
			return nil, refused // its event and nonce were recorded in the commit
		}
		return out, nil
	}
	if errors.Is(err, errNonceReplayed) {
		return nil, iv.refuseReplay(ctx, inv)
	}
	return nil, iv.Refuse(ctx, inv, err)
}

// refuseReplay refuses a request whose nonce the store holds already (the
// request it replays recorded it). As authn does for a replay it catches
// itself, it records the refusal as an attempt against the caller's key:
// a replay proves only that someone holds a request the key signed, so it
// goes to the owner's trail marked unverified and within the key's
// attempt budget, and replaying one captured request cannot fill a trail.
func (iv *Invoker) refuseReplay(ctx context.Context, inv *Invocation) error {
	inv.Nonce = nil
	if inv.Caller != nil {
		owner := *inv.Caller
		inv.KeyOwner, inv.Caller = &owner, nil
	}
	return iv.Refuse(ctx, inv, authn.NonceUsed())
}

var errNonceReplayed = errors.New("nonce replayed")

// authorize decides the call in its own transaction: the resource named by
// the input (or resolved from stored data, in its stored spelling), the
// caller's policy layers, and self-service. since precedes the
// transaction, for the authorizer's cache.
func (iv *Invoker) authorize(c *Call, since authz.Snapshot, e *entry, inv *Invocation, in any) error {
	if e.permission == "" {
		return nil
	}
	if c.Caller.Kind == model.Root {
		// Root has full access to its own account: nothing to resolve.
		_, err := iv.Authorizer.Authorize(c.Tx, &authz.Query{Caller: c.Caller, Action: e.permission, Resource: "*"})
		return err
	}
	resource, err := iv.resourceOf(c, e, in)
	if err != nil {
		return err
	}
	inv.resource = resource
	self := false
	if e.self != nil && c.Caller.Kind == model.RAMUser {
		if self, err = e.self(c, in); err != nil {
			return err
		}
	}
	grant, err := iv.Authorizer.Authorize(c.Tx, &authz.Query{Caller: c.Caller, Action: e.permission, Resource: resource,
		Now: c.Now, SourceIP: c.SourceIP, Secure: c.Secure, SelfService: self, Since: since})
	c.SelfService = grant == authz.BySelfService
	return err
}

// resourceOf names what the call acts on.
func (iv *Invoker) resourceOf(c *Call, e *entry, in any) (string, error) {
	resource := e.resourceOf(c.Caller, in)
	if e.resolve != nil {
		resolved, err := e.resolve(c, in)
		switch {
		case err == nil && resolved != "":
			resource = resolved
		case err == nil || errors.Is(err, store.ErrNotFound) || apperr.Is(err, apperr.KindNotFound):
			// Nothing to resolve, or it does not exist: the static resource
			// decides and the handler reports what is missing.
		default:
			return "", err // never authorize against a broader resource by accident
		}
	}
	if iv.Canonical == nil {
		return resource, nil
	}
	return iv.Canonical(c.Tx, resource)
}

func (iv *Invoker) unknownAction(inv *Invocation) error {
	if iv.Registry.Product(inv.Version) == nil {
		return codeInvalidVersion.New("Specified parameter Version %q is not valid.", inv.Version)
	}
	return codeUnknownAction.New("Specified api %q is not found for version %s.", inv.Action, inv.Version)
}

// Refuse records a failed call (with its nonce, if it has one) and returns
// the error to answer with. Fronts call it for failures before Invoke
// (malformed requests, failed authentication).
func (iv *Invoker) Refuse(ctx context.Context, inv *Invocation, err error) error {
	e := storageError(err)
	inv.output = nil
	if inv.Caller == nil && (inv.KeyOwner == nil || !iv.KeepAttempt(inv.KeyOwner.AccessKeyID)) {
		if inv.KeyOwner == nil {
			iv.countUnattributed()
		}
		return e
	}
	fresh, aerr := iv.Events.Submit(ctx, inv.Nonce, iv.event(inv, e))
	if aerr != nil {
		return storageError(aerr)
	}
	if !fresh {
		return iv.refuseReplay(ctx, inv)
	}
	return e
}

// Host is the HostId of a call: its product's host.
func (iv *Invoker) Host(version string) string {
	if p := iv.Registry.Product(version); p != nil {
		return p.Host
	}
	return iv.DefaultHost
}

// event builds the audit event of the call; e is nil on success.
func (iv *Invoker) event(inv *Invocation, e *apperr.Error) store.Event { return iv.eventIn(inv, e, "") }

// eventIn builds the copy of the call's event for recipient's trail ("":
// the caller's).
func (iv *Invoker) eventIn(inv *Invocation, e *apperr.Error, recipient string) store.Event {
	entry, product := inv.entry, (*Product)(nil)
	if entry == nil {
		entry, product = iv.Registry.lookup(inv.Version, inv.Action), iv.Registry.Product(inv.Version)
	} else {
		product = entry.product
	}
	host := iv.DefaultHost
	if product != nil {
		host = product.Host
	}
	c := &audit.Call{RequestID: inv.RequestID, Time: inv.Received, Version: inv.Version,
		Action: inv.Action, Host: host, AcsHost: inv.Host, SourceIP: inv.SourceIP.String(),
		UserAgent: inv.UserAgent, Caller: inv.Caller, Claimed: inv.KeyOwner, AccessKeyID: inv.AccessKeyID,
		SortedParams: iv.auditParams(inv, entry == nil), Resource: inv.resource, Response: inv.output, IsSecret: iv.Registry.isSecret,
		Recipient: recipient, Scheme: "http", EventType: inv.EventType}
	if inv.Secure {
		c.Scheme = "https"
	}
	c.Region, _ = inv.Params.Get("RegionId")
	if product != nil {
		c.Product = product.Code
	}
	if entry != nil {
		c.Write, c.Sensitive = entry.Write, entry.SensitiveAction
	}
	if inv.Caller != nil {
		c.AccessKeyID = inv.Caller.AccessKeyID
	} else if inv.KeyOwner != nil {
		c.AccessKeyID = inv.KeyOwner.AccessKeyID // also for V3, which names it in a header
	}
	if e != nil {
		c.ErrorCode, c.ErrorMsg = e.Code, e.Message
		if e.Denied != nil {
			c.Denied = e.Denied
		}
	}
	return audit.Event(c)
}

// auditParams are the call's business parameters for its event, in name
// order (inv.Params' order), secrets redacted. The values of an action
// this server does not know (unknown is true) are all redacted: no
// declaration says which of them are secrets, and the names alone say
// what was attempted.
func (iv *Invoker) auditParams(inv *Invocation, unknown bool) []audit.Param {
	n := 0
	for _, p := range inv.Params {
		if !IsCommonParam(p.Key) {
			n++
		}
	}
	// Room for the gateway's fields the event adds (audit.Event).
	out := make([]audit.Param, 0, n+audit.MaxGatewayFields)
	for _, p := range inv.Params {
		if IsCommonParam(p.Key) {
			continue
		}
		if unknown || iv.Registry.isSecret(p.Key) {
			p.Value = audit.Redacted
		}
		out = append(out, audit.Param{Key: p.Key, Value: p.Value})
	}
	return out
}

// isSecret decides redaction by the name before any ".N" suffix, ignoring
// case, against alwaysSecret and every secret any action declares: a
// misspelt "password" or a "Password" sent to an action that has none is
// refused by the binder (or ignored) but still audited, and its value must
// not be.
func (r *Registry) isSecret(key string) bool {
	base, _, _ := strings.Cut(key, ".")
	var lower [64]byte
	if len(base) > len(lower) {
		_, secret := r.secrets[strings.ToLower(base)]
		return secret
	}
	for i := 0; i < len(base); i++ {
		c := base[i]
		if c >= utf8.RuneSelf {
			// Unicode case folding (the Kelvin sign lowers to k).
			_, secret := r.secrets[strings.ToLower(base)]
			return secret
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	// Every parameter of every call is looked up: lowering ASCII into a
	// stack buffer costs no allocation, strings.ToLower did.
	_, secret := r.secrets[string(lower[:len(base)])]
	return secret
}
