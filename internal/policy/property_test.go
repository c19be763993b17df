package policy

import (
	"testing"
)

// Metamorphic properties (security goal G-AZ-2), checked on the production
// evaluator with random documents and requests.

// randomStatementSets returns 0-4 policies as statement lists.
func (g *gen) statementSets() [][]any {
	sets := make([][]any, g.between(0, 4))
	for i := range sets {
		sets[i] = g.statements(Identity)
	}
	return sets
}

func (g *gen) setOf(t *testing.T, sets [][]any) *Set {
	t.Helper()
	ps := make([]*Policy, len(sets))
	for i, sts := range sets {
		ps[i] = mustParseTest(t, g.document(sts), Identity)
	}
	return NewSet(ps...)
}

func TestPropertyAddingDenyNeverGrants(t *testing.T) {
	forEachSeed(t, func(t *testing.T, g *gen) {
		for range iterations(1000) {
			sets := g.statementSets()
			before := g.setOf(t, sets)
			deny := g.statement(Identity)
			deny["Effect"] = "Deny"
			// Add the Deny either to an existing policy or as a new one.
			grown := append([][]any(nil), sets...)
			if i := g.r.IntN(len(sets) + 1); i < len(sets) {
				grown[i] = append(append([]any(nil), sets[i]...), deny)
			} else {
				grown = append(grown, []any{deny})
			}
			after := g.setOf(t, grown)
			for range 10 {
				req := g.request()
				b, a := before.Evaluate(req), after.Evaluate(req)
				if a == Allow && b != Allow {
					t.Fatalf("adding a Deny turned %v into Allow\nrequest: %s\ndeny: %v", b, describeRequest(req), deny)
				}
				if b == ExplicitDeny && a != ExplicitDeny {
					t.Fatalf("adding a Deny turned ExplicitDeny into %v\nrequest: %s", a, describeRequest(req))
				}
			}
		}
	})
}

func TestPropertyOrderIrrelevant(t *testing.T) {
	forEachSeed(t, func(t *testing.T, g *gen) {
		for range iterations(1000) {
			sets := g.statementSets()
			original := g.setOf(t, sets)
			shuffled := make([][]any, len(sets))
			for i, sts := range sets {
				shuffled[i] = append([]any(nil), sts...)
				g.shuffle(len(shuffled[i]), func(a, b int) { shuffled[i][a], shuffled[i][b] = shuffled[i][b], shuffled[i][a] })
			}
			g.shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
			reordered := g.setOf(t, shuffled)
			for range 10 {
				req := g.request()
				if a, b := original.Evaluate(req), reordered.Evaluate(req); a != b {
					t.Fatalf("reordering changed %v into %v\nrequest: %s", a, b, describeRequest(req))
				}
			}
		}
	})
}

func TestPropertyEmptySetDenies(t *testing.T) {
	forEachSeed(t, func(t *testing.T, g *gen) {
		empties := []*Set{nil, NewSet(), NewSet(nil, nil)}
		for range iterations(1000) {
			req := g.request()
			for i, s := range empties {
				if d := s.Evaluate(req); d != ImplicitDeny {
					t.Fatalf("empty set %d gave %v for %s", i, d, describeRequest(req))
				}
			}
			if r := Authorize(req, nil, Layer{Type: LayerIdentityBased}); r != (Result{Decision: ImplicitDeny, PolicyType: LayerIdentityBased, Layer: IdentityLayer, Statement: noStatement}) {
				t.Fatalf("Authorize with no policies gave %+v", r)
			}
		}
	})
}

func TestPropertyGuardrailsOnlyNarrow(t *testing.T) {
	forEachSeed(t, func(t *testing.T, g *gen) {
		for range iterations(500) {
			identity := Layer{Type: LayerIdentityBased, Set: g.setOf(t, g.statementSets())}
			guardrails := make([]Layer, g.between(1, 3))
			for i := range guardrails {
				guardrails[i] = Layer{Type: LayerControl, Set: g.setOf(t, g.statementSets())}
			}
			for range 10 {
				req := g.request()
				with := Authorize(req, guardrails, identity)
				without := Authorize(req, nil, identity)
				if with.Decision == Allow && without.Decision != Allow {
					t.Fatalf("guardrails widened %+v into %+v\nrequest: %s", without, with, describeRequest(req))
				}
				anyExplicit := identity.Set.Evaluate(req) == ExplicitDeny
				for _, l := range guardrails {
					anyExplicit = anyExplicit || l.Set.Evaluate(req) == ExplicitDeny
				}
				if anyExplicit != (with.Decision == ExplicitDeny) {
					t.Fatalf("explicit deny in some layer = %v but Authorize gave %+v\nrequest: %s", anyExplicit, with, describeRequest(req))
				}
			}
		}
	})
}
