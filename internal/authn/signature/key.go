package signature

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"hash"
	"sync"
)

// Key verifies signatures made with one AccessKey secret. Keying an HMAC costs
// about as much as MACing a whole request (hmac.New hashes the padded key and
// allocates five times), so Key keeps keyed states in pools and only resets
// them per use. Cache one *Key per AccessKey; a Key is safe for concurrent use
// and must not be copied.
type Key struct {
	v1 sync.Pool // hash.Hash: HMAC-SHA1 keyed with secret + "&"
	v3 sync.Pool // hash.Hash: HMAC-SHA256 keyed with secret
}

// NewKey returns a verifier for secret.
func NewKey(secret string) *Key {
	v1Key := []byte(secret + "&") // V1 appends "&" to the secret (an empty token secret, historically)
	v3Key := []byte(secret)
	k := &Key{}
	k.v1.New = func() any { return hmac.New(sha1.New, v1Key) }
	k.v3.New = func() any { return hmac.New(sha256.New, v3Key) }
	return k
}

// mac computes the keyed MAC of msg into dst using a pooled state.
func mac(pool *sync.Pool, dst, msg []byte) []byte {
	h := pool.Get().(hash.Hash)
	h.Reset()
	h.Write(msg)
	dst = h.Sum(dst)
	pool.Put(h)
	return dst
}

// scratch holds the per-verification buffers, shared by all keys.
type scratch struct {
	buf  []byte // string-to-sign (V1) or canonical request (V3)
	sum  [sha256.Size]byte
	text [128]byte // base64 or hex renderings, the V3 string-to-sign
}

// maxPooledBuffer keeps one oversized request from pinning a large buffer in
// the pool forever.
const maxPooledBuffer = 64 << 10

var scratchPool = sync.Pool{New: func() any { return &scratch{buf: make([]byte, 0, 2048)} }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func putScratch(s *scratch) {
	if cap(s.buf) > maxPooledBuffer {
		return
	}
	s.buf = s.buf[:0]
	scratchPool.Put(s)
}
