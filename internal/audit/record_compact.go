package audit

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/bits"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// The compact form of a record is what a call stores: a byte
// store.CompactRecord, a flags byte, eventTime in Unix seconds (varint),
// the record's texts (texts' order), its requestParameters and its
// eventAttributes (each a count, then names and values), and the optional
// parts the flags announce: the session context (creationDate, then its
// texts), responseElements and accessDeniedDetail (as JSON). Strings are a
// uvarint length and their bytes (store.AppendString). Building it is a
// copy of each string, about half the CPU of writing the JSON and its
// escapes, and no time is formatted; the JSON is rendered when
// LookupEvents reads the event.
const (
	compactSensitive = store.CompactSensitive // a sensitive action (record.sensitive)
	compactTruncated = 1 << 1                 // requestParametersTruncated
	compactSession   = 1 << 2                 // userIdentity.sessionContext
	compactResponse  = 1 << 3                 // responseElements
	compactDenied    = 1 << 4                 // accessDeniedDetail
	compactFlags     = compactSensitive | compactTruncated | compactSession | compactResponse | compactDenied
)

// ErrCorruptRecord is returned for event data that is neither JSON nor a
// well-formed compact record.
var ErrCorruptRecord = errors.New("audit: corrupt event record")

// texts are the record's string fields in their compact order; the encoder
// and the decoder walk the same list, so they cannot disagree.
func (r *record) texts() [27]*string {
	id, extra := &r.UserIdentity, &r.AdditionalEventData
	return [...]*string{&r.EventID, &r.EventVersion, &r.EventType, &r.EventCategory, &r.EventName, &r.EventRW,
		&r.EventSource, &r.AcsRegion, &r.ServiceName, &r.APIVersion, &r.RequestID, &r.SourceIPAddress, &r.UserAgent,
		&id.Type, &id.AccountID, &id.PrincipalID, &id.UserName, &id.AccessKeyID,
		&extra.Scheme, &extra.IdentityVerified, &r.ReferencedResources.typ, &r.ReferencedResources.name,
		&r.ResourceType, &r.ResourceName, &r.ErrorCode, &r.ErrorMessage, &r.RecipientAccountID}
}

func (s *sessionContext) texts() [10]*string {
	i, src := &s.SessionIssuer, &s.SourceIdentity
	return [...]*string{&s.Attributes.MFAAuthenticated, &i.Type, &i.PrincipalID, &i.ARN, &i.AccountID, &i.UserName,
		&src.Type, &src.AccountID, &src.PrincipalID, &src.ARN}
}

// appendCompact appends the record's compact form to b, growing it once.
func (r *record) appendCompact(b []byte) []byte {
	flags, size := byte(0), 2+binary.MaxVarintLen64+paramsSize(r.RequestParameters)+paramsSize(r.EventAttributes)
	for _, s := range r.texts() {
		size += stringSize(*s)
	}
	if r.sensitive {
		flags |= compactSensitive
	}
	if r.RequestParametersTruncated {
		flags |= compactTruncated
	}
	sc := r.UserIdentity.SessionContext
	if sc != nil {
		flags |= compactSession
		size += binary.MaxVarintLen64
		for _, s := range sc.texts() {
			size += stringSize(*s)
		}
	}
	var response, denied []byte
	if r.ResponseElements != nil {
		flags |= compactResponse
		response = marshal(r.ResponseElements)
		size += stringSize(response)
	}
	if r.AccessDenied != nil {
		flags |= compactDenied
		denied = marshal(r.AccessDenied)
		size += stringSize(denied)
	}
	b = append(growBytes(b, size), store.CompactRecord, flags)
	b = binary.AppendVarint(b, r.unixTime)
	for _, s := range r.texts() {
		b = store.AppendString(b, *s)
	}
	b = appendParams(appendParams(b, r.RequestParameters), r.EventAttributes)
	if sc != nil {
		b = binary.AppendVarint(b, sc.issued)
		for _, s := range sc.texts() {
			b = store.AppendString(b, *s)
		}
	}
	if response != nil {
		b = store.AppendString(b, response)
	}
	if denied != nil {
		b = store.AppendString(b, denied)
	}
	return b
}

// appendParams appends a count, then each name and value.
func appendParams(b []byte, l paramList) []byte {
	b = binary.AppendUvarint(b, uint64(len(l)))
	for _, p := range l {
		b = store.AppendString(store.AppendString(b, p.Key), p.Value)
	}
	return b
}

