package iam

import "strings"

// ReservedSSOPrefix starts the names of the roles and policies CloudSSO
// provisions in member accounts (AliyunReservedSSO-<configuration> and
// AliyunReservedSSO-<configuration>-InlinePolicy). Their account may read
// them but not change them: what they grant is decided in CloudSSO, and a
// member administrator who could widen the role's trust or its policies
// would escape the directory's control.
const ReservedSSOPrefix = "AliyunReservedSSO-"

// IsReservedName reports whether a role or policy name is reserved to
// CloudSSO (names are compared regardless of case, as every lookup is).
func IsReservedName(name string) bool {
	return len(name) >= len(ReservedSSOPrefix) && strings.EqualFold(name[:len(ReservedSSOPrefix)], ReservedSSOPrefix)
}

// ReservedWriter returns the service as CloudSSO's provisioner uses it: it
// may create, change and delete reserved roles and policies. No API
// caller ever reaches it: the RAM actions use the plain service.
func (s *Service) ReservedWriter() *Service {
	w := *s
	w.reservedWriter = true
	return &w
}

// guardReserved refuses a write to a reserved role or policy unless the
// service is the reserved writer. kind is "role" or "policy".
func (s *Service) guardReserved(kind, name string) error {
	if s.reservedWriter || !IsReservedName(name) {
		return nil
	}
	return codeReservedEntity.New("The %s %q is reserved to CloudSSO, which provisions it in this account: it can be read but not created, changed, attached, detached or deleted here; change the access configuration in CloudSSO instead.", kind, name)
}

// guardReservedAttachment refuses attaching or detaching when the role or
// the custom policy is reserved.
func (s *Service) guardReservedAttachment(t PrincipalType, principalName, policyType, policyName string) error {
	if t == PrincipalRole {
		if err := s.guardReserved("role", principalName); err != nil {
			return err
		}
	}
	if policyType == PolicyTypeCustom {
		return s.guardReserved("policy", policyName)
	}
	return nil
}
