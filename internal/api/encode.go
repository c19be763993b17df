package api

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"sync"

	"github.com/canopy-iam/canopy/internal/apperr"
)

const (
	jsonType = "application/json;charset=utf-8"
	xmlType  = "text/xml;charset=utf-8"
)

// successBody appends to dst a handler's output with RequestId first.
// Outputs are structs whose exported fields carry the wire names.
func successBody(dst []byte, requestID string, out any) ([]byte, error) {
	return successBodyWith(dst, requestID, out, appendValue)
}

// successBodyWith is successBody with the encoder of an output that is not
// an Object or a List.
func successBodyWith(dst []byte, requestID string, out any, encode func(dst []byte, v any) ([]byte, error)) ([]byte, error) {
	head := answerHead(dst, requestID)
	if a, ok := out.(jsonAppender); ok {
		// Object and List answers write themselves after the RequestId:
		// no second validating pass over what encoding/json just wrote.
		body, err := a.appendJSON(append(head, ','))
		if err != nil {
			return nil, err
		}
		// body is head + ",{...}": drop the answer's own opening brace.
		at := len(head) + 1
		if body[at+1] == '}' { // an empty object
			return append(body[:len(head)], '}'), nil
		}
		return append(body[:at], body[at+1:]...), nil
	}
	// The output's object, its brace turned into the comma after the id.
	body, err := encode(head, out)
	if err != nil {
		return nil, err
	}
	if len(body) == len(head)+2 { // "{}"
		return append(head, '}'), nil
	}
	body[len(head)] = ','
	return body, nil
}

// answerHead appends what every success body starts with: its RequestId.
func answerHead(dst []byte, requestID string) []byte {
	dst = append(dst, `{"RequestId":`...)
	if !plainID(requestID) {
		quoted, _ := json.Marshal(requestID) // a string always encodes
		return append(dst, quoted...)
	}
	// Ours (model.NewRequestID) are hex and dashes: nothing to escape.
	return append(append(append(dst, '"'), requestID...), '"')
}

// plainID reports whether id is letters, digits and dashes only.
func plainID(id string) bool {
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}

// appendValue appends v as json.Marshal encodes it, without the copy
// json.Marshal returns: a json.Encoder writes into dst (the answer's
// pooled buffer), so an answer of a hundred users is not allocated twice.
func appendValue(dst []byte, v any) ([]byte, error) {
	a := appendEncoders.Get().(*appendEncoder)
	a.buf = dst
	err := a.enc.Encode(v)
	out := a.buf
	a.buf = nil
	appendEncoders.Put(a)
	if err != nil {
		return dst, err
	}
	return out[:len(out)-1], nil // Encode ends the value with a newline
}

// appendEncoder is a json.Encoder writing to its own buffer.
type appendEncoder struct {
	buf []byte
	enc *json.Encoder
}

func (a *appendEncoder) Write(p []byte) (int, error) {
	a.buf = append(a.buf, p...)
	return len(p), nil
}

var appendEncoders = sync.Pool{New: func() any {
	a := &appendEncoder{}
	a.enc = json.NewEncoder(a) // escapes HTML as json.Marshal does
	return a
}}

// answerBuffers hold answers from their encoding until they are written.
var answerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// maxPooledAnswer keeps one large answer's buffer from staying pooled.
const maxPooledAnswer = 256 << 10

// jsonAppender is an answer that encodes itself (Object, List).
type jsonAppender interface {
	appendJSON(dst []byte) ([]byte, error)
}

// errorEnvelope is the cloud's error body: every field a string except
// AccessDeniedDetail, an object, or the classic SDK panics.
type errorEnvelope struct {
	RequestId          string
	HostId             string
	Code               string
	Message            string
	Recommend          string
	AccessDeniedDetail *apperr.AccessDenied `json:",omitempty"`
}

func errorBody(requestID, host string, e *apperr.Error) []byte {
	body, _ := json.Marshal(errorEnvelope{
		RequestId: requestID, HostId: host, Code: e.Code, Message: e.Message + e.Diagnostic,
		Recommend:          "https://api.aliyun.com/troubleshoot?q=" + e.Code,
		AccessDeniedDetail: e.Denied,
	})
	return body
}

// The Content-Type values, shared: h.Set would canonicalize the name and
// allocate the value's slice on every answer (a slice of one is never
// appended to in place).
var (
	jsonContentType = []string{jsonType}
	xmlContentType  = []string{xmlType}
)

// write sends a JSON body, or its XML rendering when asked.
func write(w http.ResponseWriter, status int, body []byte, asXML bool, root string) {
	h := w.Header()
	if asXML {
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		if err := jsonToXML(&buf, root, body); err == nil {
			h["Content-Type"] = xmlContentType
			w.WriteHeader(status)
			w.Write(buf.Bytes())
			return
		}
	}
	h["Content-Type"] = jsonContentType
	if len(body) > 2048 {
		// net/http sets the length itself only of an answer that fits its
		// 2 KiB buffer; a longer one (a page of users) would go chunked,
		// framing the body and costing both ends a pass over it.
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	w.WriteHeader(status)
	w.Write(body)
}

// jsonToXML renders a JSON object as the cloud's XML: the object's fields
// become child elements of root, arrays repeat their element name.
func jsonToXML(w *bytes.Buffer, root string, body []byte) error {
	// Walk the tokens rather than decoding into a map: field order stays.
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return xmlValue(w, root, dec)
}

func xmlValue(w *bytes.Buffer, name string, dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			w.WriteString("<" + name + ">")
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				if err := xmlValue(w, xmlName(k.(string)), dec); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			w.WriteString("</" + name + ">")
		case '[':
			for dec.More() {
				if err := xmlValue(w, name, dec); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
		}
	case nil:
		w.WriteString("<" + name + "/>")
	default:
		w.WriteString("<" + name + ">")
		var text string
		switch s := t.(type) {
		case string:
			text = s
		case bool:
			text = strconv.FormatBool(s)
		case json.Number:
			text = s.String()
		}
		xml.EscapeText(w, []byte(text))
		w.WriteString("</" + name + ">")
	}
	return nil
}

// xmlName makes a JSON key usable as an element name: audit events carry
// caller-chosen parameter names, which may hold any character. Names keep
// to ASCII (every wire name is ASCII) so no XML parser's idea of a name
// character matters: letters, '_', and after the first character digits,
// '.' and '-'; anything else becomes '_'.
func xmlName(k string) string {
	if k == "" {
		return "_"
	}
	b := []byte(k)
	changed := false
	out := b[:0:0]
	for i := 0; i < len(b); i++ {
		c := b[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
		if letter || (len(out) > 0 && ('0' <= c && c <= '9' || c == '.' || c == '-')) {
			out = append(out, c)
			continue
		}
		changed = true
		if c >= 0x80 { // one '_' per multi-byte character
			for i+1 < len(b) && b[i+1]&0xC0 == 0x80 {
				i++
			}
		}
		out = append(out, '_')
	}
	if !changed {
		return k
	}
	return string(out)
}
