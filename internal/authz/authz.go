// Package authz answers the authorization question for every action of
// every product with the same code: it gathers the policy layers that apply
// to the caller from the sources the domains supply (identity policies from
// iam; later session policies from sts and control policies from the
// directory), compiles and caches them, asks the pure policy engine, and
// turns a denial into NoPermission with AccessDeniedDetail.
//
// The API layer imports authz, never the reverse; domains implement Source
// without importing authz (its methods use only model, store and policy).
package authz

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/cache"
	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/policy"
	"github.com/canopy-iam/canopy/internal/store"
)

// Source supplies one layer of policies for the principals it applies to.
type Source interface {
	// Layer is the layer the source's documents form. Exactly one source
	// gives policy.LayerIdentityBased; every other layer is a guardrail
	// that can only narrow it.
	Layer() policy.LayerType
	// Scope names the documents that apply to p in this layer, as a cache
	// key ("" = the layer does not apply to p). The same scope must always
	// mean the same documents until a change to p's account is applied,
	// and no two sources may give the same scope (start it with something
	// only this source uses): the sources share one cache, so a decision
	// costs no key building beyond Scope itself.
	Scope(p *model.Principal) string
	// Policies reads the documents of p's scope.
	Policies(tx store.Tx, p *model.Principal) ([]policy.Doc, error)
}

// Query is one authorization question.
type Query struct {
	Caller   *model.Principal
	Action   string // e.g. "ram:CreateUser"
	Resource string
	Now      time.Time
	SourceIP netip.Addr
	Secure   bool
	// SelfService says the account's security preference lets the caller
	// do this to itself without a policy: it replaces the need for an
	// identity Allow, never an explicit Deny nor a guardrail.
	SelfService bool
	// Since is the Authorizer's Snapshot taken before tx began. Documents
	// read in tx are cached only if no change was applied since: tx may
	// predate a change whose invalidation has already run, and what it
	// reads must not outlive that change in the cache. The zero value
	// caches only while nothing has ever been invalidated.
	Since Snapshot
}

// Snapshot marks a moment in the cache's history: see Query.Since.
type Snapshot struct{ gen uint64 }

// Snapshot returns the moment to pass as Query.Since for a transaction
// that begins after this call.
func (a *Authorizer) Snapshot() Snapshot { return Snapshot{gen: a.sets.Generation()} }

// maxCompiled bounds the compiled-policy cache.
const maxCompiled = 50_000

// maxLayers is how many layers a decision can have without allocating.
const maxLayers = 4

// Authorizer decides queries against the layers of its sources.
type Authorizer struct {
	sources []Source
	ring    *keyring.Keyring

	sets *cache.ByAccount[*compiledLayer] // by scope

	mu       sync.RWMutex
	compiled map[string]*policy.Policy // by policy.Doc.Key; versions never change
}

// compiledLayer is the cached form of one scope's documents.
type compiledLayer struct {
	set  *policy.Set
	keys []string // the Doc keys in Set order, to name a deciding policy
}

// New builds an authorizer over sources; ring seals EncodedDiagnosticMessage.
func New(ring *keyring.Keyring, sources ...Source) *Authorizer {
	identities := 0
	for _, s := range sources {
		if s.Layer() == policy.LayerIdentityBased {
			identities++
		}
	}
	if identities != 1 || len(sources) > maxLayers {
		panic(fmt.Sprintf("authz: need exactly one identity source and at most %d sources", maxLayers))
	}
	return &Authorizer{sources: sources, ring: ring, compiled: map[string]*policy.Policy{},
		sets: cache.New[*compiledLayer]()}
}

// Grant says why a query was allowed.
type Grant uint8

const (
	// ByPolicy: the policy layers allowed it.
	ByPolicy Grant = iota + 1
	// ByOwnership: the root user acting in its own account.
	ByOwnership
	// BySelfService: no identity policy allowed it, but the security
	// preference lets the user do this to itself (handlers may apply
	// self-service limits).
	BySelfService
)

// Authorize says why q is allowed, or returns NoPermission with
// AccessDeniedDetail. Documents the cache does not hold are read in tx, the
// transaction the call itself runs in.
func (a *Authorizer) Authorize(tx store.Tx, q *Query) (Grant, error) {
	if q.Caller.Kind == model.Root {
		return ByOwnership, nil // the root user has full access to its own account
	}
	var buf [maxLayers]policy.Layer
	var layers [maxLayers]*compiledLayer
	guards := buf[:0]
	var identity policy.Layer
	var identityLayer *compiledLayer
	for _, src := range a.sources {
		scope := src.Scope(q.Caller)
		if scope == "" {
			continue
		}
		cl, err := a.layer(tx, q.Since, src, scope, q.Caller)
		if err != nil {
			return 0, apperr.Internal(err)
		}
		if src.Layer() == policy.LayerIdentityBased {
			identity, identityLayer = policy.Layer{Type: src.Layer(), Set: cl.set}, cl
			continue
		}
		layers[len(guards)] = cl
		guards = append(guards, policy.Layer{Type: src.Layer(), Set: cl.set})
	}
	if identity.Type == "" {
		identity.Type = policy.LayerIdentityBased // no identity policies: nothing is allowed
	}
	req := policy.Request{Action: q.Action, Resource: q.Resource, Context: &policy.Context{
		SourceIP: q.SourceIP, CurrentTime: q.Now, SecureTransport: q.Secure, MFAPresent: q.Caller.MFAPresent,
		PrincipalARN: q.Caller.ARN(), AccessID: q.Caller.AccessKeyID,
	}}
	res := policy.Authorize(&req, guards, identity)
	switch {
	case res.Decision == policy.Allow:
		return ByPolicy, nil
	case res.Decision == policy.ImplicitDeny && res.Layer == policy.IdentityLayer && q.SelfService:
		return BySelfService, nil
	}
	deciding := identityLayer
	if res.Layer != policy.IdentityLayer {
		deciding = layers[res.Layer]
	}
	return 0, a.denial(q, res, deciding)
}

