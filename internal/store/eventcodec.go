package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"time"
)

// The binary form of an event (and of a nonce): what a node's segment log
// holds and what a folded batch is made of. Strings are a uvarint length
// then their bytes; times are Unix nanoseconds as a varint. Decoding never
// trusts a length: a short or corrupt buffer is an error, never a panic.

var sensitiveMarker = []byte(SensitiveMarker)

// ErrCorrupt is returned when an encoded event or nonce cannot be read.
var ErrCorrupt = errors.New("store: corrupt encoded record")

// AppendEvent appends the binary form of e to buf.
func AppendEvent(buf []byte, e *Event) []byte {
	buf = binary.AppendVarint(buf, e.Time.UnixNano())
	for _, s := range [...]string{e.ID, e.AccountID, e.EventName, e.ServiceName, e.EventRW, e.UserName,
		e.AccessKeyID, e.ErrorCode, e.ResourceType, e.ResourceName} {
		buf = appendString(buf, s)
	}
	buf = binary.AppendUvarint(buf, uint64(len(e.Data)))
	return append(buf, e.Data...)
}

// EventSize bounds the length AppendEvent adds for e, so a buffer can be
// sized once.
func EventSize(e *Event) int {
	return 12*binary.MaxVarintLen64 + len(e.ID) + len(e.AccountID) + len(e.EventName) + len(e.ServiceName) +
		len(e.EventRW) + len(e.UserName) + len(e.AccessKeyID) + len(e.ErrorCode) + len(e.ResourceType) +
		len(e.ResourceName) + len(e.Data)
}

// ReadEvent decodes one event from the front of buf and returns the rest.
// e.Data aliases buf: the caller must not change buf while it keeps e.
func ReadEvent(buf []byte) (e Event, rest []byte, err error) {
	r := reader{buf: buf}
	e.Time = time.Unix(0, r.varint()).UTC()
	for _, p := range [...]*string{&e.ID, &e.AccountID, &e.EventName, &e.ServiceName, &e.EventRW, &e.UserName,
		&e.AccessKeyID, &e.ErrorCode, &e.ResourceType, &e.ResourceName} {
		*p = r.string()
	}
	if d := r.bytes(); len(d) > 0 {
		e.Data = d
		e.Sensitive = bytes.Contains(d, sensitiveMarker)
	}
	return e, r.buf, r.err
}

// AppendNonce appends the binary form of n to buf.
func AppendNonce(buf []byte, n *Nonce) []byte {
	buf = binary.AppendVarint(buf, n.Expires.UnixNano())
	buf = appendString(buf, n.AccessKeyID)
	return appendString(buf, n.Value)
}

// ReadNonce decodes one nonce from the front of buf and returns the rest.
func ReadNonce(buf []byte) (n Nonce, rest []byte, err error) {
	r := reader{buf: buf}
	n.Expires = time.Unix(0, r.varint()).UTC()
	n.AccessKeyID = r.string()
	n.Value = r.string()
	return n, r.buf, r.err
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

type reader struct {
	buf []byte
	err error
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.buf)
	if n <= 0 {
		r.err = ErrCorrupt
		return 0
	}
	r.buf = r.buf[n:]
	return v
}

func (r *reader) bytes() []byte {
	if r.err != nil {
		return nil
	}
	l, n := binary.Uvarint(r.buf)
	if n <= 0 || l > uint64(len(r.buf)-n) {
		r.err = ErrCorrupt
		return nil
	}
	out := r.buf[n : n+int(l) : n+int(l)]
	r.buf = r.buf[n+int(l):]
	return out
}

func (r *reader) string() string { return string(r.bytes()) }
