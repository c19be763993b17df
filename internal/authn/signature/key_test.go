package signature

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// Pooled MAC states and buffers must never leak between concurrent
// verifications, across keys or across schemes. Run with -race.
func TestKeyConcurrentUse(t *testing.T) {
	secrets := []string{"alpha", "beta", "gamma"}
	keys := make([]*Key, len(secrets))
	for i, s := range secrets {
		keys[i] = NewKey(s)
	}
	type job struct {
		key     int
		v1      bool
		method  string
		raw     string
		v3      *v3Request
		correct bool
	}
	rng := rand.New(rand.NewPCG(13, 14))
	var jobs []job
	for i := range 300 {
		signer := i % len(secrets)
		verifier := signer
		if i%5 == 0 {
			verifier = (signer + 1) % len(secrets)
		}
		if i%2 == 0 {
			method, raw := signedV1Request(rng, secrets[signer])
			jobs = append(jobs, job{key: verifier, v1: true, method: method, raw: raw, correct: verifier == signer})
		} else {
			jobs = append(jobs, job{key: verifier, v3: newV3Request(rng, secrets[signer]), correct: verifier == signer})
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 20 {
				for i := range jobs {
					j := jobs[(i+w*37+round)%len(jobs)]
					var err error
					if j.v1 {
						err = verifyTunedMethod(keys[j.key], j.method, j.raw)
					} else {
						err = j.v3.verify(keys[j.key])
					}
					if (err == nil) != j.correct || (err != nil && !errors.Is(err, ErrSignatureMismatch)) {
						errs <- fmt.Errorf("worker %d job %d: correct=%v err=%v", w, i, j.correct, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func verifyTunedMethod(key *Key, method, raw string) error {
	p, err := ParseQuery(raw)
	if err != nil {
		return err
	}
	sig, _ := p.Get(SignatureParam)
	return key.VerifyV1(method, p, sig)
}

// The tuned path is allocation-bounded; this fails if a change makes the
// per-request cost regress badly (the target is at most 10).
func TestVerifyV1Allocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	key := NewKey(benchSecret)
	allocs := testing.AllocsPerRun(200, func() {
		if err := verifyTuned(key, benchQuery); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 4 {
		t.Fatalf("ParseQuery+VerifyV1 allocates %v times per request", allocs)
	}
}
