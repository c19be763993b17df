// Package model holds the entities every layer shares: principals, resource
// names and identifiers. It has no behaviour that touches I/O.
package model

// PrincipalKind says what kind of identity signed a request.
type PrincipalKind uint8

const (
	// Root is the account itself (the root user of an Alibaba Cloud account).
	Root PrincipalKind = iota + 1
	// RAMUser is a RAM user of an account.
	RAMUser
	// AssumedRole is an STS session of a RAM role.
	AssumedRole
)

// Principal is the authenticated caller of one request.
type Principal struct {
	Kind        PrincipalKind
	AccountID   string // the account the identity belongs to
	UserName    string // RAM user name (RAMUser)
	UserID      string // RAM user id (RAMUser)
	AccessKeyID string // the AccessKey that signed the request
	MFAPresent  bool
}

// ARN is the principal's resource name, as GetCallerIdentity and trust
// policies spell it.
func (p *Principal) ARN() string {
	switch p.Kind {
	case RAMUser:
		return UserARN(p.AccountID, p.UserName)
	default:
		return RootARN(p.AccountID)
	}
}

// PrincipalID is the id GetCallerIdentity reports as PrincipalId.
func (p *Principal) PrincipalID() string {
	if p.Kind == RAMUser {
		return p.UserID
	}
	return p.AccountID
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

// AuditUserName is the ActionTrail userIdentity.userName value.
func (p *Principal) AuditUserName() string {
	if p.Kind == RAMUser {
		return p.UserName
	}
	return "root"
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

// DisplayName is the AccessDeniedDetail.AuthPrincipalDisplayName value.
func (p *Principal) DisplayName() string {
	if p.Kind == RAMUser {
		return p.UserName
	}
	return p.AccountID
}
