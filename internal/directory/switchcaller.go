package directory

import "github.com/canopy-iam/canopy/internal/model"

// CheckTypeSwitchCaller is UpdateAccount's rule on who may switch a
// member's type, exported so the console can refuse the management
// root before it sends a verification code for a switch that would fail.
func CheckTypeSwitchCaller(caller *model.Principal) error {
	if caller.Kind == model.Root {
		return ramIdentityOnly(codeCallerIdentity, "switch a member's type")
	}
	return nil
}
