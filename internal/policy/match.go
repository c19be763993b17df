package policy

import (
	"strings"
	"unicode/utf8"
)

// Wildcard semantics shared by Action, Resource and StringLike:
//
//   - '*' matches any run of characters (including none);
//   - '?' matches exactly one character;
//   - everything else matches itself.
//
// A "character" is one UTF-8 encoded rune, or a single byte where the text is
// not valid UTF-8, always decoded forward from the start of the string. This
// keeps '?' meaningful for non-ASCII condition values while staying total on
// arbitrary bytes.
//
// Matching never backtracks across '*': the pattern is split on '*' into
// segments, the first segment is anchored at the start, the last at the end,
// and every middle segment is matched at its leftmost possible position. That
// is optimal for glob patterns, so the cost is O(len(subject) × len(segment))
// in the worst case and independent of the number of stars.

type patternKind uint8

const (
	patternAny      patternKind = iota // "*"
	patternExact                       // no wildcard
	patternPrefix                      // literal followed by one '*'
	patternSuffix                      // one '*' followed by a literal
	patternContains                    // a literal between two '*'
	patternGeneral                     // anything else
)

// pattern is a compiled wildcard pattern.
type pattern struct {
	kind     patternKind
	foldCase bool      // ASCII case-insensitive (actions)
	literal  string    // exact, prefix or suffix literal; lowered when foldCase
	segments []segment // general: the pattern split on '*'; lowered when foldCase
}

// segment is a star-free piece of a general pattern.
type segment struct {
	text string
	// plain segments (valid UTF-8, no '?', case-sensitive) are found with
	// strings.Index: for them a byte match is a character match, and the
	// standard library search is linear in practice.
	plain bool
}

// compilePattern compiles raw. With foldCase the match ignores ASCII case only:
// Unicode folding would let look-alike runes (e.g. the Kelvin sign) match ASCII
// letters in action names.
func compilePattern(raw string, foldCase bool) pattern {
	p := pattern{foldCase: foldCase}
	if foldCase {
		raw = asciiLower(raw)
	}
	stars := strings.Count(raw, "*")
	hasQuestion := strings.IndexByte(raw, '?') >= 0
	// The fast paths compare bytes, which equals character-wise comparison
	// only for valid UTF-8 literals; anything else takes the general path.
	simple := !hasQuestion && utf8.ValidString(raw)
	switch {
	case raw == "*":
		p.kind = patternAny
	case stars == 0 && simple:
		p.kind, p.literal = patternExact, raw
	case stars == 1 && simple && raw[len(raw)-1] == '*':
		p.kind, p.literal = patternPrefix, raw[:len(raw)-1]
	case stars == 1 && simple && raw[0] == '*':
		p.kind, p.literal = patternSuffix, raw[1:]
	case stars == 2 && simple && len(raw) > 2 && raw[0] == '*' && raw[len(raw)-1] == '*':
		p.kind, p.literal = patternContains, raw[1:len(raw)-1]
	default:
		p.kind = patternGeneral
		for _, text := range strings.Split(raw, "*") {
			plain := !foldCase && utf8.ValidString(text) && strings.IndexByte(text, '?') < 0
			p.segments = append(p.segments, segment{text: text, plain: plain})
		}
	}
	return p
}

// match reports whether subject matches the pattern. It does not allocate.
func (p *pattern) match(subject string) bool {
	switch p.kind {
	case patternAny:
		return true
	case patternExact:
		return len(subject) == len(p.literal) && equalBytes(p.literal, subject, p.foldCase)
	case patternPrefix:
		return len(subject) >= len(p.literal) && equalBytes(p.literal, subject[:len(p.literal)], p.foldCase)
	case patternSuffix:
		return len(subject) >= len(p.literal) && equalBytes(p.literal, subject[len(subject)-len(p.literal):], p.foldCase)
	case patternContains:
		if !p.foldCase {
			return strings.Contains(subject, p.literal)
		}
		return containsFold(subject, p.literal)
	}
	return matchSegments(p.segments, subject, p.foldCase)
}

