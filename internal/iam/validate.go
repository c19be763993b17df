package iam

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/canopy-iam/canopy/internal/policy"
)

// nameRule is the syntax of an entity name: ASCII letters and digits plus
// the listed punctuation, between min and max characters.
type nameRule struct {
	min, max int
	punct    string
}

// Name rules from the RAM API reference.
var (
	userNameRule   = nameRule{1, 64, "._-"}
	groupNameRule  = nameRule{1, 64, "._-"}
	roleNameRule   = nameRule{1, 64, ".-"}
	policyNameRule = nameRule{1, 128, "-"}
	mfaNameRule    = nameRule{1, 64, ".-"}
)

// Free-text and document limits (characters).
const (
	maxDisplayName = 128 // RAM; IMS allows 24 and checks that itself
	maxComments    = 128
	maxDescription = 1024
	maxEmail       = 128
	// MaxPolicyDocumentLength bounds a custom policy document.
	MaxPolicyDocumentLength = policy.MaxDocumentLength
	// maxTrustPolicy bounds a trust policy. The cloud documents the error
	// code but not the number; the custom-policy limit is the natural one.
	maxTrustPolicy = policy.MaxDocumentLength
)

// checkName validates an entity name for parameter param, reporting
// InvalidParameter.<param>.Length or .InvalidChars.
func checkName(param, value string, r nameRule) error {
	n := utf8.RuneCountInString(value)
	if n < r.min || n > r.max {
		return invalid(param, "Length", "The parameter %s must be %d to %d characters long; %q has %d.", param, r.min, r.max, value, n)
	}
	for i := 0; i < len(value); i++ {
		c := value[i]
		if !isASCIIAlnum(c) && strings.IndexByte(r.punct, c) < 0 {
			return invalid(param, "InvalidChars", "The parameter %s may contain only letters, digits and %q; %q is not allowed.", param, r.punct, value)
		}
	}
	return nil
}

func isASCIIAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// checkLength validates optional free text (Comments, Description):
// at most max characters of valid UTF-8 without control characters.
func checkLength(param, value string, max int) error {
	if !utf8.ValidString(value) || utf8.RuneCountInString(value) > max {
		return invalid(param, "Length", "The parameter %s must be at most %d characters.", param, max)
	}
	for _, r := range value {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return invalid(param, "Length", "The parameter %s must not contain control characters.", param)
		}
	}
	return nil
}

// CheckDisplayName validates a display name of at most max characters:
// letters (any script), digits, spaces and "@._-". Control and format
// characters (bidi overrides, zero-width joiners) and markup are refused so
// a name always shows as what it is.
func CheckDisplayName(param, value string, max int) error {
	n := utf8.RuneCountInString(value)
	if !utf8.ValidString(value) || n < 1 || n > max {
		return invalid(param, "Length", "The parameter %s must be 1 to %d characters long.", param, max)
	}
	for _, r := range value {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == ' ' || strings.ContainsRune("@._-", r)
		if !ok {
			return invalid(param, "InvalidChars", "The parameter %s may contain letters, digits, spaces and \"@._-\"; %q is not allowed.", param, r)
		}
	}
	return nil
}

var mobilePattern = regexp.MustCompile(`^[0-9]{1,4}-[0-9]{4,15}$`)

// checkMobile validates "<country code>-<number>".
func checkMobile(param, value string) error {
	if !mobilePattern.MatchString(value) {
		return invalid(param, "Format", "The parameter %s must look like <country code>-<number>, e.g. 86-13800000000.", param)
	}
	return nil
}

// checkEmail validates a bare e-mail address.
func checkEmail(param, value string) error {
	addr, err := mail.ParseAddress(value)
	if err != nil || addr.Address != value || addr.Name != "" || len(value) > maxEmail || strings.ContainsAny(value, " \t\r\n") {
		return invalid(param, "Format", "The parameter %s is not a valid e-mail address.", param)
	}
	return nil
}

// checkDocument validates a policy document: its length (param.Length) and
// its grammar (MalformedPolicyDocument). Nothing is stored unless it parses.
func checkDocument(param, doc string, kind policy.Kind, max int) error {
	if n := utf8.RuneCountInString(doc); n < 1 || n > max {
		return invalid(param, "Length", "The parameter %s must be 1 to %d characters long; it has %d.", param, max, n)
	}
	if _, err := policy.Parse(doc, kind); err != nil {
		return malformedPolicy(err)
	}
	return nil
}

// Policy types as the wire spells them.
const (
	PolicyTypeSystem = "System"
	PolicyTypeCustom = "Custom"
)

func checkPolicyType(t string) error {
	if t != PolicyTypeSystem && t != PolicyTypeCustom {
		return invalid("PolicyType", "", "The parameter PolicyType must be %q or %q, not %q.", PolicyTypeSystem, PolicyTypeCustom, t)
	}
	return nil
}

// checkRange validates an integer setting, reporting
// InvalidParameter.<param>.Range.
func checkRange(param string, v, min, max int) error {
	if v < min || v > max {
		return invalid(param, "Range", "The parameter %s must be in the range of %d and %d; got %d.", param, min, max, v)
	}
	return nil
}

// checkEnum validates a closed set of string values.
func checkEnum(param, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return invalidParameter.Of(param).New("The parameter %s must be one of %s; got %q.", param, strings.Join(allowed, ", "), v)
}
