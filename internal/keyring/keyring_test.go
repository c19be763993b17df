package keyring

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpenRoundTripAndBinding(t *testing.T) {
	k, err := Load(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sealed := k.Seal([]byte("secret"), []byte("LTAIabc"))
	if bytes.Contains(sealed, []byte("secret")) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := k.Open(sealed, []byte("LTAIabc"))
	if err != nil || string(got) != "secret" {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := k.Open(sealed, []byte("LTAIother")); err == nil {
		t.Fatal("opened with the wrong associated data")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := k.Open(sealed, []byte("LTAIabc")); err == nil {
		t.Fatal("opened a tampered value")
	}
}

func TestLoadReusesKeyFileAndHonoursEnv(t *testing.T) {
	dir := t.TempDir()
	a, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v", info.Mode(), err)
	}
	b, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Open(a.Seal([]byte("x"), nil), nil); err != nil {
		t.Fatal("second load produced another key")
	}
	t.Setenv(EnvKEK, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Open(a.Seal([]byte("x"), nil), nil); err == nil {
		t.Fatal("environment key was ignored")
	}
}

func TestDerivedKeysAreStableAndSeparate(t *testing.T) {
	kek := make([]byte, 32)
	kek[0] = 7
	a, _ := New(kek)
	b, _ := New(kek)
	sealed := a.Derive("sts-token/1").Seal([]byte("claims"), []byte("aad"))
	if plain, err := b.Derive("sts-token/1").Open(sealed, []byte("aad")); err != nil || string(plain) != "claims" {
		t.Fatalf("another keyring with the same KEK cannot open: %q %v", plain, err)
	}
	if _, err := a.Derive("sts-token/2").Open(sealed, []byte("aad")); err == nil {
		t.Error("another purpose opened the value")
	}
	if _, err := a.Open(sealed, []byte("aad")); err == nil {
		t.Error("the KEK itself opened a derived key's value")
	}
}
