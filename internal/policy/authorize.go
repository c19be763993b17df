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
	// Layer is the index of the deciding layer among the guardrails, or
	// -1 for the identity layer.
	Layer int
	// Statement names the statement that decided within that layer's Set
	// (the Deny that matched, or the identity Allow); {-1, -1} when no
	// statement matched (an implicit deny).
	Statement StatementRef
}

// IdentityLayer is Result.Layer for the identity layer.
const IdentityLayer = -1

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
		switch d, ref := guardrails[i].Set.Decide(req); d {
		case ExplicitDeny:
			return Result{Decision: ExplicitDeny, PolicyType: guardrails[i].Type, Layer: i, Statement: ref}
		case ImplicitDeny:
			if firstNotAllowed < 0 {
				firstNotAllowed = i
			}
		}
	}
	decision, ref := identity.Set.Decide(req)
	if decision == ExplicitDeny {
		return Result{Decision: ExplicitDeny, PolicyType: identity.Type, Layer: IdentityLayer, Statement: ref}
	}
	if firstNotAllowed >= 0 {
		return Result{Decision: ImplicitDeny, PolicyType: guardrails[firstNotAllowed].Type, Layer: firstNotAllowed, Statement: noStatement}
	}
	if decision != Allow {
		return Result{Decision: ImplicitDeny, PolicyType: identity.Type, Layer: IdentityLayer, Statement: noStatement}
	}
	return Result{Decision: Allow, Layer: IdentityLayer, Statement: ref}
}

// Doc is a stored policy document. Key names the document's exact content
// (a stored policy version never changes), so a compiled form can be cached
// by it, e.g. "Custom/<account>/<policy id>/v3" or "System/<name>/v1".
type Doc struct {
	Key      string
	Document string
}
