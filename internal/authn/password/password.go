// Package password hashes console passwords with argon2id (OWASP minimum
// parameters: 19 MiB, 2 passes, 1 lane) and verifies them in constant time.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

const (
	memoryKiB = 19 * 1024
	passes    = 2
	lanes     = 1
	keyLen    = 32
	saltLen   = 16
	// MaxLength caps what we hash: longer input is refused, never truncated.
	MaxLength = 128
)

// hashing bounds concurrent argon2 runs so a burst of logins cannot exhaust
// memory (each run holds 19 MiB).
var hashing = make(chan struct{}, 4)

func derive(pw string, salt []byte, m, t uint32, p uint8, n uint32) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey([]byte(pw), salt, t, m, p, n)
}

// Hash returns the PHC-style encoding of an argon2id hash of pw.
func Hash(pw string) (string, error) {
	if len(pw) > MaxLength {
		return "", fmt.Errorf("password longer than %d bytes", MaxLength)
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := derive(pw, salt, memoryKiB, passes, lanes, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, lanes,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMalformedHash reports a stored hash this package cannot read.
var ErrMalformedHash = errors.New("password: malformed hash")

// Verify reports whether pw matches the encoded hash.
func Verify(encoded, pw string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformedHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, ErrMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, ErrMalformedHash
	}
	if len(pw) > MaxLength {
		return false, nil
	}
	got := derive(pw, salt, m, t, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
