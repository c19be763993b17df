package policy

// LayerType names a kind of policy in a decision. The values are the wire
// names used in AccessDeniedDetail's PolicyType.
type LayerType string

const (
	LayerIdentityBased LayerType = "AccountLevelIdentityBasedPolicy"
	LayerSession       LayerType = "SessionPolicy"
	LayerControl       LayerType = "ControlPolicy"
	LayerAssumeRole    LayerType = "AssumeRolePolicy"
)

// Layer is one set of policies that takes part in a decision.
type Layer struct {
	Type LayerType
	Set  *Set // nil behaves as an empty set (ImplicitDeny)
}

// Result is the full authorization decision.
type Result struct {
	Decision Decision
	// PolicyType is the layer that caused a denial; empty when allowed.
	PolicyType LayerType
}

// Authorize makes the full decision for req. Guardrails (control policies,
// session policy, ...) only narrow what the identity layer grants:
//
//  1. an explicit Deny in any layer wins: guardrails are checked in order,
//     then the identity layer, and the first one that denies is reported;
//  2. otherwise the first guardrail that does not Allow gives ImplicitDeny;
//  3. otherwise the identity layer decides.
//
// It does not allocate.
func Authorize(req *Request, guardrails []Layer, identity Layer) Result {
	firstNotAllowed := -1
	for i := range guardrails {
		switch guardrails[i].Set.Evaluate(req) {
		case ExplicitDeny:
			return Result{Decision: ExplicitDeny, PolicyType: guardrails[i].Type}
		case ImplicitDeny:
			if firstNotAllowed < 0 {
				firstNotAllowed = i
			}
		}
	}
	decision := identity.Set.Evaluate(req)
	if decision == ExplicitDeny {
		return Result{Decision: ExplicitDeny, PolicyType: identity.Type}
	}
	if firstNotAllowed >= 0 {
		return Result{Decision: ImplicitDeny, PolicyType: guardrails[firstNotAllowed].Type}
	}
	if decision != Allow {
		return Result{Decision: ImplicitDeny, PolicyType: identity.Type}
	}
	return Result{Decision: Allow}
}
