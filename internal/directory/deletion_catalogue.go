package directory

import "github.com/canopy-iam/canopy/internal/model"

// DeletionCheckInfo is one pre-deletion check as a page lists it: the API
// answers only with the checks that found something, so a page that shows
// every check with pass or fail needs the whole list.
type DeletionCheckInfo struct {
	ID          string
	Name        string
	Looks       string // what the check looks at
	Abandonable bool   // DeleteAccount may be told to ignore it
}

// deletionCatalogue is every check, blocking first, in the order
// runChecks runs them; runChecks names its findings from it.
var deletionCatalogue = []DeletionCheckInfo{
	{ID: CheckPayer, Name: "Payer of other members", Looks: "No other member names this account as its payer."},
	{ID: CheckAccessKeys, Name: "RAM users with AccessKeys", Looks: "No RAM user of the member holds an AccessKey.", Abandonable: true},
	{ID: CheckRoles, Name: "RAM roles", Looks: "The member has no RAM role besides " + AccessRoleName + ".", Abandonable: true},
}

// DeletionChecks lists every pre-deletion check.
func DeletionChecks() []DeletionCheckInfo {
	return append([]DeletionCheckInfo(nil), deletionCatalogue...)
}

func checkName(id string) string {
	for _, c := range deletionCatalogue {
		if c.ID == id {
			return c.Name
		}
	}
	return id
}

// CheckDeletionCaller is the deletion calls' rule on who may check or
// delete members (a RAM identity of the management account), exported so
// the console explains it before it offers a dialog that would fail.
func CheckDeletionCaller(caller *model.Principal, forDelete bool) error {
	if caller.Kind != model.Root {
		return nil
	}
	if forDelete {
		return ramIdentityOnly(codeCallerIdentityDel, "delete members")
	}
	return ramIdentityOnly(codeCallerIdentityDel, "check members for deletion")
}
