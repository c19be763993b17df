package authz

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/policy"
	"github.com/canopy-iam/canopy/internal/store"
)

// docSource serves fixed documents per scope and counts its reads.
type docSource struct {
	layer policy.LayerType
	scope func(p *model.Principal) string
	docs  map[string][]policy.Doc
	reads int
}

func (s *docSource) Layer() policy.LayerType         { return s.layer }
func (s *docSource) Scope(p *model.Principal) string { return s.scope(p) }
func (s *docSource) Policies(_ store.Tx, p *model.Principal) ([]policy.Doc, error) {
	s.reads++
	return s.docs[s.scope(p)], nil
}

func doc(key, effect, action, resource string) policy.Doc {
	return policy.Doc{Key: key, Document: `{"Version":"1","Statement":[{"Effect":"` + effect + `","Action":"` + action + `","Resource":"` + resource + `"}]}`}
}

const acct = "1234567890123456"

var (
	alice   = &model.Principal{Kind: model.RAMUser, AccountID: acct, UserName: "alice", UserID: "u-alice"}
	session = &model.Principal{Kind: model.AssumedRole, AccountID: acct, Session: &model.Session{
		RoleName: "ops", RoleID: "r-ops", SessionName: "s1", Policy: "narrow"}}
	root = &model.Principal{Kind: model.Root, AccountID: acct}
)

func newAuthorizer(t *testing.T) (*Authorizer, *docSource, *docSource, *keyring.Keyring) {
	t.Helper()
	ring, err := keyring.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	identity := &docSource{layer: policy.LayerIdentityBased, scope: func(p *model.Principal) string {
		if id := p.Identity(); id.Type != "" {
			return id.Key()
		}
		return ""
	}, docs: map[string][]policy.Doc{
		alice.Identity().Key(): {doc("Custom/readers/v1", "Allow", "ram:Get*", "*"),
			doc("Custom/no-boss/v1", "Deny", "ram:*", "acs:ram::"+acct+":user/boss")},
		session.Identity().Key(): {doc("System/AdministratorAccess/v1", "Allow", "*", "*")},
	}}
	sessionPolicy := &docSource{layer: policy.LayerSession, scope: func(p *model.Principal) string {
		if p.Session == nil || p.Session.Policy == "" {
			return ""
		}
		return "session/" + p.Session.Policy
	}, docs: map[string][]policy.Doc{"session/narrow": {doc("Session/narrow", "Allow", "ram:List*", "*")}}}
	return New(ring, identity, sessionPolicy), identity, sessionPolicy, ring
}

func query(p *model.Principal, action, resource string, self bool) *Query {
	return &Query{Caller: p, Action: action, Resource: resource, SelfService: self}
}

func denied(t *testing.T, err error) *apperr.Error {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != "NoPermission" || e.Kind != apperr.KindDenied || e.Denied == nil {
		t.Fatalf("got %v; want NoPermission with AccessDeniedDetail", err)
	}
	return e
}

func TestGrants(t *testing.T) {
	a, _, _, _ := newAuthorizer(t)
	cases := []struct {
		name string
		q    *Query
		want Grant
	}{
		{"root owns its account", query(root, "ram:DeleteUser", "*", false), ByOwnership},
		{"identity allow", query(alice, "ram:GetUser", "acs:ram::"+acct+":user/bob", false), ByPolicy},
		{"self-service fills an implicit deny", query(alice, "ram:CreateAccessKey", "acs:ram::"+acct+":user/alice", true), BySelfService},
		{"role and session policy both allow", query(session, "ram:ListUsers", "*", false), ByPolicy},
	}
	for _, c := range cases {
		if got, err := a.Authorize(nil, c.q); err != nil || got != c.want {
			t.Errorf("%s: got %v %v; want %v", c.name, got, err, c.want)
		}
	}
}

