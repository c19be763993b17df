package model

import "strings"

// RootARN is the resource name of an account's root user.
func RootARN(accountID string) string { return "acs:ram::" + accountID + ":root" }

// UserARN is the resource name of a RAM user.
func UserARN(accountID, userName string) string {
	return "acs:ram::" + accountID + ":user/" + userName
}

// AssumedRoleARN is the resource name of a role session, as
// GetCallerIdentity reports it.
func AssumedRoleARN(accountID, roleName, sessionName string) string {
	return "acs:ram::" + accountID + ":assumed-role/" + roleName + "/" + sessionName
}

// GroupARN is the resource name of a RAM group.
func GroupARN(accountID, groupName string) string {
	return "acs:ram::" + accountID + ":group/" + groupName
}

// RoleARN is the resource name of a RAM role.
func RoleARN(accountID, roleName string) string {
	return "acs:ram::" + accountID + ":role/" + roleName
}

// PolicyARN is the resource name of a policy; system policies live in the
// pseudo-account "system".
func PolicyARN(accountID, policyType, policyName string) string {
	if policyType == "System" {
		return "acs:ram:*:system:policy/" + policyName
	}
	return "acs:ram:*:" + accountID + ":policy/" + policyName
}

// MFAARN is the serial number (resource name) of a virtual MFA device.
func MFAARN(accountID, deviceName string) string {
	return "acs:ram::" + accountID + ":mfa/" + deviceName
}

// ParseMFAARN splits a virtual MFA serial number into account and device
// name; ok is false when it is not of the form acs:ram::<uid>:mfa/<name>.
func ParseMFAARN(serial string) (accountID, deviceName string, ok bool) {
	rest, found := strings.CutPrefix(serial, "acs:ram::")
	if !found {
		return "", "", false
	}
	accountID, name, found := strings.Cut(rest, ":mfa/")
	if !found || accountID == "" || name == "" {
		return "", "", false
	}
	return accountID, name, true
}

// AccountResource is the resource name used for account-wide RAM settings
// (password policy, security preference, alias, MFA devices listing).
func AccountResource(accountID string) string { return "acs:ram::" + accountID + ":*" }

// ResourceManagerARN names a Resource Directory resource of an account:
// resourcedirectory/<id>, folder/<id>, account/<rd path>, handshake/<id>.
func ResourceManagerARN(accountID, resource string) string {
	return "acs:resourcemanager::" + accountID + ":" + resource
}
