package policy

import (
	"fmt"
	"strings"
)

// Document length limits of the wire APIs, in characters. Parse does not
// enforce them: each API reports its own error code (for example
// InvalidParameter.PolicyDocument.Length), so the check belongs to the caller.
const (
	MaxDocumentLength      = 6144 // RAM custom policy document
	MaxControlPolicyLength = 4096 // Resource Directory control policy document
	MaxSessionPolicyLength = 2048 // STS AssumeRole Policy parameter
)

// MaxStatements bounds the number of statements Parse accepts; a document
// within MaxDocumentLength cannot legitimately come close.
const MaxStatements = 1000

// Kind selects the grammar a document is parsed with.
type Kind uint8

const (
	// Identity documents grant or deny actions on resources: custom and
	// system RAM policies, STS session policies and control policies. Every
	// statement needs Resource or NotResource; Principal is forbidden.
	Identity Kind = iota + 1
	// Trust documents are role trust policies (AssumeRolePolicyDocument).
	// Every statement needs Principal; Resource and NotResource are forbidden.
	Trust
)

func (k Kind) String() string {
	switch k {
	case Identity:
		return "Identity"
	case Trust:
		return "Trust"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Policy is a parsed and compiled policy document. It is immutable and safe
// for concurrent use.
type Policy struct {
	kind       Kind
	document   string
	statements []statement
}

// Kind reports the grammar the policy was parsed with.
func (p *Policy) Kind() Kind { return p.kind }

// Document returns the original document text, byte for byte.
func (p *Policy) Document() string { return p.document }

// StatementCount returns the number of statements in the document.
func (p *Policy) StatementCount() int { return len(p.statements) }

// Parse parses and compiles a policy document. Every error is a *SyntaxError
// naming the offending element, e.g. `Statement[2].Effect must be "Allow" or
// "Deny"`.
func Parse(doc string, kind Kind) (*Policy, error) {
	if kind != Identity && kind != Trust {
		return nil, syntaxErrorf("unsupported policy kind %v", kind)
	}
	root, err := decodeStrict(doc)
	if err != nil {
		return nil, err
	}
	if root.kind != jsonObject {
		return nil, syntaxErrorf("policy document must be a JSON object, not %v", root.kind)
	}
	for _, m := range root.members {
		if m.key != "Version" && m.key != "Statement" {
			return nil, syntaxErrorf("unknown top-level key %q (allowed: Version, Statement)", m.key)
		}
	}
	version := root.member("Version")
	if version == nil {
		return nil, syntaxErrorf("Version is required")
	}
	if version.kind != jsonString || version.text != "1" {
		return nil, syntaxErrorf("Version must be the string \"1\"")
	}
	list := root.member("Statement")
	if list == nil {
		return nil, syntaxErrorf("Statement is required")
	}
	p := &Policy{kind: kind, document: doc}
	switch list.kind {
	case jsonObject:
		st, err := parseStatement(list, "Statement", kind)
		if err != nil {
			return nil, err
		}
		p.statements = []statement{st}
	case jsonArray:
		if len(list.elems) == 0 {
			return nil, syntaxErrorf("Statement must not be an empty array")
		}
		if len(list.elems) > MaxStatements {
			return nil, syntaxErrorf("Statement has %d entries; at most %d are allowed", len(list.elems), MaxStatements)
		}
		p.statements = make([]statement, 0, len(list.elems))
		for i, v := range list.elems {
			st, err := parseStatement(v, fmt.Sprintf("Statement[%d]", i), kind)
			if err != nil {
				return nil, err
			}
			p.statements = append(p.statements, st)
		}
	default:
		return nil, syntaxErrorf("Statement must be an object or an array of objects, not %v", list.kind)
	}
	return p, nil
}

// MustParse is Parse for documents embedded in the program (system
// policies); it panics on error.
func MustParse(doc string, kind Kind) *Policy {
	p, err := Parse(doc, kind)
	if err != nil {
		panic(fmt.Sprintf("policy.MustParse: %v", err))
	}
	return p
}

var statementKeys = []string{"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "Condition"}

func parseStatement(v *jsonValue, path string, kind Kind) (statement, error) {
	var st statement
	if v.kind != jsonObject {
		return st, syntaxErrorf("%s must be an object, not %v", path, v.kind)
	}
	for _, m := range v.members {
		known := false
		for _, k := range statementKeys {
			known = known || m.key == k
		}
		if !known {
			return st, syntaxErrorf("%s: unknown key %q (allowed: %s)", path, m.key, strings.Join(statementKeys, ", "))
		}
	}
	if sid := v.member("Sid"); sid != nil && (sid.kind != jsonString || sid.text == "") {
		return st, syntaxErrorf("%s.Sid must be a non-empty string", path)
	}

	effect := v.member("Effect")
	switch {
	case effect == nil:
		return st, syntaxErrorf("%s.Effect is required", path)
	case effect.kind == jsonString && effect.text == "Allow":
	case effect.kind == jsonString && effect.text == "Deny":
		st.deny = true
	default:
		return st, syntaxErrorf("%s.Effect must be \"Allow\" or \"Deny\"", path)
	}

	action, notAction := v.member("Action"), v.member("NotAction")
	if (action == nil) == (notAction == nil) {
		return st, syntaxErrorf("%s must have exactly one of Action and NotAction", path)
	}
	actionKey := "Action"
	if notAction != nil {
		action, actionKey, st.notAction = notAction, "NotAction", true
	}
	actions, err := parseStringList(action, path+"."+actionKey)
	if err != nil {
		return st, err
	}
	for i, a := range actions {
		if err := validateAction(a); err != nil {
			return st, syntaxErrorf("%s: %v", elementPath(path+"."+actionKey, action, i), err)
		}
	}
	st.setActions(actions)

	resource, notResource := v.member("Resource"), v.member("NotResource")
	principal := v.member("Principal")
	switch kind {
	case Identity:
		if principal != nil {
			return st, syntaxErrorf("%s.Principal is only allowed in trust policies", path)
		}
		if (resource == nil) == (notResource == nil) {
			return st, syntaxErrorf("%s must have exactly one of Resource and NotResource", path)
		}
		resourceKey := "Resource"
		if notResource != nil {
			resource, resourceKey, st.notResource = notResource, "NotResource", true
		}
		resources, err := parseStringList(resource, path+"."+resourceKey)
		if err != nil {
			return st, err
		}
		for i, r := range resources {
			if err := validateResource(r); err != nil {
				return st, syntaxErrorf("%s: %v", elementPath(path+"."+resourceKey, resource, i), err)
			}
			st.resources = append(st.resources, compilePattern(r, false))
		}
	case Trust:
		if resource != nil || notResource != nil {
			return st, syntaxErrorf("%s: Resource and NotResource are not allowed in trust policies", path)
		}
		if principal == nil {
			return st, syntaxErrorf("%s.Principal is required in trust policies", path)
		}
		st.anyResource = true
		st.principals, err = parsePrincipal(principal, path+".Principal")
		if err != nil {
			return st, err
		}
	}

	if cond := v.member("Condition"); cond != nil {
		st.conditions, err = parseConditionBlock(cond, path+".Condition")
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

// parseStringList accepts a non-empty string or a non-empty array of
// non-empty strings.
func parseStringList(v *jsonValue, path string) ([]string, error) {
	switch v.kind {
	case jsonString:
		if v.text == "" {
			return nil, syntaxErrorf("%s must not be an empty string", path)
		}
		return []string{v.text}, nil
	case jsonArray:
		if len(v.elems) == 0 {
			return nil, syntaxErrorf("%s must not be an empty array", path)
		}
		out := make([]string, 0, len(v.elems))
		for i, e := range v.elems {
			if e.kind != jsonString {
				return nil, syntaxErrorf("%s[%d] must be a string, not %v", path, i, e.kind)
			}
			if e.text == "" {
				return nil, syntaxErrorf("%s[%d] must not be an empty string", path, i)
			}
			out = append(out, e.text)
		}
		return out, nil
	}
	return nil, syntaxErrorf("%s must be a string or an array of strings, not %v", path, v.kind)
}

// elementPath names element i of a list that may have been written as a
// single string.
func elementPath(path string, list *jsonValue, i int) string {
	if list.kind == jsonArray {
		return fmt.Sprintf("%s[%d]", path, i)
	}
	return path
}

// validateAction accepts "*" or "<service>:<name>", where both parts may hold
// wildcards. The service code is letters, digits, '-' or '_'; the API name is
// letters, digits, '_', '-' or '.'.
func validateAction(a string) error {
	if a == "*" {
		return nil
	}
	service, name, ok := strings.Cut(a, ":")
	if !ok || service == "" || name == "" {
		return fmt.Errorf("action %q must be \"*\" or \"<service>:<action>\"", a)
	}
	for i := 0; i < len(service); i++ {
		if c := service[i]; !isServiceChar(c) && c != '*' && c != '?' {
			return fmt.Errorf("action %q has an invalid character %q in its service code", a, c)
		}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isServiceChar(c) && c != '.' && c != '*' && c != '?' {
			return fmt.Errorf("action %q has an invalid character %q in its action name", a, c)
		}
	}
	return nil
}

// validateResource accepts "*" or an ARN-like "acs:..." pattern without
// control characters.
func validateResource(r string) error {
	if r != "*" && !strings.HasPrefix(r, "acs:") {
		return fmt.Errorf("resource %q must be \"*\" or start with \"acs:\"", r)
	}
	for _, c := range r {
		if c < ' ' || c == 0x7f {
			return fmt.Errorf("resource %q contains a control character", r)
		}
	}
	return nil
}
