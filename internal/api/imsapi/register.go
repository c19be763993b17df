package imsapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/iam"
)

// Register adds the Ims 2019-08-15 user-management actions.
func Register(r *api.Registry, svc *iam.Service) {
	registerUsers(r, svc)
	registerLoginProfiles(r, svc)
	registerAccessKeys(r, svc)
	registerMFA(r, svc)
	registerGroups(r, svc)
	registerSettings(r, svc)
}
