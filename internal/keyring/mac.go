package keyring

import (
	"crypto/hmac"
	"crypto/sha256"
	"io"

	"golang.org/x/crypto/hkdf"
)

// MAC returns HMAC-SHA256 of data under a key derived from the keyring's
// key (never the sealing key itself): a keyed hash of a value that is kept
// to be compared, never recovered, such as a verification code. Without
// the KEK, which never enters the database, a stolen database cannot test
// candidates against it. Use a Derive'd keyring per purpose.
func (k *Keyring) MAC(data []byte) []byte {
	key := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, k.kek, nil, []byte("canopy keyring mac")), key); err != nil {
		panic("keyring: hkdf: " + err.Error()) // cannot fail for 32 bytes
	}
	h := hmac.New(sha256.New, key)
	h.Write(data)
	return h.Sum(nil)
}