func (a *Authorizer) denial(q *Query, res policy.Result, deciding *compiledLayer) *apperr.Error {
	kind := "ImplicitDeny"
	if res.Decision == policy.ExplicitDeny {
		kind = "ExplicitDeny"
	}
	e := codeNoPermission.New(
		"You are not authorized to do this action. You should be authorized by RAM. Action: %s, Resource: %s, %s by %s.",
		q.Action, q.Resource, kind, res.PolicyType)
	e.Denied = &apperr.AccessDenied{
		AuthAction: q.Action, AuthPrincipalType: q.Caller.DeniedPrincipalType(),
		AuthPrincipalOwnerId: q.Caller.AccountID, AuthPrincipalDisplayName: q.Caller.DisplayName(),
		PolicyType: string(res.PolicyType), NoPermissionType: kind,
		EncodedDiagnosticMessage: a.diagnostic(q, kind, res, deciding),
	}
	return e
}

// diagnostic seals the details of a denial (down to the deciding statement)
// so only this deployment can decode them, and a tampered message is
// detected.
func (a *Authorizer) diagnostic(q *Query, kind string, res policy.Result, deciding *compiledLayer) string {
	d := map[string]any{
		"AuthAction": q.Action, "AuthResource": q.Resource, "NoPermissionType": kind,
		"NoPermissionPolicyType": res.PolicyType, "AuthPrincipal": map[string]string{
			"Arn": q.Caller.ARN(), "OwnerId": q.Caller.AccountID, "AccessKeyId": q.Caller.AccessKeyID},
		"AuthConditions": []map[string]any{{"ConditionKey": "acs:SourceIp", "ConditionValues": []string{q.SourceIP.String()}}},
	}
	if deciding != nil && res.Statement.Policy >= 0 && res.Statement.Policy < len(deciding.keys) {
		d["DecidingPolicy"] = deciding.keys[res.Statement.Policy]
		d["DecidingStatement"] = res.Statement.Statement
	}
	body, _ := json.Marshal(d)
	return base64.RawURLEncoding.EncodeToString(a.ring.Seal(body, []byte("diagnostic")))
}

// layer returns the compiled documents of one source's scope, read in tx
// (which began after since) when the cache does not hold them.
func (a *Authorizer) layer(tx store.Tx, since Snapshot, src Source, scope string, p *model.Principal) (*compiledLayer, error) {
	cl, _, ok := a.sets.Get(scope)
	if ok {
		return cl, nil
	}
	docs, err := src.Policies(tx, p)
	if err != nil {
		return nil, err
	}
	compiled := make([]*policy.Policy, 0, len(docs))
	keys := make([]string, 0, len(docs))
	for _, d := range docs {
		cp, err := a.compile(d)
		if err != nil {
			return nil, err
		}
		compiled = append(compiled, cp)
		keys = append(keys, d.Key)
	}
	cl = &compiledLayer{set: policy.NewSet(compiled...), keys: keys}
	// Not the generation Get returned: tx may have begun before it, and
	// only since is known to precede what tx reads.
	a.sets.Put(since.gen, p.AccountID, scope, cl)
	return cl, nil
}

func (a *Authorizer) compile(d policy.Doc) (*policy.Policy, error) {
	a.mu.RLock()
	cp, ok := a.compiled[d.Key]
	a.mu.RUnlock()
	if ok {
		return cp, nil
	}
	cp, err := policy.Parse(d.Document, policy.Identity)
	if err != nil {
		// Stored documents were validated on the way in; fail closed.
		return nil, fmt.Errorf("stored policy %s does not parse: %w", d.Key, err)
	}
	a.mu.Lock()
	// Every policy version ever used stays cached; bound the map so a
	// stream of new versions cannot grow it forever (rebuilding costs one
	// parse per document).
	if len(a.compiled) >= maxCompiled {
		a.compiled = map[string]*policy.Policy{}
	}
	a.compiled[d.Key] = cp
	a.mu.Unlock()
	return cp, nil
}

// InvalidateAccount drops the cached layers of an account's principals.
func (a *Authorizer) InvalidateAccount(accountID string) { a.sets.DropAccount(accountID) }

// InvalidateAll drops every cached layer.
func (a *Authorizer) InvalidateAll() { a.sets.DropAll() }
