package policy

// A deliberately naive reference evaluator for differential testing. It reads
// the documents with encoding/json into plain maps (not through our strict
// decoder), recomputes everything on every call, has no index and no
// precompilation, compares typed values with the standard library (net,
// time.Parse, strconv) instead of our parsers, and matches wildcards with a
// textbook dynamic program. It assumes the document already passed Parse.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// refDecoded memoizes decoding, the one concession to speed: documents are
// immutable strings, so this cannot change any answer. It stops growing at
// refDecodedMax entries so long fuzzing runs do not exhaust memory.
var (
	refDecoded      sync.Map
	refDecodedCount atomic.Int64
)

const refDecodedMax = 50000

// refDecode decodes a document that Parse accepted.
func refDecode(doc string) map[string]any {
	if m, ok := refDecoded.Load(doc); ok {
		return m.(map[string]any)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		panic("reference: cannot decode a document Parse accepted: " + err.Error())
	}
	if refDecodedCount.Add(1) <= refDecodedMax {
		refDecoded.Store(doc, m)
	}
	return m
}

func refStatements(doc string) []map[string]any {
	switch s := refDecode(doc)["Statement"].(type) {
	case map[string]any:
		return []map[string]any{s}
	case []any:
		var out []map[string]any
		for _, e := range s {
			out = append(out, e.(map[string]any))
		}
		return out
	}
	panic("reference: bad Statement")
}

// refStrings returns a string or array-of-scalars element as text.
func refStrings(v any) []string {
	switch t := v.(type) {
	case []any:
		var out []string
		for _, e := range t {
			out = append(out, refScalarText(e))
		}
		return out
	}
	return []string{refScalarText(v)}
}

func refScalarText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		if t {
			return "true"
		}
		return "false"
	}
	panic("reference: unexpected value")
}

// refDecide applies the union rule over all statements of all documents.
func refDecide(docs []string, match func(st map[string]any) bool) Decision {
	allow, deny := false, false
	for _, doc := range docs {
		for _, st := range refStatements(doc) {
			if !match(st) {
				continue
			}
			if st["Effect"] == "Deny" {
				deny = true
			} else {
				allow = true
			}
		}
	}
	if deny {
		return ExplicitDeny
	}
	if allow {
		return Allow
	}
	return ImplicitDeny
}

// refEvaluate is the reference for Set.Evaluate over identity documents.
func refEvaluate(docs []string, req *Request) Decision {
	return refDecide(docs, func(st map[string]any) bool {
		return refActionMatches(st, req.Action) && refResourceMatches(st, req.Resource) && refConditionsHold(st, req.Context)
	})
}

// refTrusts is the reference for Policy.TrustsPrincipal.
func refTrusts(doc string, req *Request, p Principal) Decision {
	return refDecide([]string{doc}, func(st map[string]any) bool {
		return refActionMatches(st, req.Action) && refPrincipalMatches(st["Principal"], p) && refConditionsHold(st, req.Context)
	})
}

// refAuthorize is the reference for Authorize, written as the three rules
// are stated rather than as a single pass.
func refAuthorize(req *Request, guardrails [][]string, guardTypes []LayerType, identity []string, identityType LayerType) Result {
	decisions := make([]Decision, len(guardrails))
	for i, docs := range guardrails {
		decisions[i] = refEvaluate(docs, req)
	}
	identityDecision := refEvaluate(identity, req)
	for i := range guardrails {
		if decisions[i] == ExplicitDeny {
			return Result{Decision: ExplicitDeny, PolicyType: guardTypes[i], Layer: i}
		}
	}
	if identityDecision == ExplicitDeny {
		return Result{Decision: ExplicitDeny, PolicyType: identityType, Layer: IdentityLayer}
	}
	for i := range guardrails {
		if decisions[i] != Allow {
			return Result{Decision: ImplicitDeny, PolicyType: guardTypes[i], Layer: i}
		}
	}
	if identityDecision != Allow {
		return Result{Decision: ImplicitDeny, PolicyType: identityType, Layer: IdentityLayer}
	}
	return Result{Decision: Allow, Layer: IdentityLayer}
}

