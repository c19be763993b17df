package directory

import (
	"strings"
	"testing"
)

func TestRecordIDsAreRandomUUIDs(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		id := newRecordID()
		if !isRecordID(id) || id[14] != '4' || !strings.ContainsRune("89ab", rune(id[19])) {
			t.Fatalf("%q is not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("%q drawn twice", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "0B7F3C2E-9A1D-4C55-8E2A-3F6B1D9C0E7A", "0b7f3c2e-9a1d-4c55-8e2a-3f6b1d9c0e7", "0b7f3c2e_9a1d-4c55-8e2a-3f6b1d9c0e7a"} {
		if isRecordID(bad) {
			t.Errorf("isRecordID(%q)", bad)
		}
	}
}

func TestParseToken(t *testing.T) {
	const record = "0b7f3c2e-9a1d-4c55-8e2a-3f6b1d9c0e7a"
	secret := strings.Repeat("A", 43) // 32 bytes, unpadded base64url
	if ma, r, s, ok := parseToken("1234567890123456." + record + "." + secret); !ok || ma != "1234567890123456" || r != record || s != secret {
		t.Fatalf("parseToken of a good token: %q %q %q %v", ma, r, s, ok)
	}
	for name, bad := range map[string]string{
		"empty":          "",
		"two parts":      "1234567890123456." + record,
		"four parts":     "1234567890123456." + record + "." + secret + ".x",
		"letters in id":  "12345678901234ab." + record + "." + secret,
		"bad record":     "1234567890123456.nope." + secret,
		"short secret":   "1234567890123456." + record + "." + secret[:40],
		"padded secret":  "1234567890123456." + record + "." + secret + "=",
		"not base64url":  "1234567890123456." + record + "." + strings.Repeat("+", 43),
		"overlong token": strings.Repeat("1", 201),
	} {
		if _, _, _, ok := parseToken(bad); ok {
			t.Errorf("%s: parseToken(%q) accepted", name, bad)
		}
	}
}

func TestCheckEmail(t *testing.T) {
	if err := checkEmail("Owner.Name+tag@example.com"); err != nil {
		t.Fatalf("a good address refused: %v", err)
	}
	for _, bad := range []string{"owner", "Owner <owner@example.com>", "a@b.com, c@d.com", "a @example.com", "a@example.com\n", strings.Repeat("a", 120) + "@example.com"} {
		if err := checkEmail(bad); err == nil || !strings.HasPrefix(err.Error(), "InvalidParameter.Email:") {
			t.Errorf("checkEmail(%q) = %v; want InvalidParameter.Email", bad, err)
		}
	}
	if err := checkEmail(""); err == nil || !strings.HasPrefix(err.Error(), "MissingParameter.Email:") {
		t.Errorf("checkEmail(\"\") = %v", err)
	}
}
