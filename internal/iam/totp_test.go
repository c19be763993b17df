package iam

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

const testSeed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" // 160 bits

func codeAt(t *testing.T, step int64) string {
	t.Helper()
	c, err := totpCode(testSeed, step)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTOTPMatchesAuthenticatorApps(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 10, 0, time.UTC)
	want, err := totp.GenerateCode(testSeed, now) // what an app shows
	if err != nil {
		t.Fatal(err)
	}
	if got := codeAt(t, totpStep(now)); got != want {
		t.Fatalf("code %s, authenticator shows %s", got, want)
	}
}

func TestConsecutiveCodes(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 10, 0, time.UTC)
	cur := totpStep(now)
	cases := []struct {
		name   string
		c1, c2 int64 // steps relative to cur
		ok     bool
		step   int64
	}{
		{"pair ending now", -1, 0, true, 0},
		{"pair ending one step back", -2, -1, true, -1},
		{"pair ending two steps back", -3, -2, false, 0},
		{"pair from the future", 0, 1, false, 0},
		{"reversed order", 0, -1, false, 0},
		{"same code twice", 0, 0, false, 0},
		{"gap of one step", -2, 0, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code1, code2 := codeAt(t, cur+c.c1), codeAt(t, cur+c.c2)
			if code1 == code2 && c.c1 != c.c2 {
				t.Skip("two steps share a code by chance")
			}
			step, ok, err := matchConsecutive(testSeed, code1, code2, now, 0)
			if err != nil {
				t.Fatal(err)
			}
			if ok != c.ok || (ok && step != cur+c.step) {
				t.Fatalf("ok=%v step=%d; want ok=%v step=%d", ok, step-cur, c.ok, c.step)
			}
		})
	}
}

func TestConsecutiveCodesAreUsedOnce(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 10, 0, time.UTC)
	cur := totpStep(now)
	code1, code2 := codeAt(t, cur-1), codeAt(t, cur)
	if _, ok, _ := matchConsecutive(testSeed, code1, code2, now, cur); ok {
		t.Fatal("a pair whose steps were used already was accepted")
	}
	if _, ok, _ := matchConsecutive(testSeed, code1, code2, now, cur-2); !ok {
		t.Fatal("a fresh pair was refused")
	}
}

func TestSingleCodeIsUsedOnce(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 10, 0, time.UTC)
	cur := totpStep(now)
	step, ok, err := matchSingle(testSeed, codeAt(t, cur), now, cur-1)
	if err != nil || !ok || step != cur {
		t.Fatalf("fresh code refused: %v %v %d", ok, err, step)
	}
	if _, ok, _ := matchSingle(testSeed, codeAt(t, cur), now, cur); ok {
		t.Fatal("a code was accepted twice")
	}
	if _, ok, _ := matchSingle(testSeed, codeAt(t, cur-2), now, 0); ok {
		t.Fatal("a code two steps old was accepted")
	}
}

func TestCodeFormat(t *testing.T) {
	for code, want := range map[string]string{"123456": "", "12345": "InvalidParameter.AuthenticationCode.Format",
		"1234567": "InvalidParameter.AuthenticationCode.Format", "12345a": "InvalidParameter.AuthenticationCode.Format",
		"12 456": "InvalidParameter.AuthenticationCode.Format", "１２３４５６": "InvalidParameter.AuthenticationCode.Format"} {
		wantCode(t, checkCodeFormat(code), want)
	}
}
