package api

import (
	"strings"
	"testing"
)

// Redaction ignores case (Unicode's too) and any ".N" suffix, whatever
// the name's length.
func TestIsSecretIgnoresCase(t *testing.T) {
	r := NewRegistry()
	for key, want := range map[string]bool{
		"Password": true, "PASSWORD": true, "password.1": true, "NewPassword.2.x": true,
		"AccessKeySecret": true, "Access\u212AeySecret": true, // the Kelvin sign lowers to k
		"UserName": false, "Pass": false, "": false, "Passwordx": false,
		strings.Repeat("P", 100): false, "password" + strings.Repeat("x", 100): false,
	} {
		if got := r.isSecret(key); got != want {
			t.Errorf("isSecret(%q) = %v; want %v", key, got, want)
		}
	}
}
