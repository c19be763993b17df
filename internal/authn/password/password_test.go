package password

import (
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	h, err := Hash("Correct-Horse-1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, "Correct") {
		t.Fatalf("unexpected encoding %q", h)
	}
	for pw, want := range map[string]bool{"Correct-Horse-1": true, "correct-horse-1": false, "Correct-Horse-": false, "": false} {
		ok, err := Verify(h, pw)
		if err != nil || ok != want {
			t.Errorf("Verify(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if h2, _ := Hash("Correct-Horse-1"); h2 == h {
		t.Error("two hashes of one password are equal: salt is not random")
	}
	if _, err := Hash(strings.Repeat("x", MaxLength+1)); err == nil {
		t.Error("overlong password accepted")
	}
	if _, err := Verify("$bcrypt$x", "a"); err == nil {
		t.Error("malformed hash accepted")
	}
}