func paramsSize(l paramList) int {
	n := uvarintSize(len(l))
	for _, p := range l {
		n += stringSize(p.Key) + stringSize(p.Value)
	}
	return n
}

// stringSize is the length store.AppendString adds for s.
func stringSize[S ~string | ~[]byte](s S) int { return uvarintSize(len(s)) + len(s) }

func uvarintSize(n int) int { return (bits.Len64(uint64(n)|1) + 6) / 7 }

// growBytes is slices.Grow for the exact room asked: a record is kept for
// as long as its event is queued, so no larger size class is asked for.
func growBytes(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	return append(make([]byte, 0, len(b)+n), b...)
}

// marshal is the JSON of a record's free-form part: decoded JSON values,
// error details and fixed structs, which always encode.
func marshal(v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		panic("audit: encode event: " + err.Error())
	}
	return raw
}

// readCompact fills r from its compact form. Nothing in data is trusted: a
// short or malformed record is ErrCorruptRecord, never a panic.
func (r *record) readCompact(data []byte) error {
	if len(data) < 2 || data[0] != store.CompactRecord {
		return ErrCorruptRecord
	}
	flags := data[1]
	if flags&^compactFlags != 0 {
		return ErrCorruptRecord // not a flag this release writes
	}
	in := store.Reader{Buf: data[2:]}
	r.unixTime = in.Varint()
	for _, s := range r.texts() {
		*s = in.String()
	}
	var ok bool
	if r.RequestParameters, ok = readParams(&in); !ok {
		return ErrCorruptRecord
	}
	if r.EventAttributes, ok = readParams(&in); !ok {
		return ErrCorruptRecord
	} else if len(r.EventAttributes) == 0 {
		r.EventAttributes = nil
	}
	r.RequestParametersTruncated = flags&compactTruncated != 0
	r.sensitive = flags&compactSensitive != 0
	if flags&compactSession != 0 {
		sc := &sessionContext{issued: in.Varint()}
		for _, s := range sc.texts() {
			*s = in.String()
		}
		r.UserIdentity.SessionContext = sc
	}
	// The free-form parts stay slices of data: r lives only as long as
	// the rendering.
	if flags&compactResponse != 0 {
		r.ResponseElements = json.RawMessage(in.Bytes())
	}
	if flags&compactDenied != 0 {
		r.AccessDenied = json.RawMessage(in.Bytes())
	}
	if in.Err != nil || len(in.Buf) != 0 {
		return ErrCorruptRecord
	}
	for _, raw := range []any{r.ResponseElements, r.AccessDenied} {
		if raw, ok := raw.(json.RawMessage); ok && !json.Valid(raw) {
			return ErrCorruptRecord
		}
	}
	r.formatTimes()
	return nil
}

// readParams reads what appendParams wrote. Each parameter takes at least
// two bytes: a count beyond that is corrupt, and is not allocated for.
func readParams(in *store.Reader) (paramList, bool) {
	n := in.Uvarint()
	if in.Err != nil || n > uint64(len(in.Buf))/2 {
		return nil, false
	}
	l := make(paramList, n)
	for i := range l {
		l[i] = Param{in.String(), in.String()}
	}
	return l, in.Err == nil
}

// formatTimes writes the record's times as ActionTrail spells them.
func (r *record) formatTimes() {
	r.EventTime = time.Unix(r.unixTime, 0).UTC().Format(TimeLayout)
	if sc := r.UserIdentity.SessionContext; sc != nil {
		sc.Attributes.CreationDate = time.Unix(sc.issued, 0).UTC().Format(TimeLayout)
	}
}

// AppendRecordJSON appends the ActionTrail JSON of a stored event's data:
// a compact record rendered, or JSON (what earlier releases and console
// sign-ins store; JSON never starts with store.CompactRecord) as it is.
// Data that is neither is ErrCorruptRecord.
func AppendRecordJSON(dst, data []byte) ([]byte, error) {
	if len(data) == 0 || data[0] != store.CompactRecord {
		if !json.Valid(data) {
			return dst, ErrCorruptRecord
		}
		return append(dst, data...), nil
	}
	var rec record
	if err := rec.readCompact(data); err != nil {
		return dst, err
	}
	return rec.appendJSON(dst), nil
}