func TestDenials(t *testing.T) {
	a, _, _, _ := newAuthorizer(t)
	cases := []struct {
		name            string
		q               *Query
		kind, layerType string
	}{
		{"no statement allows", query(alice, "ram:CreateUser", "*", false), "ImplicitDeny", "AccountLevelIdentityBasedPolicy"},
		{"a Deny beats an Allow", query(alice, "ram:GetUser", "acs:ram::"+acct+":user/boss", false), "ExplicitDeny", "AccountLevelIdentityBasedPolicy"},
		{"a Deny beats self-service", query(alice, "ram:GetUser", "acs:ram::"+acct+":user/boss", true), "ExplicitDeny", "AccountLevelIdentityBasedPolicy"},
		{"the session policy narrows the role", query(session, "ram:DeleteUser", "*", false), "ImplicitDeny", "SessionPolicy"},
		{"self-service never overrides a guardrail", query(session, "ram:DeleteUser", "*", true), "ImplicitDeny", "SessionPolicy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := a.Authorize(nil, c.q)
			e := denied(t, err)
			if e.Denied.NoPermissionType != c.kind || e.Denied.PolicyType != c.layerType || e.Denied.AuthAction != c.q.Action {
				t.Errorf("detail %+v; want %s by %s", e.Denied, c.kind, c.layerType)
			}
		})
	}
}

// The sealed diagnostic names the policy and statement that decided.
func TestDiagnosticNamesTheDecidingStatement(t *testing.T) {
	a, _, _, ring := newAuthorizer(t)
	_, err := a.Authorize(nil, query(alice, "ram:GetUser", "acs:ram::"+acct+":user/boss", false))
	e := denied(t, err)
	sealed, err := base64.RawURLEncoding.DecodeString(e.Denied.EncodedDiagnosticMessage)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := ring.Open(sealed, []byte("diagnostic"))
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(plain, &d); err != nil {
		t.Fatal(err)
	}
	if d["DecidingPolicy"] != "Custom/no-boss/v1" || d["DecidingStatement"] != float64(0) {
		t.Errorf("diagnostic %v does not name Custom/no-boss/v1 statement 0", d)
	}
}

// Compiled layers are cached by identity until the account changes.
func TestLayersAreCachedUntilTheAccountChanges(t *testing.T) {
	a, identity, sessionPolicy, _ := newAuthorizer(t)
	for range 3 {
		if _, err := a.Authorize(nil, query(session, "ram:ListUsers", "*", false)); err != nil {
			t.Fatal(err)
		}
	}
	if identity.reads != 1 || sessionPolicy.reads != 1 {
		t.Fatalf("reads: identity %d, session %d; want 1 each", identity.reads, sessionPolicy.reads)
	}
	a.InvalidateAccount(acct)
	if _, err := a.Authorize(nil, query(session, "ram:ListUsers", "*", false)); err != nil {
		t.Fatal(err)
	}
	if identity.reads != 2 {
		t.Fatalf("identity read %d times after the account changed; want 2", identity.reads)
	}
}

// A transaction that began before a change was applied reads documents the
// change may have made stale: they decide its own query, but are not
// cached, or the change would be lost on this node until the account next
// changed.
func TestLayersReadBeforeAnInvalidationAreNotCached(t *testing.T) {
	a, identity, _, _ := newAuthorizer(t)
	q := query(alice, "ram:GetUser", "*", false)
	q.Since = a.Snapshot() // the transaction begins
	a.InvalidateAccount(acct)
	if _, err := a.Authorize(nil, q); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		q.Since = a.Snapshot()
		if _, err := a.Authorize(nil, q); err != nil {
			t.Fatal(err)
		}
	}
	if identity.reads != 2 {
		t.Fatalf("identity read %d times; want 2: once in the older transaction, uncached, then once cached", identity.reads)
	}
}

// A cached allow costs only the strings it must build: the caller's ARN
// (acs:PrincipalARN) and each layer's scope (here one, the user's).
func TestCachedAllowAllocatesLittle(t *testing.T) {
	a, _, _, _ := newAuthorizer(t)
	q := query(alice, "ram:GetUser", "acs:ram::"+acct+":user/bob", false)
	if _, err := a.Authorize(nil, q); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(200, func() {
		if g, err := a.Authorize(nil, q); err != nil || g != ByPolicy {
			t.Fatal(g, err)
		}
	})
	if allocs > 2 {
		t.Fatalf("a cached allow allocates %.0f times; want at most 2", allocs)
	}
}
