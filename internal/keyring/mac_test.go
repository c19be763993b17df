package keyring

import (
	"bytes"
	"testing"
)

// A MAC is the same on every node that shares the KEK and differs per
// purpose, per KEK and per message.
func TestMACIsStableAndKeyed(t *testing.T) {
	kek := make([]byte, 32)
	kek[0] = 7
	a, _ := New(kek)
	b, _ := New(kek)
	other := make([]byte, 32)
	other[0] = 8
	c, _ := New(other)
	msg := []byte("123456")
	mac := a.Derive("codes/1").MAC(msg)
	if len(mac) != 32 || !bytes.Equal(mac, b.Derive("codes/1").MAC(msg)) {
		t.Fatalf("two keyrings with one KEK disagree: %x", mac)
	}
	for name, got := range map[string][]byte{
		"another purpose": a.Derive("codes/2").MAC(msg),
		"another KEK":     c.Derive("codes/1").MAC(msg),
		"another message": a.Derive("codes/1").MAC([]byte("123457")),
		"the KEK itself":  a.MAC(msg),
	} {
		if bytes.Equal(got, mac) {
			t.Errorf("%s gives the same MAC", name)
		}
	}
}
