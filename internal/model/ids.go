package model

import (
	"crypto/rand"
	"math/big"
	"time"
)

const (
	digits   = "0123456789"
	base62   = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	hexUpper = "0123456789ABCDEF"
)

// randomString draws n characters of alphabet from crypto/rand.
func randomString(alphabet string, n int) string {
	out := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range out {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("crypto/rand failed: " + err.Error()) // the OS RNG never fails on Linux
		}
		out[i] = alphabet[v.Int64()]
	}
	return string(out)
}

// NewAccountID returns a random 16-digit account id without a leading zero.
func NewAccountID() string { return randomString("123456789", 1) + randomString(digits, 15) }

// NewEntityID returns a random 16-digit id for users, groups and roles.
func NewEntityID() string { return randomString("123456789", 1) + randomString(digits, 15) }

// NewAccessKeyID returns a long-term AccessKey id (LTAI + 20 characters).
func NewAccessKeyID() string { return "LTAI" + randomString(base62, 20) }

// NewAccessKeySecret returns a 30-character AccessKey secret.
func NewAccessKeySecret() string { return randomString(base62, 30) }

// NewTemporaryAccessKeyID is the AccessKey id of STS credentials.
func NewTemporaryAccessKeyID() string { return "STS." + randomString(base62, 24) }

// NewRequestID returns an upper-case UUID-shaped request id. It is a
// version-7 UUID: the first 48 bits are the Unix time in milliseconds, so
// ids (which are also audit event ids) grow with time and the store appends
// them to its indexes instead of scattering random inserts.
func NewRequestID() string {
	var b [16]byte
	if _, err := rand.Read(b[6:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	ms := uint64(time.Now().UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	out := make([]byte, 36)
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j] = hexUpper[c>>4]
		out[j+1] = hexUpper[c&0xf]
		j += 2
	}
	return string(out)
}

// IsAccountID reports whether s can be an account id (digits only), so a
// malformed ARN is never looked up.
func IsAccountID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NewAlphanumeric returns n random letters and digits, for the ids of
// Resource Directory objects (rd-, r-, fd-, h- + alphanumerics).
func NewAlphanumeric(n int) string { return randomString(base62, n) }
