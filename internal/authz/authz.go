// Package authz answers the pipeline's authorization question for every
// action of every product with the same code: it gathers the caller's
// policies (compiled once and cached), asks the pure policy engine, and
// turns a denial into NoPermission with AccessDeniedDetail.
package authz

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/cache"
	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/policy"
	"github.com/canopy-iam/canopy/internal/store"
)

// PolicyDoc is one policy attached to a principal. Key identifies the
// document's content for caching (a policy version never changes, so e.g.
// "Custom/<account>/<name>/v3" or "System/AdministratorAccess/v1").
type PolicyDoc struct {
	Key      string
	Document string
}

// PolicySource lists the identity policies of a principal (a RAM user's own
// and its groups').
type PolicySource interface {
	IdentityPolicies(tx store.Tx, p *model.Principal) ([]PolicyDoc, error)
}

// maxCompiled bounds the compiled-policy cache.
const maxCompiled = 50_000

// Authorizer implements api.Authorizer.
type Authorizer struct {
	st   store.Store
	src  PolicySource
	ring *keyring.Keyring

	sets *cache.ByAccount[*policy.Set] // by account + "\x00" + user

	mu       sync.RWMutex
	compiled map[string]*policy.Policy // by PolicyDoc.Key; versions never change
}

// New builds an authorizer; ring seals EncodedDiagnosticMessage.
func New(st store.Store, src PolicySource, ring *keyring.Keyring) *Authorizer {
	return &Authorizer{st: st, src: src, ring: ring, compiled: map[string]*policy.Policy{},
		sets: cache.New[*policy.Set]()}
}

// Authorize implements api.Authorizer.
func (a *Authorizer) Authorize(ctx context.Context, q *api.AuthzQuery) error {
	if q.Caller.Kind == model.Root {
		return nil // the root user has full access to its own account
	}
	set, err := a.identitySet(ctx, q.Caller)
	if err != nil {
		return apperr.Internal(err)
	}
	req := policy.Request{Action: q.Action, Resource: q.Resource, Context: &policy.Context{
		SourceIP: q.SourceIP, CurrentTime: q.Now, SecureTransport: q.Secure, MFAPresent: q.Caller.MFAPresent,
		PrincipalARN: q.Caller.ARN(), AccessID: q.Caller.AccessKeyID,
	}}
	res := policy.Authorize(&req, nil, policy.Layer{Type: policy.LayerIdentityBased, Set: set})
	if res.Decision == policy.Allow {
		return nil
	}
	return a.denial(q, res)
}

func (a *Authorizer) denial(q *api.AuthzQuery, res policy.Result) *apperr.Error {
	kind := "ImplicitDeny"
	if res.Decision == policy.ExplicitDeny {
		kind = "ExplicitDeny"
	}
	e := apperr.Forbidden("NoPermission",
		"You are not authorized to do this action. You should be authorized by RAM. Action: %s, Resource: %s, %s by %s.",
		q.Action, q.Resource, kind, res.PolicyType)
	e.Denied = &apperr.AccessDenied{
		AuthAction: q.Action, AuthPrincipalType: q.Caller.DeniedPrincipalType(),
		AuthPrincipalOwnerId: q.Caller.AccountID, AuthPrincipalDisplayName: q.Caller.DisplayName(),
		PolicyType: string(res.PolicyType), NoPermissionType: kind,
		EncodedDiagnosticMessage: a.diagnostic(q, kind, res.PolicyType),
	}
	return e
}

// diagnostic seals the details of a denial so only this deployment can
// decode them (and a tampered message is detected).
func (a *Authorizer) diagnostic(q *api.AuthzQuery, kind string, layer policy.LayerType) string {
	body, _ := json.Marshal(map[string]any{
		"AuthAction": q.Action, "AuthResource": q.Resource, "NoPermissionType": kind,
		"NoPermissionPolicyType": layer, "AuthPrincipal": map[string]string{
			"Arn": q.Caller.ARN(), "OwnerId": q.Caller.AccountID, "AccessKeyId": q.Caller.AccessKeyID},
		"AuthConditions": []map[string]any{{"ConditionKey": "acs:SourceIp", "ConditionValues": []string{q.SourceIP.String()}}},
	})
	return base64.RawURLEncoding.EncodeToString(a.ring.Seal(body, []byte("diagnostic")))
}

// identitySet returns the caller's compiled identity policies.
func (a *Authorizer) identitySet(ctx context.Context, p *model.Principal) (*policy.Set, error) {
	k := p.AccountID + "\x00" + p.UserName
	set, gen, ok := a.sets.Get(k)
	if ok {
		return set, nil
	}
	var docs []PolicyDoc
	if err := a.st.Read(ctx, func(tx store.Tx) error {
		var err error
		docs, err = a.src.IdentityPolicies(tx, p)
		return err
	}); err != nil {
		return nil, err
	}
	compiled := make([]*policy.Policy, 0, len(docs))
	for _, d := range docs {
		cp, err := a.compile(d)
		if err != nil {
			return nil, err
		}
		compiled = append(compiled, cp)
	}
	set = policy.NewSet(compiled...)
	a.sets.Put(gen, p.AccountID, k, set)
	return set, nil
}

func (a *Authorizer) compile(d PolicyDoc) (*policy.Policy, error) {
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

// InvalidateAccount drops the cached sets of an account's principals.
func (a *Authorizer) InvalidateAccount(accountID string) { a.sets.DropAccount(accountID) }

// InvalidateAll drops every cached set.
func (a *Authorizer) InvalidateAll() { a.sets.DropAll() }
