package signature

// Percent-encoding as both SDK families apply it to signed material: RFC 3986,
// where only the unreserved bytes A-Z a-z 0-9 - _ . ~ stay literal and every
// other byte of the UTF-8 form becomes %XX with upper-case hex. The SDKs reach
// the same result through url.QueryEscape followed by "+"->"%20", "*"->"%2A"
// and "%7E"->"~".

const upperHex = "0123456789ABCDEF"

// unreserved[b] reports whether b stays literal under RFC 3986.
var unreserved = func() (t [256]bool) {
	for b := 'A'; b <= 'Z'; b++ {
		t[b] = true
	}
	for b := 'a'; b <= 'z'; b++ {
		t[b] = true
	}
	for b := '0'; b <= '9'; b++ {
		t[b] = true
	}
	t['-'], t['_'], t['.'], t['~'] = true, true, true, true
	return t
}()

// PercentEncode returns s encoded with the RFC 3986 rule above.
func PercentEncode(s string) string {
	return string(appendPercentEncoded(nil, s))
}

// appendPercentEncoded appends the RFC 3986 encoding of s. Runs of unreserved
// bytes are copied in one append, which is the common case for names and most
// values.
func appendPercentEncoded(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// appendDoublyEncoded appends percentEncode(percentEncode(s)) in one pass.
// The V1 string-to-sign encodes the already-encoded canonical query a second
// time; since the first pass only emits unreserved bytes and "%XX", the second
// pass maps each escaped byte to "%25XX" and leaves everything else alone.
func appendDoublyEncoded(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '%', '2', '5', upperHex[c>>4], upperHex[c&15])
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// appendEncodedPath encodes a decoded URL path for the V3 canonical URI:
// each segment with RFC 3986, the '/' separators kept. An empty path is "/".
func appendEncodedPath(dst []byte, path string) []byte {
	if path == "" {
		return append(dst, '/')
	}
	start := 0
	for i := 0; i < len(path); i++ {
		c := path[i]
		if unreserved[c] || c == '/' {
			continue
		}
		dst = append(dst, path[start:i]...)
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		start = i + 1
	}
	return append(dst, path[start:]...)
}

// unhex returns the value of a hex digit and whether c is one.
func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
