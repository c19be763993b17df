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

// Event data whose first byte is CompactRecord (never the first byte of
// JSON) is audit's compact form of the record; its second byte holds
// flags, of which CompactSensitive marks a sensitive action's event. The
// store reads nothing else of it.
const (
	CompactRecord    byte = 0x01
	CompactSensitive byte = 1
)

// SensitiveData reports whether an event's data is a sensitive action's
// record: the flag of a compact record, the marker of a JSON one.
func SensitiveData(d []byte) bool {
	if len(d) >= 2 && d[0] == CompactRecord {
		return d[1]&CompactSensitive != 0
	}
	return bytes.Contains(d, sensitiveMarker)
}

// ErrCorrupt is returned when an encoded event or nonce cannot be read.
var ErrCorrupt = errors.New("store: corrupt encoded record")

// AppendEvent appends the binary form of e to buf.
func AppendEvent(buf []byte, e *Event) []byte {
	buf = binary.AppendVarint(buf, e.Time.UnixNano())
	for _, s := range [...]string{e.ID, e.AccountID, e.EventName, e.ServiceName, e.EventRW, e.UserName,
		e.AccessKeyID, e.ErrorCode, e.ResourceType, e.ResourceName} {
		buf = AppendString(buf, s)
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
	r := Reader{Buf: buf}
	e.Time = time.Unix(0, r.Varint()).UTC()
	for _, p := range [...]*string{&e.ID, &e.AccountID, &e.EventName, &e.ServiceName, &e.EventRW, &e.UserName,
		&e.AccessKeyID, &e.ErrorCode, &e.ResourceType, &e.ResourceName} {
		*p = r.String()
	}
	if d := r.Bytes(); len(d) > 0 {
		e.Data = d
		e.Sensitive = SensitiveData(d)
	}
	return e, r.Buf, r.Err
}

// AppendNonce appends the binary form of n to buf.
func AppendNonce(buf []byte, n *Nonce) []byte {
	buf = binary.AppendVarint(buf, n.Expires.UnixNano())
	buf = AppendString(buf, n.AccessKeyID)
	return AppendString(buf, n.Value)
}

// ReadNonce decodes one nonce from the front of buf and returns the rest.
func ReadNonce(buf []byte) (n Nonce, rest []byte, err error) {
	r := Reader{Buf: buf}
	n.Expires = time.Unix(0, r.Varint()).UTC()
	n.AccessKeyID = r.String()
	n.Value = r.String()
	return n, r.Buf, r.Err
}

// AppendString appends s as the binary forms hold a string: its length as
// a uvarint, then its bytes. It takes bytes too, so that they are not
// copied into a string first.
func AppendString[S ~string | ~[]byte](buf []byte, s S) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// Reader decodes the binary forms: each read takes from the front of Buf;
// the first short or corrupt read sets Err (ErrCorrupt), and every read
// after it returns the zero value.
type Reader struct {
	Buf []byte
	Err error
}

// Varint reads a signed varint.
func (r *Reader) Varint() int64 {
	if r.Err != nil {
		return 0
	}
	v, n := binary.Varint(r.Buf)
	return keepVarint(r, v, n)
}

// keepVarint moves r past a varint of n bytes decoded as v (binary's
// decoders report n <= 0 when none could be read) and returns v, or zero
// and ErrCorrupt.
func keepVarint[T int64 | uint64](r *Reader, v T, n int) T {
	if n <= 0 {
		r.Err = ErrCorrupt
		return 0
	}
	r.Buf = r.Buf[n:]
	return v
}

// Bytes reads a string (see AppendString) as a slice of Buf, which it
// never grows into what follows.
func (r *Reader) Bytes() []byte {
	if r.Err != nil {
		return nil
	}
	l, n := binary.Uvarint(r.Buf)
	if n <= 0 || l > uint64(len(r.Buf)-n) {
		r.Err = ErrCorrupt
		return nil
	}
	out := r.Buf[n : n+int(l) : n+int(l)]
	r.Buf = r.Buf[n+int(l):]
	return out
}

// String reads a string (see AppendString), copied out of Buf.
func (r *Reader) String() string { return string(r.Bytes()) }

// Uvarint reads an unsigned varint.
func (r *Reader) Uvarint() uint64 {
	if r.Err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.Buf)
	return keepVarint(r, v, n)
}
