package policy

import (
	"fmt"
	"strings"
)

// Principal is the caller of sts:AssumeRole (or a federation call) as seen
// by a role trust policy.
type Principal struct {
	// AccountID is the caller's account UID. When empty it is taken from ARN.
	AccountID string
	// ARN is the caller's ARN: acs:ram::<uid>:user/<name>,
	// acs:ram::<uid>:role/<name>, acs:ram::<uid>:assumed-role/<role>/<session>
	// or acs:ram::<uid>:root.
	ARN string
	// Service is set when a cloud service is the caller, e.g.
	// "ecs.aliyuncs.com".
	Service string
	// Federated is the identity provider ARN for SAML/OIDC federation, e.g.
	// acs:ram::<uid>:saml-provider/<name>.
	Federated string
}

// principalSet is the compiled Principal element of a trust statement.
type principalSet struct {
	everyone     bool     // "Principal": "*"
	anyRAM       bool     // "RAM": "*"
	rootAccounts []string // acs:ram::<uid>:root admits every identity of <uid>
	users        []namedPrincipal
	roles        []namedPrincipal
	anyService   bool
	services     []string // compared case-insensitively
	federated    []string
}

type namedPrincipal struct {
	account string
	name    string
}

// TrustsPrincipal decides whether this trust policy lets principal perform
// req.Action (normally "sts:AssumeRole") under req.Context: a matching Deny
// statement gives ExplicitDeny, otherwise a matching Allow gives Allow,
// otherwise ImplicitDeny. req.Resource is not used. An identity policy always
// gives ImplicitDeny here.
//
// Principal matching: "*" admits everyone; RAM "*" admits every RAM identity;
// acs:ram::<uid>:root admits every identity of account <uid> (users, roles
// and role sessions); a user ARN admits exactly that user (names are
// case-sensitive); a role ARN admits that role and its sessions (names are
// case-insensitive because system role ARNs are lower-cased); Service entries
// admit the service principal of that name; Federated entries admit that
// identity provider.
func (p *Policy) TrustsPrincipal(req *Request, principal Principal) Decision {
	if p == nil || p.kind != Trust {
		return ImplicitDeny
	}
	allowed := false
	for i := range p.statements {
		st := &p.statements[i]
		if (!st.deny && allowed) || !st.matchesAction(req.Action) ||
			!st.principals.admits(&principal) || !st.matchesRest(req) {
			continue
		}
		if st.deny {
			return ExplicitDeny
		}
		allowed = true
	}
	if allowed {
		return Allow
	}
	return ImplicitDeny
}

func (ps *principalSet) admits(p *Principal) bool {
	if ps == nil {
		return false
	}
	if ps.everyone {
		return true
	}
	// A principal is of exactly one kind; a service or identity provider
	// never passes as a RAM identity even if an account is attached to it.
	switch {
	case p.Service != "":
		if ps.anyService {
			return true
		}
		for _, s := range ps.services {
			if strings.EqualFold(s, p.Service) {
				return true
			}
		}
		return false
	case p.Federated != "":
		for _, f := range ps.federated {
			if f == p.Federated {
				return true
			}
		}
		return false
	case p.ARN == "" && p.AccountID == "":
		return false
	}
	if ps.anyRAM {
		return true
	}
	arnAccount, resource, parsed := splitRAMARN(p.ARN)
	account := p.AccountID
	if account == "" {
		account = arnAccount
	}
	for _, a := range ps.rootAccounts {
		if a == account {
			return true
		}
	}
	if !parsed {
		return false
	}
	if name, ok := strings.CutPrefix(resource, "user/"); ok {
		for _, u := range ps.users {
			if u.account == arnAccount && u.name == name {
				return true
			}
		}
		return false
	}
	if name, ok := roleNameOf(resource); ok {
		for _, r := range ps.roles {
			if r.account == arnAccount && strings.EqualFold(r.name, name) {
				return true
			}
		}
	}
	return false
}

// roleNameOf extracts the role name from "role/<name>",
// "role/<name>/<session>" (AssumeRole's AssumedRoleUser.Arn) and
// "assumed-role/<name>/<session>" (GetCallerIdentity).
func roleNameOf(resource string) (string, bool) {
	rest, ok := strings.CutPrefix(resource, "role/")
	if !ok {
		if rest, ok = strings.CutPrefix(resource, "assumed-role/"); !ok {
			return "", false
		}
	}
	name, _, _ := strings.Cut(rest, "/")
	return name, name != ""
}