// firstLiteralByte returns the byte every match must start with, if the
// pattern starts with a literal.
func (p *pattern) firstLiteralByte() (byte, bool) {
	switch p.kind {
	case patternExact, patternPrefix:
		if p.literal != "" {
			return p.literal[0], true
		}
	case patternGeneral:
		if first := p.segments[0].text; first != "" && first[0] != '?' {
			return first[0], true
		}
	}
	return 0, false
}

// equalBytes compares a (already lowered when fold) with b.
func equalBytes(a, b string, fold bool) bool {
	if !fold {
		return a == b
	}
	for i := 0; i < len(a); i++ {
		if a[i] != lowerByte(b[i]) {
			return false
		}
	}
	return true
}

// containsFold reports whether s contains lit (already lowered), ignoring
// ASCII case. A byte-level search is exact for a valid UTF-8 literal: it
// starts on a character boundary and its runes decode the same anywhere.
func containsFold(s, lit string) bool {
	first := lit[0]
	for i := 0; i+len(lit) <= len(s); i++ {
		if lowerByte(s[i]) == first && equalBytes(lit[1:], s[i+1:i+len(lit)], true) {
			return true
		}
	}
	return false
}

func matchSegments(segments []segment, s string, fold bool) bool {
	if len(segments) == 1 { // no '*': the only segment must cover s exactly
		end, ok := matchSegmentAt(segments[0].text, s, 0, fold)
		return ok && end == len(s)
	}
	pos, ok := matchSegmentAt(segments[0].text, s, 0, fold)
	if !ok {
		return false
	}
	last := len(segments) - 1
	for i := 1; i < last; i++ {
		seg := &segments[i]
		switch {
		case seg.text == "":
			continue
		case seg.plain:
			at := strings.Index(s[pos:], seg.text)
			if at < 0 {
				return false
			}
			pos += at + len(seg.text)
		default:
			if pos, ok = findSegment(seg.text, s, pos, fold); !ok {
				return false
			}
		}
	}
	tail := segments[last].text
	if tail == "" {
		return true
	}
	// The tail matches exactly charCount(tail) characters, so it can only
	// start where that many characters remain.
	need := charCount(tail)
	have := charCount(s[pos:])
	if have < need {
		return false
	}
	for skip := have - need; skip > 0; skip-- {
		pos += charLen(s, pos)
	}
	end, ok := matchSegmentAt(tail, s, pos, fold)
	return ok && end == len(s)
}

// findSegment returns the end of the leftmost match of seg in s at or after
// from (a character boundary).
func findSegment(seg, s string, from int, fold bool) (int, bool) {
	first := seg[0]
	for start := from; start < len(s); start += charLen(s, start) {
		if first != '?' {
			c := s[start]
			if fold {
				c = lowerByte(c)
			}
			if c != first {
				continue
			}
		}
		if end, ok := matchSegmentAt(seg, s, start, fold); ok {
			return end, true
		}
	}
	return 0, false
}

// matchSegmentAt matches the star-free segment seg against s starting at i
// and returns the index just past the match.
func matchSegmentAt(seg, s string, i int, fold bool) (int, bool) {
	for j := 0; j < len(seg); {
		if i >= len(s) {
			return 0, false
		}
		sw := charLen(s, i)
		if seg[j] == '?' {
			i += sw
			j++
			continue
		}
		pw := charLen(seg, j)
		if pw != sw {
			return 0, false
		}
		if pw == 1 {
			c := s[i]
			if fold {
				c = lowerByte(c)
			}
			if c != seg[j] {
				return 0, false
			}
		} else if seg[j:j+pw] != s[i:i+sw] {
			return 0, false
		}
		i += sw
		j += pw
	}
	return i, true
}

// charLen is the byte length of the character starting at s[i].
func charLen(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeRuneInString(s[i:])
	return w
}

func charCount(s string) int {
	n := 0
	for i := 0; i < len(s); i += charLen(s, i) {
		n++
	}
	return n
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

func upperByte(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// asciiLower lowers ASCII letters only (see compilePattern for why).
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerByte(b[j])
			}
			return string(b)
		}
	}
	return s
}

// hasWildcard reports whether s contains '*' or '?'.
func hasWildcard(s string) bool {
	return strings.ContainsAny(s, "*?")
}
