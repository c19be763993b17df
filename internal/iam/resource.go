package iam

import (
	"strings"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// CanonicalResource returns the resource name arn with the entity it names
// spelled as stored. Lookups by name ignore case, so a call may name the
// user "tom" as TOM; policies match resource names case-sensitively, so the
// call must be authorized on acs:ram::<account>:user/tom, the name a policy
// about that user spells, or a Deny on it could be dodged by changing case.
//
// It maps user/, group/, role/ and mfa/ (acs:ram::<account>:<type>/<name>),
// custom policies (acs:ram:*:<account>:policy/<name>) and system policies
// (acs:ram:*:system:policy/<name>), in whichever account the ARN names:
// a call may act on another account's entity (AssumeRole on its role), and
// a Deny on that entity must hold in any case too. Anything else (a
// wildcard, an entity that does not exist, another kind of resource) comes
// back unchanged; the error is a storage failure only.
//
// Every call a RAM identity makes on a named entity asks this once, and
// the lookup reads the whole stored entity for its name (1.5% of a RAM
// user's GetUser on the server, a third of its read transaction): a read
// that can remember (store.Remembering) keeps the answer until the next
// write.
func (s *Service) CanonicalResource(tx store.Tx, arn string) (string, error) {
	memo, ok := tx.(store.Remembering)
	if !ok {
		return canonicalResource(tx, arn)
	}
	key := canonicalKeyPrefix + arn
	if v, ok := memo.Recall(key); ok {
		return v.(string), nil
	}
	resource, err := canonicalResource(tx, arn)
	if err == nil {
		memo.Keep(key, resource, len(resource))
	}
	return resource, err
}

// canonicalKeyPrefix sets the canonical spellings apart from the other
// values reads remember (the API's keys begin with a product version).
const canonicalKeyPrefix = "iam.canonical\x00"

func canonicalResource(tx store.Tx, arn string) (string, error) {
	if name, ok := strings.CutPrefix(arn, "acs:ram:*:system:policy/"); ok {
		if sp, found := findSystemPolicy(name); found {
			return model.PolicyARN("", PolicyTypeSystem, sp.Name), nil
		}
		return arn, nil
	}
	if rest, ok := strings.CutPrefix(arn, "acs:ram:*:"); ok {
		accountID, name, ok := strings.Cut(rest, ":policy/")
		if !ok || !model.IsAccountID(accountID) {
			return arn, nil
		}
		p, _, err := customPolicies.Get(tx, accountID, lookupKey(name))
		return canonical(arn, err, func() string { return model.PolicyARN(accountID, PolicyTypeCustom, p.Name) })
	}
	rest, ok := strings.CutPrefix(arn, "acs:ram::")
	if !ok {
		return arn, nil
	}
	accountID, rest, ok := strings.Cut(rest, ":")
	if !ok || !model.IsAccountID(accountID) {
		return arn, nil
	}
	typ, name, ok := strings.Cut(rest, "/")
	if !ok {
		return arn, nil
	}
	key := lookupKey(name)
	switch typ {
	case "user":
		u, _, err := users.Get(tx, accountID, key)
		return canonical(arn, err, func() string { return model.UserARN(accountID, u.Name) })
	case "group":
		g, _, err := groups.Get(tx, accountID, key)
		return canonical(arn, err, func() string { return model.GroupARN(accountID, g.Name) })
	case "role":
		r, _, err := roles.Get(tx, accountID, key)
		return canonical(arn, err, func() string { return model.RoleARN(accountID, r.Name) })
	case "mfa":
		d, _, err := mfaDevices.Get(tx, accountID, key)
		return canonical(arn, err, func() string { return model.MFAARN(accountID, d.Name) })
	}
	return arn, nil
}

// canonical is the result of one lookup: the stored spelling when found,
// arn unchanged when not.
func canonical(arn string, err error, stored func() string) (string, error) {
	switch {
	case err == nil:
		return stored(), nil
	case isNotFound(err):
		return arn, nil
	default:
		return "", err
	}
}