// refStatementDecides checks the statement a Result names: it must exist,
// match req, and have the effect of the decision (Deny for ExplicitDeny,
// Allow for Allow); an ImplicitDeny names no statement.
func refStatementDecides(docs []string, r Result, req *Request) error {
	if r.Decision == ImplicitDeny {
		if r.Statement != noStatement {
			return fmt.Errorf("an implicit deny names statement %+v", r.Statement)
		}
		return nil
	}
	if r.Statement.Policy < 0 || r.Statement.Policy >= len(docs) {
		return fmt.Errorf("statement %+v names no policy of %d", r.Statement, len(docs))
	}
	sts := refStatements(docs[r.Statement.Policy])
	if r.Statement.Statement < 0 || r.Statement.Statement >= len(sts) {
		return fmt.Errorf("statement %+v is out of range (%d statements)", r.Statement, len(sts))
	}
	st := sts[r.Statement.Statement]
	if !(refActionMatches(st, req.Action) && refResourceMatches(st, req.Resource) && refConditionsHold(st, req.Context)) {
		return fmt.Errorf("statement %+v does not match the request", r.Statement)
	}
	if deny := st["Effect"] == "Deny"; deny != (r.Decision == ExplicitDeny) {
		return fmt.Errorf("statement %+v has effect %v for decision %v", r.Statement, st["Effect"], r.Decision)
	}
	return nil
}

func refActionMatches(st map[string]any, action string) bool {
	list, negate := st["Action"], false
	if list == nil {
		list, negate = st["NotAction"], true
	}
	matched := false
	for _, p := range refStrings(list) {
		if refGlob(refASCIILower(p), refASCIILower(action)) {
			matched = true
		}
	}
	return matched != negate
}

func refResourceMatches(st map[string]any, resource string) bool {
	list, negate := st["Resource"], false
	if list == nil {
		list, negate = st["NotResource"], true
	}
	if list == nil {
		return true // trust statements
	}
	matched := false
	for _, p := range refStrings(list) {
		if refGlob(p, resource) {
			matched = true
		}
	}
	return matched != negate
}

func refASCIILower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// refUnits splits s into characters: a valid rune, or one byte of an invalid
// sequence, decoded from the start.
func refUnits(s string) []string {
	var out []string
	for len(s) > 0 {
		_, w := utf8.DecodeRuneInString(s)
		out = append(out, s[:w])
		s = s[w:]
	}
	return out
}

// refGlob is the textbook glob dynamic program over characters, keeping
// two rows: next[j] says whether p[i+1:] matches s[j:].
func refGlob(pattern, subject string) bool {
	p, s := refUnits(pattern), refUnits(subject)
	next := make([]bool, len(s)+1)
	cur := make([]bool, len(s)+1)
	next[len(s)] = true
	for i := len(p) - 1; i >= 0; i-- {
		for j := len(s); j >= 0; j-- {
			switch {
			case p[i] == "*":
				cur[j] = next[j] || (j < len(s) && cur[j+1])
			case j == len(s):
				cur[j] = false
			case p[i] == "?":
				cur[j] = next[j+1]
			default:
				cur[j] = p[i] == s[j] && next[j+1]
			}
		}
		next, cur = cur, next
	}
	return next[0]
}

func refConditionsHold(st map[string]any, ctx *Context) bool {
	cond, _ := st["Condition"].(map[string]any)
	for op, block := range cond {
		for key, values := range block.(map[string]any) {
			if !refCondition(op, key, refStrings(values), ctx) {
				return false
			}
		}
	}
	return true
}

var refNegatedTwin = map[string]string{
	"StringNotEquals":           "StringEquals",
	"StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
	"StringNotLike":             "StringLike",
	"NumericNotEquals":          "NumericEquals",
	"DateNotEquals":             "DateEquals",
	"NotIpAddress":              "IpAddress",
}

func refCondition(op, key string, listed []string, ctx *Context) bool {
	base, ifExists := strings.CutSuffix(op, "IfExists")
	positive, negated := refNegatedTwin[base]
	if !negated {
		positive = base
	}
	values := refRequestValues(key, ctx)
	if len(values) == 0 {
		return ifExists || negated
	}
	matched := false
	for _, v := range values {
		for _, l := range listed {
			if refCompare(positive, v, l) {
				matched = true
			}
		}
	}
	return matched != negated
}

