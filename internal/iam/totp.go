package iam

import (
	"crypto/subtle"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters (RFC 6238 defaults, what authenticator apps assume).
const (
	totpPeriod = 30 // seconds per step
	totpDigits = otp.DigitsSix
	// seedBytes is the secret size: 160 bits, RFC 4226's recommendation.
	seedBytes = 20
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}

// totpStep is the step a time falls in.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// totpCode is the code of a step.
func totpCode(secret string, step int64) (string, error) {
	return totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0).UTC(), totpOpts)
}

func codeIs(secret string, step int64, code string) (bool, error) {
	want, err := totpCode(secret, step)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1, nil
}

// checkCodeFormat accepts exactly six ASCII digits.
func checkCodeFormat(code string) error {
	if len(code) != 6 {
		return invalid("AuthenticationCode", "Format", "The parameter AuthenticationCode must be 6 digits.")
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return invalid("AuthenticationCode", "Format", "The parameter AuthenticationCode must be 6 digits.")
		}
	}
	return nil
}

// matchConsecutive reports whether code1 and code2 are the codes of two
// consecutive steps, the second being the current step or the one before
// (one step of grace for a slow user or network, RFC 6238 §5.2), both newer
// than usedUpTo. It returns the step of code2 so that neither code can be
// used again.
func matchConsecutive(secret, code1, code2 string, now time.Time, usedUpTo int64) (int64, bool, error) {
	cur := totpStep(now)
	for _, last := range []int64{cur, cur - 1} {
		if last-1 <= usedUpTo {
			continue
		}
		ok2, err := codeIs(secret, last, code2)
		if err != nil {
			return 0, false, err
		}
		ok1, err := codeIs(secret, last-1, code1)
		if err != nil {
			return 0, false, err
		}
		if ok1 && ok2 {
			return last, true, nil
		}
	}
	return 0, false, nil
}

// matchSingle reports whether code is the code of the current step or one
// step either side, and newer than usedUpTo (each code works once). It
// returns the matching step.
func matchSingle(secret, code string, now time.Time, usedUpTo int64) (int64, bool, error) {
	cur := totpStep(now)
	for _, step := range []int64{cur, cur - 1, cur + 1} {
		if step <= usedUpTo {
			continue
		}
		ok, err := codeIs(secret, step, code)
		if err != nil || ok {
			return step, ok, err
		}
	}
	return 0, false, nil
}
