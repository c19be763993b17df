// Package model holds the entities every layer shares: principals, resource
// names and identifiers. It has no behaviour that touches I/O.
package model

import "time"

// PrincipalKind says what kind of identity made a request.
type PrincipalKind uint8

const (
	// Root is the account itself (the root user of an Alibaba Cloud account).
	Root PrincipalKind = iota + 1
	// RAMUser is a RAM user of an account.
	RAMUser
	// AssumedRole is an STS session of a RAM role.
	AssumedRole
)

// Principal is the authenticated caller of one request: root, a RAM user,
// or a session of an assumed role. Every method answers for each kind, so
// the layers above (authorization, audit, GetCallerIdentity) never switch
// on the kind themselves.
type Principal struct {
	Kind      PrincipalKind
	AccountID string // the account the identity acts in (a role's owner for a session)
	UserName  string // RAM user name (RAMUser)
	UserID    string // RAM user id (RAMUser)
	// AccessKeyID is the key that signed the request ("" for a console
	// session): a long-term key, or an STS. key for a role session.
	AccessKeyID string
	MFAPresent  bool
	// Session describes an assumed-role session (AssumedRole only).
	Session *Session
}

// Session is an STS session of a RAM role: which role, under which session
// name, assumed by whom, until when, narrowed by which session policy.
type Session struct {
	RoleName    string
	RoleID      string
	SessionName string
	Source      SourceIdentity
	Issued      time.Time
	Expires     time.Time
	// Policy is the session policy document ("" = none): it can only
	// narrow what the role's policies allow.
	Policy string
}

// SourceIdentity is who assumed a role: the identity whose credentials
// called AssumeRole (itself possibly a session, when roles are chained).
type SourceIdentity struct {
	Type        string // the audit type of the source: ram-user, assumed-role, ...
	AccountID   string
	ARN         string
	PrincipalID string
}

// ARN is the principal's resource name, as GetCallerIdentity and trust
// policies spell it.
func (p *Principal) ARN() string {
	switch p.Kind {
	case RAMUser:
		return UserARN(p.AccountID, p.UserName)
	case AssumedRole:
		return AssumedRoleARN(p.AccountID, p.Session.RoleName, p.Session.SessionName)
	default:
		return RootARN(p.AccountID)
	}
}

// PrincipalID is the id GetCallerIdentity reports as PrincipalId.
func (p *Principal) PrincipalID() string {
	switch p.Kind {
	case RAMUser:
		return p.UserID
	case AssumedRole:
		return p.Session.RoleID + ":" + p.Session.SessionName
	default:
		return p.AccountID
	}
}

// IdentityType is the GetCallerIdentity IdentityType value.
func (p *Principal) IdentityType() string {
	switch p.Kind {
	case RAMUser:
		return "RAMUser"
	case AssumedRole:
		return "AssumedRoleUser"
	default:
		return "Account"
	}
}

// AuditType is the ActionTrail userIdentity.type value.
func (p *Principal) AuditType() string {
	switch p.Kind {
	case RAMUser:
		return "ram-user"
	case AssumedRole:
		return "assumed-role"
	default:
		return "root-account"
	}
}

// AuditUserName is the ActionTrail userIdentity.userName value: "root",
// the RAM user's name, or "<role>:<session>".
func (p *Principal) AuditUserName() string {
	switch p.Kind {
	case RAMUser:
		return p.UserName
	case AssumedRole:
		return p.Session.RoleName + ":" + p.Session.SessionName
	default:
		return "root"
	}
}

// DeniedPrincipalType is the AccessDeniedDetail.AuthPrincipalType value.
func (p *Principal) DeniedPrincipalType() string {
	switch p.Kind {
	case RAMUser:
		return "SubUser"
	case AssumedRole:
		return "AssumedRoleUser"
	default:
		return "Account"
	}
}

// DisplayName is the AccessDeniedDetail.AuthPrincipalDisplayName value:
// the account id for root, otherwise the audit user name.
func (p *Principal) DisplayName() string {
	if p.Kind == Root {
		return p.AccountID
	}
	return p.AuditUserName()
}

// Identity names the RAM identity whose attached policies apply: a user or
// a role, by id, so a cache keyed by it survives renames and never mixes a
// deleted entity with a new one of the same name. Root has none.
func (p *Principal) Identity() IdentityRef {
	switch p.Kind {
	case RAMUser:
		return IdentityRef{AccountID: p.AccountID, Type: IdentityUser, Name: p.UserName, ID: p.UserID}
	case AssumedRole:
		return IdentityRef{AccountID: p.AccountID, Type: IdentityRole, Name: p.Session.RoleName, ID: p.Session.RoleID}
	default:
		return IdentityRef{AccountID: p.AccountID}
	}
}

// IdentityType of an IdentityRef.
const (
	IdentityUser = "user"
	IdentityRole = "role"
)

// IdentityRef is a RAM user or role of an account (Type "" for root).
type IdentityRef struct {
	AccountID string
	Type      string // IdentityUser | IdentityRole | ""
	Name      string
	ID        string
}

// Key is a compact cache key for the identity.
func (r IdentityRef) Key() string { return r.AccountID + "\x00" + r.Type + "\x00" + r.ID }
