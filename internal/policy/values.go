package policy

import (
	"math"
	"net/netip"
	"strconv"
	"time"
)

// Parsers for typed condition values. The same functions read policy values
// (at parse time) and request values supplied through Context.Extra (at
// evaluation time), so both sides agree on what a well-formed value is. None
// of them allocates on success.

// parseNumber accepts JSON number syntax only (no hex, no "Inf", no '+'),
// so "NumericEquals" means the same thing whatever strconv happens to accept.
func parseNumber(s string) (float64, bool) {
	if !isJSONNumber(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i == len(s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// parseBool accepts exactly "true" and "false", the spelling of the docs.
func parseBool(s string) (value, ok bool) {
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// parsePrefix accepts a single address ("10.1.2.3", "2001:db8::1") or a CIDR
// ("10.0.0.0/8"). Host bits in a CIDR are ignored, as with every router.
// IPv4-mapped IPv6 prefixes are turned into IPv4 prefixes because request
// addresses are unmapped before matching.
func parsePrefix(s string) (netip.Prefix, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return netip.Prefix{}, false
			}
			p = p.Masked()
			if p.Addr().Is4In6() {
				if p.Bits() < 96 {
					return p, true // covers more than the mapped range; keep as IPv6
				}
				return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96), true
			}
			return p, true
		}
	}
	a, ok := parseAddr(s)
	if !ok {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// parseAddr parses a request or policy address; zones are rejected because a
// zoned address names an interface, not a client.
func parseAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// parseDate accepts the ISO-8601 forms the docs use:
//
//	2019-08-12
//	2019-08-12T17:00Z
//	2019-08-12T17:00:00Z
//	2019-08-12T17:00:00.123+08:00
//
// A date without a time means midnight UTC. A time without a zone is rejected
// because its instant would be ambiguous. Hand-written because time.Parse
// allocates a *Location for every non-UTC offset.
func parseDate(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return time.Time{}, false
	}
	if len(s) == 10 {
		return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), true
	}
	rest := s[10:]
	if len(rest) < 6 || rest[0] != 'T' || rest[3] != ':' {
		return time.Time{}, false
	}
	hour, ok1 := digits(rest[1:3])
	minute, ok2 := digits(rest[4:6])
	if !ok1 || !ok2 || hour > 23 || minute > 59 {
		return time.Time{}, false
	}
	rest = rest[6:]
	second, nanos := 0, 0
	if len(rest) > 0 && rest[0] == ':' {
		if len(rest) < 3 {
			return time.Time{}, false
		}
		var ok bool
		if second, ok = digits(rest[1:3]); !ok || second > 59 {
			return time.Time{}, false
		}
		rest = rest[3:]
		if len(rest) > 0 && rest[0] == '.' {
			n := 1
			for n < len(rest) && isDigit(rest[n]) {
				n++
			}
			frac := rest[1:n]
			if len(frac) == 0 || len(frac) > 9 {
				return time.Time{}, false
			}
			nanos, _ = digits(frac)
			for k := len(frac); k < 9; k++ {
				nanos *= 10
			}
			rest = rest[n:]
		}
	}
	offset := 0
	switch {
	case rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:3])
		om, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, nanos, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

// digits parses an unsigned decimal of known width.
func digits(s string) (int, bool) {
	if len(s) == 0 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
