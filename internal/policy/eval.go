package policy

import (
	"net/netip"
	"time"
)

// Decision is the outcome of evaluating policies for one request. The zero
// value is ImplicitDeny so that a forgotten assignment fails closed.
type Decision uint8

const (
	ImplicitDeny Decision = iota // no statement allowed the request
	Allow                        // a statement allowed it and none denied it
	ExplicitDeny                 // a Deny statement matched
)

func (d Decision) String() string {
	switch d {
	case ImplicitDeny:
		return "ImplicitDeny"
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "Decision(invalid)"
}

// Request is what is being authorized.
type Request struct {
	Action   string   // "ram:CreateUser"; matched case-insensitively
	Resource string   // "acs:ram::1234567890123456:user/alice"; matched case-sensitively
	Context  *Context // nil means every condition key is absent
}

// Context carries the condition keys of a request. A zero field means the key
// is absent, except SecureTransport and MFAPresent, which are always present
// when Context is not nil.
type Context struct {
	SourceIP        netip.Addr // acs:SourceIp
	CurrentTime     time.Time  // acs:CurrentTime
	SecureTransport bool       // acs:SecureTransport
	MFAPresent      bool       // acs:MFAPresent
	PrincipalARN    string     // acs:PrincipalARN
	AccessID        string     // acs:AccessId (the AccessKeyId used)
	// Extra holds every other key, named as NormalizeConditionKey returns
	// (e.g. "ram:servicename"). A key listed several times has the union of
	// its values; a key with no values is absent. Extra cannot override the
	// typed fields above.
	Extra []KeyValues
}

// KeyValues is one multi-valued condition key.
type KeyValues struct {
	Key    string
	Values []string
}

// matchesRest reports whether st applies to req given that its action already
// matched.
func (st *statement) matchesRest(req *Request) bool {
	if !st.anyResource && !st.matchesResource(req.Resource) {
		return false
	}
	for i := range st.conditions {
		if !st.conditions[i].holds(req.Context) {
			return false
		}
	}
	return true
}

func (st *statement) matchesAction(action string) bool {
	matched := false
	for i := range st.actions {
		if st.actions[i].match(action) {
			matched = true
			break
		}
	}
	return matched != st.notAction
}

func (st *statement) matchesResource(resource string) bool {
	matched := false
	for i := range st.resources {
		if st.resources[i].match(resource) {
			matched = true
			break
		}
	}
	return matched != st.notResource
}

// Evaluate decides req against this policy alone: any matching Deny gives
// ExplicitDeny, otherwise any matching Allow gives Allow, otherwise
// ImplicitDeny. A trust policy always gives ImplicitDeny here because it has
// no resources to check; use TrustsPrincipal for it.
func (p *Policy) Evaluate(req *Request) Decision {
	if p == nil || p.kind != Identity {
		return ImplicitDeny
	}
	allowed := false
	for i := range p.statements {
		st := &p.statements[i]
		if (!st.deny && allowed) || !st.matchesAction(req.Action) || !st.matchesRest(req) {
			continue
		}
		if st.deny {
			return ExplicitDeny
		}
		allowed = true
	}
	if allowed {
		return Allow
	}
	return ImplicitDeny
}
