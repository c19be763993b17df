package policy

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

type operatorFamily uint8

const (
	familyString operatorFamily = iota + 1
	familyNumeric
	familyDate
	familyBool
	familyIP
)

func (f operatorFamily) String() string {
	switch f {
	case familyString:
		return "String operators (StringEquals, StringLike, ...)"
	case familyNumeric:
		return "Numeric operators (NumericEquals, NumericLessThan, ...)"
	case familyDate:
		return "Date operators (DateEquals, DateLessThan, ...)"
	case familyBool:
		return "the Bool operator"
	case familyIP:
		return "IP operators (IpAddress, NotIpAddress)"
	}
	return "no operator"
}

type comparison uint8

const (
	compareEquals comparison = iota
	compareEqualsIgnoreCase
	compareLike
	compareLess
	compareLessOrEqual
	compareGreater
	compareGreaterOrEqual
)

type operatorSpec struct {
	family operatorFamily
	cmp    comparison
	// negated operators are the complement of their positive twin: they hold
	// when no request value matches any listed value, including when the key
	// is absent.
	negated bool
}

var operators = map[string]operatorSpec{
	"StringEquals":              {familyString, compareEquals, false},
	"StringNotEquals":           {familyString, compareEquals, true},
	"StringEqualsIgnoreCase":    {familyString, compareEqualsIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {familyString, compareEqualsIgnoreCase, true},
	"StringLike":                {familyString, compareLike, false},
	"StringNotLike":             {familyString, compareLike, true},
	"NumericEquals":             {familyNumeric, compareEquals, false},
	"NumericNotEquals":          {familyNumeric, compareEquals, true},
	"NumericLessThan":           {familyNumeric, compareLess, false},
	"NumericLessThanEquals":     {familyNumeric, compareLessOrEqual, false},
	"NumericGreaterThan":        {familyNumeric, compareGreater, false},
	"NumericGreaterThanEquals":  {familyNumeric, compareGreaterOrEqual, false},
	"DateEquals":                {familyDate, compareEquals, false},
	"DateNotEquals":             {familyDate, compareEquals, true},
	"DateLessThan":              {familyDate, compareLess, false},
	"DateLessThanEquals":        {familyDate, compareLessOrEqual, false},
	"DateGreaterThan":           {familyDate, compareGreater, false},
	"DateGreaterThanEquals":     {familyDate, compareGreaterOrEqual, false},
	"Bool":                      {familyBool, compareEquals, false},
	"IpAddress":                 {familyIP, compareEquals, false},
	"NotIpAddress":              {familyIP, compareEquals, true},
}

const ifExistsSuffix = "IfExists"

// lookupOperator resolves an operator name, with or without the IfExists
// suffix. Names are case-sensitive, as in every published example.
func lookupOperator(name string) (spec operatorSpec, ifExists, ok bool) {
	base, ifExists := strings.CutSuffix(name, ifExistsSuffix)
	spec, ok = operators[base]
	return spec, ifExists, ok
}

// conditionKey identifies where a request value comes from.
type conditionKey uint8

const (
	keyExtra conditionKey = iota // looked up in Context.Extra
	keySourceIP
	keyCurrentTime
	keySecureTransport
	keyMFAPresent
	keyPrincipalARN
	keyAccessID
)

type globalKeySpec struct {
	key    conditionKey
	family operatorFamily // the only operator family that makes sense for the key
}

// globalKeys are the keys carried as typed Context fields, by normalized name.
var globalKeys = map[string]globalKeySpec{
	"acs:sourceip":        {keySourceIP, familyIP},
	"acs:currenttime":     {keyCurrentTime, familyDate},
	"acs:securetransport": {keySecureTransport, familyBool},
	"acs:mfapresent":      {keyMFAPresent, familyBool},
	"acs:principalarn":    {keyPrincipalARN, familyString},
	"acs:accessid":        {keyAccessID, familyString},
}

// NormalizeConditionKey returns the form under which a condition key is
// stored and looked up: the key name (up to the first '/') lowered, and any
// suffix after '/' kept as written, because tag keys such as
// "acs:ResourceTag/CostCenter" are case-sensitive while key names are not.
// Callers must store Context.Extra keys in this form.
func NormalizeConditionKey(key string) string {
	name, suffix, hasSuffix := strings.Cut(key, "/")
	name = strings.ToLower(name)
	if hasSuffix {
		return name + "/" + suffix
	}
	return name
}

// condition is one (operator, key) pair of a Condition block with its listed
// values converted to the operator's type.
type condition struct {
	spec     operatorSpec
	ifExists bool
	key      conditionKey
	extraKey string // normalized key name when key == keyExtra

	texts     []string       // StringEquals*, StringEqualsIgnoreCase*
	patterns  []pattern      // StringLike*
	numbers   []float64      // Numeric*
	times     []time.Time    // Date*
	prefixes  []netip.Prefix // IpAddress, NotIpAddress
	wantTrue  bool           // Bool: true is listed
	wantFalse bool           // Bool: false is listed
}

// holds reports whether the condition is satisfied by ctx.
func (c *condition) holds(ctx *Context) bool {
	present, matched := c.test(ctx)
	if !present {
		return c.ifExists || c.spec.negated
	}
	return matched != c.spec.negated
}

// test reports whether the key is present in ctx and, if so, whether any of
// its values matches any listed value under the positive form of the operator.
func (c *condition) test(ctx *Context) (present, matched bool) {
	if ctx == nil {
		return false, false
	}
	switch c.key {
	case keySourceIP:
		if !ctx.SourceIP.IsValid() {
			return false, false
		}
		return true, c.matchAddr(ctx.SourceIP.Unmap())
	case keyCurrentTime:
		if ctx.CurrentTime.IsZero() {
			return false, false
		}
		return true, c.matchTime(ctx.CurrentTime)
	case keySecureTransport:
		return true, c.matchBool(ctx.SecureTransport)
	case keyMFAPresent:
		return true, c.matchBool(ctx.MFAPresent)
	case keyPrincipalARN:
		if ctx.PrincipalARN == "" {
			return false, false
		}
		return true, c.matchString(ctx.PrincipalARN)
	case keyAccessID:
		if ctx.AccessID == "" {
			return false, false
		}
		return true, c.matchString(ctx.AccessID)
	}
	for i := range ctx.Extra {
		kv := &ctx.Extra[i]
		if kv.Key != c.extraKey {
			continue
		}
		for _, v := range kv.Values {
			present = true
			if c.matchText(v) {
				return true, true
			}
		}
	}
	return present, false
}

// matchText matches a request value given as text (Context.Extra). A value
// that is not well-formed for the operator's type matches nothing.
func (c *condition) matchText(v string) bool {
	switch c.spec.family {
	case familyString:
		return c.matchString(v)
	case familyNumeric:
		f, ok := parseNumber(v)
		return ok && c.matchNumber(f)
	case familyDate:
		t, ok := parseDate(v)
		return ok && c.matchTime(t)
	case familyBool:
		b, ok := parseBool(v)
		return ok && c.matchBool(b)
	case familyIP:
		a, ok := parseAddr(v)
		return ok && c.matchAddr(a)
	}
	return false
}

func (c *condition) matchString(v string) bool {
	switch c.spec.cmp {
	case compareLike:
		for i := range c.patterns {
			if c.patterns[i].match(v) {
				return true
			}
		}
	case compareEqualsIgnoreCase:
		for _, s := range c.texts {
			if strings.EqualFold(s, v) {
				return true
			}
		}
	default:
		for _, s := range c.texts {
			if s == v {
				return true
			}
		}
	}
	return false
}

func (c *condition) matchNumber(v float64) bool {
	for _, n := range c.numbers {
		if compareHolds(c.spec.cmp, cmpFloat(v, n)) {
			return true
		}
	}
	return false
}

func (c *condition) matchTime(v time.Time) bool {
	for _, t := range c.times {
		if compareHolds(c.spec.cmp, v.Compare(t)) {
			return true
		}
	}
	return false
}

func (c *condition) matchBool(v bool) bool {
	if v {
		return c.wantTrue
	}
	return c.wantFalse
}

func (c *condition) matchAddr(a netip.Addr) bool {
	for _, p := range c.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareHolds applies cmp to the sign of (request value - listed value).
func compareHolds(cmp comparison, sign int) bool {
	switch cmp {
	case compareLess:
		return sign < 0
	case compareLessOrEqual:
		return sign <= 0
	case compareGreater:
		return sign > 0
	case compareGreaterOrEqual:
		return sign >= 0
	}
	return sign == 0
}

// parseConditionBlock turns a statement's Condition object into conditions.
func parseConditionBlock(v *jsonValue, path string) ([]condition, error) {
	if v.kind != jsonObject {
		return nil, syntaxErrorf("%s must be an object, not %v", path, v.kind)
	}
	if len(v.members) == 0 {
		return nil, syntaxErrorf("%s must not be empty", path)
	}
	var conds []condition
	for _, op := range v.members {
		opPath := path + "." + op.key
		spec, ifExists, ok := lookupOperator(op.key)
		if !ok {
			return nil, syntaxErrorf("%s: unknown condition operator %q", path, op.key)
		}
		block := op.value
		if block.kind != jsonObject {
			return nil, syntaxErrorf("%s must be an object of condition keys, not %v", opPath, block.kind)
		}
		if len(block.members) == 0 {
			return nil, syntaxErrorf("%s must not be empty", opPath)
		}
		for _, kv := range block.members {
			c, err := parseCondition(spec, ifExists, op.key, kv, opPath)
			if err != nil {
				return nil, err
			}
			conds = append(conds, c)
		}
	}
	return conds, nil
}

func parseCondition(spec operatorSpec, ifExists bool, opName string, kv jsonMember, opPath string) (condition, error) {
	keyPath := fmt.Sprintf("%s[%q]", opPath, kv.key)
	if !validConditionKey(kv.key) {
		return condition{}, syntaxErrorf("%s: condition key %q must look like \"<service>:<name>\"", opPath, kv.key)
	}
	c := condition{spec: spec, ifExists: ifExists}
	normalized := NormalizeConditionKey(kv.key)
	if g, ok := globalKeys[normalized]; ok {
		if g.family != spec.family {
			return condition{}, syntaxErrorf("%s: condition key %q is used with %s, not %s", opPath, kv.key, g.family, opName)
		}
		c.key = g.key
	} else {
		c.key, c.extraKey = keyExtra, normalized
	}
	values := []*jsonValue{kv.value}
	if kv.value.kind == jsonArray {
		values = kv.value.elems
		if len(values) == 0 {
			return condition{}, syntaxErrorf("%s must not be an empty array", keyPath)
		}
	}
	for i, v := range values {
		valuePath := keyPath
		if kv.value.kind == jsonArray {
			valuePath = fmt.Sprintf("%s[%d]", keyPath, i)
		}
		if err := c.addValue(v, valuePath, opName); err != nil {
			return condition{}, err
		}
	}
	return c, nil
}

// addValue converts one listed value to the operator's type.
func (c *condition) addValue(v *jsonValue, path, opName string) error {
	var text string
	switch v.kind {
	case jsonString, jsonNumber:
		text = v.text
	case jsonBool:
		text = "false"
		if v.boolean {
			text = "true"
		}
	default:
		return syntaxErrorf("%s must be a string, number or boolean, not %v", path, v.kind)
	}
	if text == "" {
		return syntaxErrorf("%s must not be an empty string", path)
	}
	switch c.spec.family {
	case familyString:
		if c.spec.cmp == compareLike {
			c.patterns = append(c.patterns, compilePattern(text, false))
		} else {
			c.texts = append(c.texts, text)
		}
	case familyNumeric:
		f, ok := parseNumber(text)
		if v.kind == jsonBool || !ok {
			return syntaxErrorf("%s: %s needs a number, got %q", path, opName, text)
		}
		c.numbers = append(c.numbers, f)
	case familyDate:
		t, ok := parseDate(text)
		if v.kind != jsonString || !ok {
			return syntaxErrorf("%s: %s needs an ISO-8601 date such as \"2019-08-12T17:00:00+08:00\", got %q", path, opName, text)
		}
		c.times = append(c.times, t)
	case familyBool:
		b, ok := parseBool(text)
		if v.kind == jsonNumber || !ok {
			return syntaxErrorf("%s: Bool needs true or false, got %q", path, text)
		}
		if b {
			c.wantTrue = true
		} else {
			c.wantFalse = true
		}
	case familyIP:
		p, ok := parsePrefix(text)
		if v.kind != jsonString || !ok {
			return syntaxErrorf("%s: %s needs an IP address or CIDR such as \"10.0.0.0/8\", got %q", path, opName, text)
		}
		c.prefixes = append(c.prefixes, p)
	}
	return nil
}

// validConditionKey checks the "<service>:<name>[/<suffix>]" shape: a service
// code of letters, digits, '-' or '_', a name without spaces or control
// characters, and an optional suffix (a tag key) without control characters.
func validConditionKey(key string) bool {
	service, rest, ok := strings.Cut(key, ":")
	if !ok || service == "" || rest == "" {
		return false
	}
	for i := 0; i < len(service); i++ {
		if !isServiceChar(service[i]) {
			return false
		}
	}
	name, suffix, _ := strings.Cut(rest, "/")
	if name == "" {
		return false
	}
	for _, r := range name {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	for _, r := range suffix {
		if r < ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

func isServiceChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) || c == '-' || c == '_'
}
