// Package keyring seals secrets the server must recover (AccessKey secrets,
// TOTP seeds) with AES-256-GCM under a key-encryption key (KEK) that never
// enters the database: it lives in a file in the data directory, or comes
// from the environment.
package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/hkdf"
)

// EnvKEK names the environment variable that may carry the KEK (base64 of
// 32 bytes); it wins over the key file.
const EnvKEK = "CANOPY_KEK"

// FileName is the KEK file inside the data directory.
const FileName = "kek"

// version prefixes every sealed value so the format can evolve.
const version = 1

// Keyring seals and opens secrets.
type Keyring struct {
	aead  cipher.AEAD
	keyID [4]byte // first bytes of SHA-256(KEK): tells which key sealed a row
	kek   []byte  // kept to derive purpose keys
}

// New builds a keyring from a 32-byte KEK.
func New(kek []byte) (*Keyring, error) {
	if len(kek) != 32 {
		return nil, fmt.Errorf("keyring: the key-encryption key must be 32 bytes, got %d", len(kek))
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	k := &Keyring{aead: aead, kek: append([]byte(nil), kek...)}
	sum := sha256.Sum256(kek)
	copy(k.keyID[:], sum[:4])
	return k, nil
}

// Load returns the KEK from $CANOPY_KEK, else from <dataDir>/kek, creating
// that file (mode 0600) with a fresh random key when it does not exist.
func Load(dataDir string) (*Keyring, error) {
	if v := strings.TrimSpace(os.Getenv(EnvKEK)); v != "" {
		kek, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("keyring: %s is not base64: %w", EnvKEK, err)
		}
		return New(kek)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("keyring: create data directory: %w", err)
	}
	path := filepath.Join(dataDir, FileName)
	kek, err := readKeyFile(path)
	if errors.Is(err, os.ErrNotExist) {
		kek, err = createKeyFile(path)
	}
	if err != nil {
		return nil, err
	}
	return New(kek)
}

func readKeyFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	kek, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("keyring: %s is not base64: %w", path, err)
	}
	return kek, nil
}

// createKeyFile writes a new key with O_EXCL so that two processes starting
// at once agree on one key: the loser reads the winner's file.
func createKeyFile(path string) ([]byte, error) {
	kek := make([]byte, 32)
	if _, err := rand.Read(kek); err != nil {
		return nil, err
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	data := []byte(base64.StdEncoding.EncodeToString(kek) + "\n")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return nil, fmt.Errorf("keyring: write key file: %w", err)
	}
	defer os.Remove(tmp)
	if f, err := os.Open(tmp); err == nil {
		_ = f.Sync()
		f.Close()
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return readKeyFile(path)
		}
		return nil, fmt.Errorf("keyring: install key file: %w", err)
	}
	return kek, nil
}

// Seal encrypts plaintext; aad binds the ciphertext to its row (e.g. the
// AccessKey id) so a sealed value copied to another row does not open.
func (k *Keyring) Seal(plaintext, aad []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	out := make([]byte, 0, 1+len(k.keyID)+len(nonce)+len(plaintext)+k.aead.Overhead())
	out = append(out, version)
	out = append(out, k.keyID[:]...)
	out = append(out, nonce...)
	return k.aead.Seal(out, nonce, plaintext, aad)
}

// Derive returns the keyring of a purpose (e.g. "sts-token/1"): its key is
// derived from the KEK with HKDF-SHA256, so every node that shares the KEK
// derives the same one, and values sealed for one purpose never open under
// another. A new purpose name rotates the key without touching the KEK.
func (k *Keyring) Derive(purpose string) *Keyring {
	key := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, k.kek, nil, []byte("canopy keyring\x00"+purpose)), key); err != nil {
		panic("keyring: hkdf: " + err.Error()) // cannot fail for 32 bytes
	}
	derived, err := New(key)
	if err != nil {
		panic("keyring: " + err.Error()) // the key is 32 bytes
	}
	return derived
}

// ErrOpen reports a sealed value that does not open with this keyring.
var ErrOpen = errors.New("keyring: sealed value does not open with this key")

// Open decrypts a value produced by Seal with the same aad.
func (k *Keyring) Open(sealed, aad []byte) ([]byte, error) {
	head := 1 + len(k.keyID) + k.aead.NonceSize()
	if len(sealed) < head+k.aead.Overhead() || sealed[0] != version {
		return nil, ErrOpen
	}
	if string(sealed[1:1+len(k.keyID)]) != string(k.keyID[:]) {
		return nil, fmt.Errorf("%w (sealed under another key-encryption key)", ErrOpen)
	}
	nonce := sealed[1+len(k.keyID) : head]
	plain, err := k.aead.Open(nil, nonce, sealed[head:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
