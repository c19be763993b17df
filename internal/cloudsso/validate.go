package cloudsso

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/canopy-iam/canopy/internal/store"
)

// Length limits (reference section 7).
const (
	MinDirectoryName   = 2
	MaxDirectoryName   = 64
	MaxUserName        = 64
	MaxDisplayName     = 256
	MaxFirstName       = 64
	MaxLastName        = 64
	MaxEmail           = 128
	MaxDescription     = 1024
	MaxGroupName       = 128
	MaxRegion          = 32
	DefaultMaxResults  = 10
	MaxMaxResults      = 100
	MaxDevicesPerUser  = 2
	MaxNetworkMasks    = 100
	MinPasswordLength  = 8
	maxIDLength        = 64
	maxEchoedParameter = 64
)

// clip shortens a caller's value before an error message repeats it.
func clip(s string) string {
	if len(s) <= maxEchoedParameter {
		return s
	}
	cut := maxEchoedParameter
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// isID reports whether s looks like prefix + lower-case alphanumerics.
func isID(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || rest == "" || len(s) > maxIDLength {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if !isLowerAlnum(rest[i]) {
			return false
		}
	}
	return true
}

func isDirectoryID(s string) bool { return isID(s, "d-") }

// checkDirectoryName: 2..64 lower-case letters, digits and inner single
// hyphens; "d-" is reserved to the directory's own id.
func checkDirectoryName(param, name, ownID string) error {
	bad := invalidParameter.Of(param)
	if n := len(name); n < MinDirectoryName || n > MaxDirectoryName {
		return bad.New("The parameter %s must be %d to %d characters long.", param, MinDirectoryName, MaxDirectoryName)
	}
	for i := 0; i < len(name); i++ {
		if !isLowerAlnum(name[i]) && name[i] != '-' {
			return bad.New("The parameter %s may contain only lower-case letters, digits and hyphens.", param)
		}
	}
	if strings.HasPrefix(name, "-") || strings.HasSuffix(name, "-") || strings.Contains(name, "--") {
		return bad.New("The parameter %s must not start or end with a hyphen or contain two hyphens in a row.", param)
	}
	if strings.HasPrefix(name, "d-") && name != ownID {
		return bad.New("The parameter %s must not start with \"d-\" (reserved for directory ids).", param)
	}
	return nil
}

// checkRegion accepts any region id shaped like cn-shanghai.
func checkRegion(region string) error {
	if len(region) > MaxRegion {
		return invalidParameter.Of("RegionId").New("The region %q is not a region id.", clip(region))
	}
	for i := 0; i < len(region); i++ {
		if !isLowerAlnum(region[i]) && region[i] != '-' {
			return invalidParameter.Of("RegionId").New("The region %q is not a region id.", clip(region))
		}
	}
	return nil
}

// checkLength refuses a value longer than max characters.
func checkLength(param, v string, max int) error {
	if utf8.RuneCountInString(v) > max {
		return invalidParameter.Of(param).New("The parameter %s must be at most %d characters long.", param, max)
	}
	if !utf8.ValidString(v) {
		return invalidParameter.Of(param).New("The parameter %s must be UTF-8 text.", param)
	}
	return nil
}

// checkEnum refuses a value outside allowed.
func checkEnum(param, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return invalidParameter.Of(param).New("The parameter %s must be one of %s; got %q.", param, strings.Join(allowed, ", "), clip(v))
}

// ParseBool reads a boolean parameter: the SDKs send true/false, the
// docs' examples write True/False, so case is ignored. nil stays nil.
func ParseBool(param string, raw *string) (*bool, error) {
	if raw == nil {
		return nil, nil
	}
	var b bool
	switch strings.ToLower(*raw) {
	case "true":
		b = true
	case "false":
	default:
		return nil, invalidParameter.Of(param).New("The parameter %s must be true or false; got %q.", param, clip(*raw))
	}
	return &b, nil
}

// Page is a NextToken/MaxResults request.
type Page struct {
	MaxResults *int
	NextToken  string
}

// Listed is one page of a list.
type Listed[T any] struct {
	Items       []T
	NextToken   string // "" when not truncated
	IsTruncated bool
	MaxResults  int
	TotalCounts int
}

// size checks MaxResults (1..max, default DefaultMaxResults).
func (p Page) size(max int) (int, error) {
	if p.MaxResults == nil {
		return DefaultMaxResults, nil
	}
	if n := *p.MaxResults; n < 1 || n > max {
		return 0, invalidParameter.Of("MaxResults").New("The parameter MaxResults must be 1 to %d.", max)
	}
	return *p.MaxResults, nil
}

// after decodes NextToken: the last key of the previous page, which must
// lie under prefix (a token of another list or directory is refused).
func (p Page) after(prefix string) (string, error) {
	if p.NextToken == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(p.NextToken)
	if err != nil || !strings.HasPrefix(string(raw), prefix) {
		return "", invalidParameter.Of("NextToken").New("The parameter NextToken is not a token this list returned.")
	}
	return string(raw), nil
}

// page lists one page of the records of c that q selects, in key order,
// decoding each with convert, which may also drop it (filters that are not
// key ranges). NextToken must lie under q.Prefix.
func page[T, Out any](tx store.Tx, c store.Collection[T], q store.Query, p Page, max int,
	convert func(*T) (Out, bool, error)) (Listed[Out], error) {
	size, err := p.size(max)
	if err != nil {
		return Listed[Out]{}, err
	}
	after, err := p.after(q.Prefix)
	if err != nil {
		return Listed[Out]{}, err
	}
	out := Listed[Out]{Items: []Out{}, MaxResults: size}
	// Lists are bounded by the directory quotas (1000 users), so they are
	// read in full: TotalCounts counts what the filter keeps.
	recs, err := c.Records(tx, q)
	if err != nil {
		return out, err
	}
	var last string
	for _, rec := range recs {
		var v T
		if err := c.Decode(rec, &v); err != nil {
			return out, err
		}
		if rec.Key <= after {
			// Before the page: counted, not converted (a filter that
			// reads more data is paid for the page only).
			if _, keep, err := convert(&v); err != nil || !keep {
				if err != nil {
					return out, err
				}
				continue
			}
			out.TotalCounts++
			continue
		}
		o, keep, err := convert(&v)
		if err != nil {
			return out, err
		}
		if !keep {
			continue
		}
		out.TotalCounts++
		if len(out.Items) < size {
			out.Items = append(out.Items, o)
			last = rec.Key
		} else {
			out.IsTruncated = true
		}
	}
	if out.IsTruncated {
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(last))
	}
	return out, nil
}
