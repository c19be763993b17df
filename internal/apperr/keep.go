package apperr

import "errors"

// kept is a refusal whose writes are committed all the same.
type kept struct{ e *Error }

func (k *kept) Error() string { return k.e.Error() }
func (k *kept) Unwrap() error { return k.e }

// KeepWrites marks a refusal whose transaction must still commit: the call
// fails with e, but what it wrote before failing stays (a wrong
// verification code is counted against the code, so guessing is bounded
// although every guess is refused). The domain writes, before returning
// it, only what the failure itself must leave behind.
func KeepWrites(e *Error) error { return &kept{e: e} }

// KeptWrites returns the refusal of an error built by KeepWrites.
func KeptWrites(err error) (*Error, bool) {
	var k *kept
	if errors.As(err, &k) {
		return k.e, true
	}
	return nil, false
}