// splitRAMARN splits "acs:ram::<uid>:<resource>" into uid and resource.
func splitRAMARN(arn string) (account, resource string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "acs:ram::")
	if !ok {
		return "", "", false
	}
	account, resource, ok = strings.Cut(rest, ":")
	if !ok || account == "" || resource == "" {
		return "", "", false
	}
	for i := 0; i < len(account); i++ {
		if !isDigit(account[i]) {
			return "", "", false
		}
	}
	return account, resource, true
}

func parsePrincipal(v *jsonValue, path string) (*principalSet, error) {
	switch v.kind {
	case jsonString:
		if v.text != "*" {
			return nil, syntaxErrorf("%s must be \"*\" or an object with RAM, Service or Federated", path)
		}
		return &principalSet{everyone: true}, nil
	case jsonObject:
	default:
		return nil, syntaxErrorf("%s must be \"*\" or an object with RAM, Service or Federated, not %v", path, v.kind)
	}
	if len(v.members) == 0 {
		return nil, syntaxErrorf("%s must not be empty", path)
	}
	ps := &principalSet{}
	for _, m := range v.members {
		entryPath := path + "." + m.key
		var add func(string) error
		switch m.key {
		case "RAM":
			add = ps.addRAM
		case "Service":
			add = ps.addService
		case "Federated":
			add = ps.addFederated
		default:
			return nil, syntaxErrorf("%s: unknown principal type %q (allowed: RAM, Service, Federated)", path, m.key)
		}
		entries, err := parseStringList(m.value, entryPath)
		if err != nil {
			return nil, err
		}
		for i, e := range entries {
			if err := add(e); err != nil {
				return nil, syntaxErrorf("%s: %v", elementPath(entryPath, m.value, i), err)
			}
		}
	}
	return ps, nil
}

func (ps *principalSet) addRAM(entry string) error {
	if entry == "*" {
		ps.anyRAM = true
		return nil
	}
	account, resource, ok := splitRAMARN(entry)
	if ok && resource == "root" {
		ps.rootAccounts = append(ps.rootAccounts, account)
		return nil
	}
	if ok {
		if name, isUser := strings.CutPrefix(resource, "user/"); isUser && validPrincipalName(name) {
			ps.users = append(ps.users, namedPrincipal{account, name})
			return nil
		}
		if name, isRole := strings.CutPrefix(resource, "role/"); isRole && validPrincipalName(name) {
			ps.roles = append(ps.roles, namedPrincipal{account, name})
			return nil
		}
	}
	return fmt.Errorf("RAM principal %q must be \"*\", acs:ram::<uid>:root, acs:ram::<uid>:user/<name> or acs:ram::<uid>:role/<name>", entry)
}

func (ps *principalSet) addService(entry string) error {
	if entry == "*" {
		ps.anyService = true
		return nil
	}
	for i := 0; i < len(entry); i++ {
		if c := entry[i]; !isServiceChar(c) && c != '.' && c != '@' {
			return fmt.Errorf("service principal %q must look like \"ecs.aliyuncs.com\"", entry)
		}
	}
	ps.services = append(ps.services, entry)
	return nil
}

func (ps *principalSet) addFederated(entry string) error {
	_, resource, ok := splitRAMARN(entry)
	if ok {
		for _, prefix := range []string{"saml-provider/", "oidc-provider/"} {
			if name, found := strings.CutPrefix(resource, prefix); found && validPrincipalName(name) {
				ps.federated = append(ps.federated, entry)
				return nil
			}
		}
	}
	return fmt.Errorf("federated principal %q must be acs:ram::<uid>:saml-provider/<name> or acs:ram::<uid>:oidc-provider/<name>", entry)
}

// validPrincipalName rejects names that could never be a user, role or
// provider name: empty, with '/', ':', wildcards, spaces or control
// characters.
// Wildcards are not supported in trust principals, so a '*' is a mistake.
func validPrincipalName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r <= ' ' || r == 0x7f || r == '/' || r == ':' || r == '*' || r == '?' {
			return false
		}
	}
	return true
}
