package policy

import (
	"strings"
	"testing"
)

// Differential tests (security goal G-AZ-1): the production evaluator must
// agree with the naive reference in reference_test.go on random documents and
// requests.

const maxReportedDisagreements = 5

func TestDifferentialSet(t *testing.T) {
	forEachSeed(t, func(t *testing.T, g *gen) {
		failures := 0
		for range iterations(1200) {
			docs, ps := g.policies(t, Identity, g.between(0, 4))
			set := NewSet(ps...)
			for range 10 {
				req := g.request()
				want := refEvaluate(docs, req)
				if got := set.Evaluate(req); got != want {
					failures++
					t.Errorf("Set.Evaluate = %v, reference = %v\nrequest: %s\ndocuments:\n%s",
						got, want, describeRequest(req), strings.Join(docs, "\n"))
				}
				for i, p := range ps {
					want := refEvaluate(docs[i:i+1], req)
					if got := p.Evaluate(req); got != want {
						failures++
						t.Errorf("Policy.Evaluate = %v, reference = %v\nrequest: %s\ndocument: %s",
							got, want, describeRequest(req), docs[i])
					}
				}
				if failures >= maxReportedDisagreements {
					t.FailNow()
				}
			}
		}
	})
}

func TestDifferentialAuthorize(t *testing.T) {
	layerTypes := []LayerType{LayerControl, LayerSession, LayerControl}
	forEachSeed(t, func(t *testing.T, g *gen) {
		failures := 0
		for range iterations(600) {
			n := g.between(0, 3)
			guardDocs := make([][]string, n)
			guardTypes := make([]LayerType, n)
			guardrails := make([]Layer, n)
			for i := range guardrails {
				docs, ps := g.policies(t, Identity, g.between(0, 2))
				guardDocs[i], guardTypes[i] = docs, layerTypes[g.r.IntN(len(layerTypes))]
				guardrails[i] = Layer{Type: guardTypes[i], Set: NewSet(ps...)}
				if len(ps) == 0 && g.chance(0.5) {
					guardrails[i].Set = nil // a nil set behaves as an empty one
				}
			}
			idDocs, idPolicies := g.policies(t, Identity, g.between(0, 3))
			identity := Layer{Type: LayerIdentityBased, Set: NewSet(idPolicies...)}
			for range 10 {
				req := g.request()
				want := refAuthorize(req, guardDocs, guardTypes, idDocs, LayerIdentityBased)
				got := Authorize(req, guardrails, identity)
				deciding := idDocs
				if got.Layer != IdentityLayer {
					deciding = guardDocs[got.Layer]
				}
				stmtErr := refStatementDecides(deciding, got, req)
				verdict := got
				verdict.Statement = StatementRef{} // checked by refStatementDecides
				if verdict != want || stmtErr != nil {
					failures++
					t.Errorf("Authorize = %+v, reference = %+v (statement: %v)\nrequest: %s\nguardrails: %v %q\nidentity: %q",
						got, want, stmtErr, describeRequest(req), guardTypes, guardDocs, idDocs)
				}
				if failures >= maxReportedDisagreements {
					t.FailNow()
				}
			}
		}
	})
}

func TestDifferentialTrust(t *testing.T) {
	forEachSeed(t, func(t *testing.T, g *gen) {
		failures := 0
		for range iterations(2000) {
			docs, ps := g.policies(t, Trust, 1)
			for range 10 {
				req := g.request()
				if g.chance(0.5) {
					req.Action = g.randomCase("sts:AssumeRole")
				}
				caller := genCallers[g.r.IntN(len(genCallers))]
				want := refTrusts(docs[0], req, caller)
				if got := ps[0].TrustsPrincipal(req, caller); got != want {
					failures++
					t.Errorf("TrustsPrincipal = %v, reference = %v\ncaller: %+v\nrequest: %s\ndocument: %s",
						got, want, caller, describeRequest(req), docs[0])
				}
				if failures >= maxReportedDisagreements {
					t.FailNow()
				}
			}
		}
	})
}

// TestDifferentialCoverage guards the differential tests against a generator
// that silently stops producing interesting cases: every decision must occur
// a fair number of times.
func TestDifferentialCoverage(t *testing.T) {
	forEachSeed(t, func(t *testing.T, g *gen) {
		var counts [3]int
		for range iterations(1000) {
			docs, _ := g.policies(t, Identity, g.between(1, 3))
			counts[refEvaluate(docs, g.request())]++
		}
		for d, n := range counts {
			if n < iterations(1000)/50 {
				t.Errorf("decision %v occurred only %d times: %v", Decision(d), n, counts)
			}
		}
	})
}
