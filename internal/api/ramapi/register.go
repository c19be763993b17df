package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/iam"
)

// Register adds every Ram 2015-05-01 action to the registry.
func Register(r *api.Registry, svc *iam.Service) {
	registerUsers(r, svc)
	registerLoginProfiles(r, svc)
	registerAccessKeys(r, svc)
	registerMFA(r, svc)
	registerGroups(r, svc)
	registerRoles(r, svc)
	registerPolicies(r, svc)
	registerAttachments(r, svc)
	registerSettings(r, svc)
}
