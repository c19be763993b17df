// Package policy parses, compiles and evaluates Alibaba Cloud RAM policy
// documents: identity policies (custom and system RAM policies, STS session
// policies, Resource Directory control policies) and role trust policies
// (AssumeRolePolicyDocument).
//
// The package is pure: it performs no I/O and keeps no global mutable state.
// Parsing is strict (unknown keys, duplicate keys, wrong types and malformed
// condition values are all rejected with a *SyntaxError) because a permissive
// parser would let a document mean something different to us than to its
// author. Evaluation works on the compiled form and allocates nothing, so it
// can run on every request.
//
// Typical use:
//
//	p, err := policy.Parse(doc, policy.Identity) // once per policy version, then cache
//	set := policy.NewSet(p1, p2, p3)             // once per principal, then cache
//	res := policy.Authorize(&req, guardrails, policy.Layer{Type: policy.LayerIdentityBased, Set: set})
package policy