// refRequestValues renders every request value of key as text.
func refRequestValues(key string, ctx *Context) []string {
	if ctx == nil {
		return nil
	}
	name, suffix, hasSuffix := strings.Cut(key, "/")
	name = strings.ToLower(name)
	if hasSuffix {
		name += "/" + suffix
	}
	switch name {
	case "acs:sourceip":
		if !ctx.SourceIP.IsValid() {
			return nil
		}
		return []string{ctx.SourceIP.String()}
	case "acs:currenttime":
		if ctx.CurrentTime.IsZero() {
			return nil
		}
		return []string{ctx.CurrentTime.Format(time.RFC3339Nano)}
	case "acs:securetransport":
		return []string{strconv.FormatBool(ctx.SecureTransport)}
	case "acs:mfapresent":
		return []string{strconv.FormatBool(ctx.MFAPresent)}
	case "acs:principalarn":
		if ctx.PrincipalARN == "" {
			return nil
		}
		return []string{ctx.PrincipalARN}
	case "acs:accessid":
		if ctx.AccessID == "" {
			return nil
		}
		return []string{ctx.AccessID}
	}
	var out []string
	for _, kv := range ctx.Extra {
		if kv.Key == name {
			out = append(out, kv.Values...)
		}
	}
	return out
}

// refCompare applies a positive operator to a request value v and a listed
// value l.
func refCompare(op, v, l string) bool {
	switch op {
	case "StringEquals":
		return v == l
	case "StringEqualsIgnoreCase":
		return strings.EqualFold(v, l)
	case "StringLike":
		return refGlob(l, v)
	case "Bool":
		return (v == "true" || v == "false") && v == l
	case "IpAddress":
		ip := net.ParseIP(v)
		if ip == nil {
			return false
		}
		if strings.Contains(l, "/") {
			_, network, _ := net.ParseCIDR(l)
			return network.Contains(ip)
		}
		return net.ParseIP(l).Equal(ip)
	}
	if strings.HasPrefix(op, "Numeric") {
		a, err1 := strconv.ParseFloat(v, 64)
		b, err2 := strconv.ParseFloat(l, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return refOrder(strings.TrimPrefix(op, "Numeric"), a < b, a == b)
	}
	if strings.HasPrefix(op, "Date") {
		a, ok1 := refParseDate(v)
		b, ok2 := refParseDate(l)
		if !ok1 || !ok2 {
			return false
		}
		return refOrder(strings.TrimPrefix(op, "Date"), a.Before(b), a.Equal(b))
	}
	panic("reference: unknown operator " + op)
}

func refOrder(cmp string, less, equal bool) bool {
	switch cmp {
	case "Equals":
		return equal
	case "LessThan":
		return less
	case "LessThanEquals":
		return less || equal
	case "GreaterThan":
		return !less && !equal
	case "GreaterThanEquals":
		return !less
	}
	panic("reference: unknown comparison " + cmp)
}

func refParseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func refPrincipalMatches(v any, p Principal) bool {
	if v == "*" {
		return true
	}
	m := v.(map[string]any)
	if p.Service != "" {
		for _, s := range refOptionalStrings(m["Service"]) {
			if s == "*" || strings.EqualFold(s, p.Service) {
				return true
			}
		}
		return false
	}
	if p.Federated != "" {
		for _, f := range refOptionalStrings(m["Federated"]) {
			if f == p.Federated {
				return true
			}
		}
		return false
	}
	if p.ARN == "" && p.AccountID == "" {
		return false
	}
	// "acs:ram::<uid>:<kind>/<name>[/<session>]" split into fields.
	arnFields := strings.Split(p.ARN, ":")
	arnAccount, arnResource := "", ""
	if len(arnFields) >= 5 && arnFields[0] == "acs" && arnFields[1] == "ram" && arnFields[2] == "" {
		arnAccount, arnResource = arnFields[3], strings.Join(arnFields[4:], ":")
		if _, err := strconv.ParseUint(arnAccount, 10, 64); err != nil || arnResource == "" {
			arnAccount, arnResource = "", ""
		}
	}
	account := p.AccountID
	if account == "" {
		account = arnAccount
	}
	for _, e := range refOptionalStrings(m["RAM"]) {
		if e == "*" {
			return true
		}
		f := strings.Split(e, ":")
		entryAccount, entryResource := f[3], f[4]
		if entryResource == "root" {
			if entryAccount == account {
				return true
			}
			continue
		}
		if entryAccount != arnAccount || arnResource == "" {
			continue
		}
		parts := strings.Split(arnResource, "/")
		entryParts := strings.SplitN(entryResource, "/", 2)
		switch entryParts[0] {
		case "user":
			if len(parts) == 2 && parts[0] == "user" && parts[1] == entryParts[1] {
				return true
			}
		case "role":
			if len(parts) >= 2 && (parts[0] == "role" || parts[0] == "assumed-role") &&
				parts[1] != "" && strings.EqualFold(parts[1], entryParts[1]) {
				return true
			}
		}
	}
	return false
}

func refOptionalStrings(v any) []string {
	if v == nil {
		return nil
	}
	return refStrings(v)
}
