package directory

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Id shapes: the cloud documents the parent-folder id as "a 6-character
// string that starts with r- or a 10-character string that starts with
// fd-" (counts exclude the prefix).
func isRootID(id string) bool   { return hasAlnumSuffix(id, "r-", 6) }
func isFolderID(id string) bool { return hasAlnumSuffix(id, "fd-", 10) }
func isNodeID(id string) bool   { return isRootID(id) || isFolderID(id) }

func hasAlnumSuffix(s, prefix string, n int) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	return ok && len(rest) == n && isAlnum(rest)
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// checkNodeID validates a folder id parameter (Root or a folder).
func checkNodeID(param, id string) error {
	if !isNodeID(id) {
		return invalid(param, "The parameter %s %q is not a folder id: r- and 6 letters or digits for Root, fd- and 10 for a folder.", param, clip(id))
	}
	return nil
}

// checkAccountID validates a member id parameter.
func checkAccountID(id string) error {
	if id == "" {
		return missing("AccountId")
	}
	if len(id) > 32 || !isDigits(id) {
		return invalid("AccountId", "The parameter AccountId %q is not an account id (digits).", clip(id))
	}
	return nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// nameRule is one of the directory's name rules: a length in characters
// and letters (any script: the China site allows CJK), digits and a few
// symbols.
type nameRule struct {
	param    string // the parameter's family name, e.g. Folder.Name
	min, max int
	symbols  string
}

var (
	folderNameRule  = nameRule{param: "Folder.Name", min: 1, max: 24, symbols: "_.-"}
	displayNameRule = nameRule{param: "Account.DisplayName", min: 2, max: 50, symbols: "_.- "}
)

func (r nameRule) check(name string) error {
	if name == "" {
		return missing(r.param)
	}
	if !utf8.ValidString(name) {
		return invalid(r.param, "The %s is not valid UTF-8.", r.param)
	}
	if n := utf8.RuneCountInString(name); n < r.min || n > r.max {
		return invalid(r.param+".Length", "The %s must be %d to %d characters; got %d.", r.param, r.min, r.max, n)
	}
	for _, c := range name {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && !strings.ContainsRune(r.symbols, c) {
			return invalid(r.param, "The %s %q may contain only letters, digits and %q.", r.param, name, r.symbols)
		}
	}
	if strings.TrimSpace(name) != name {
		return invalid(r.param, "The %s %q must not start or end with a space.", r.param, name)
	}
	return nil
}

// clip shortens a value echoed in an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// Paging of the page-number lists.
const (
	DefaultPageSize = 10
	MaxPageSize     = 100
	MaxPageNumber   = 200000
)

// Page selects one page of a page-number list.
type Page struct {
	Number *int
	Size   *int
}

// resolve returns the page number and size, defaults applied.
func (p Page) resolve() (number, size int, err error) {
	number, size = 1, DefaultPageSize
	if p.Number != nil {
		if number = *p.Number; number < 1 || number > MaxPageNumber {
			return 0, 0, invalid("PageNumber", "The parameter PageNumber must be in the range of 1 and %d; got %d.", MaxPageNumber, number)
		}
	}
	if p.Size != nil {
		if size = *p.Size; size < 1 || size > MaxPageSize {
			return 0, 0, invalid("PageSize", "The parameter PageSize must be in the range of 1 and %d; got %d.", MaxPageSize, size)
		}
	}
	return number, size, nil
}

// Listed is one page of a page-number list.
type Listed[T any] struct {
	Items      []T
	TotalCount int
	PageNumber int
	PageSize   int
}

// pageOf cuts one page out of a filtered list held in memory.
func pageOf[T any](all []T, number, size int) Listed[T] {
	from := min((number-1)*size, len(all))
	to := min(from+size, len(all))
	return Listed[T]{Items: all[from:to], TotalCount: len(all), PageNumber: number, PageSize: size}
}

// checkAccountNamePrefix: 2-37 characters (international site), letters,
// digits and _ . -, a letter or digit at both ends, no two symbols in a
// row.
func checkAccountNamePrefix(p string) error {
	const param = "Account.AccountNamePrefix"
	if len(p) < 2 || len(p) > 37 {
		return invalid(param+".Length", "The AccountNamePrefix must be 2 to 37 characters; got %d.", utf8.RuneCountInString(p))
	}
	if problem := loginPrefixProblem(p); problem != "" {
		return invalid(param, "The AccountNamePrefix %q %s.", clip(p), problem)
	}
	return nil
}

// loginPrefixProblem says what breaks the character rules of a login-name
// prefix (member and new management accounts), "" when nothing does.
func loginPrefixProblem(p string) string {
	symbol := func(c byte) bool { return c == '_' || c == '.' || c == '-' }
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !isAlnum(p[i:i+1]) && !symbol(c) {
			return "may contain only letters, digits and _ . -"
		}
		if symbol(c) && (i == 0 || i == len(p)-1 || symbol(p[i-1])) {
			return "must start and end with a letter or digit and have no two symbols in a row"
		}
	}
	return ""
}

// Tag rules: at most 20 per member; keys 1-128 characters, not starting
// with aliyun or acs:, no http:// or https://; values at most 128, not
// starting with acs:, no URLs.
const maxTags = 20

func checkTags(tags []Tag) error {
	if len(tags) > maxTags {
		return invalid("Tag", "A member may have at most %d tags; got %d.", maxTags, len(tags))
	}
	seen := map[string]bool{}
	for _, t := range tags {
		lk := strings.ToLower(t.Key)
		switch {
		case t.Key == "" || utf8.RuneCountInString(t.Key) > 128:
			return invalid("Tag.Key", "A tag key must be 1 to 128 characters.")
		case strings.HasPrefix(lk, "aliyun") || strings.HasPrefix(lk, "acs:") || hasURL(lk):
			return invalid("Tag.Key", "The tag key %q must not start with aliyun or acs: nor contain a URL.", clip(t.Key))
		case utf8.RuneCountInString(t.Value) > 128:
			return invalid("Tag.Value", "A tag value must be at most 128 characters.")
		case strings.HasPrefix(strings.ToLower(t.Value), "acs:") || hasURL(strings.ToLower(t.Value)):
			return invalid("Tag.Value", "The tag value %q must not start with acs: nor contain a URL.", clip(t.Value))
		case seen[t.Key]:
			return invalid("Tag.Key", "The tag key %q is given twice.", clip(t.Key))
		}
		seen[t.Key] = true
	}
	return nil
}

func hasURL(s string) bool { return strings.Contains(s, "http://") || strings.Contains(s, "https://") }
