package directory

import (
	"slices"
	"strings"
	"testing"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/model"
)

// The catalogue the console lists is exactly the checks DeleteAccount
// knows, each abandonable exactly when AbandonableCheckId accepts it.
func TestDeletionCatalogueMatchesTheChecks(t *testing.T) {
	var ids []string
	for _, c := range DeletionChecks() {
		ids = append(ids, c.ID)
		if c.Name == "" || c.Looks == "" {
			t.Errorf("check %s has no name or description", c.ID)
		}
		if got := slices.Contains(abandonableChecks, c.ID); got != c.Abandonable {
			t.Errorf("check %s: catalogue says abandonable=%v, the deletion says %v", c.ID, c.Abandonable, got)
		}
		_, err := parseAbandoned(`["` + c.ID + `"]`)
		if (err == nil) != c.Abandonable {
			t.Errorf("check %s: AbandonableCheckId answers %v", c.ID, err)
		}
	}
	want := append(append([]string(nil), blockingChecks...), abandonableChecks...)
	if !slices.Equal(ids, want) {
		t.Fatalf("catalogue %v, checks %v", ids, want)
	}
}

func TestCheckDeletionCallerRefusesOnlyTheRoot(t *testing.T) {
	root := &model.Principal{Kind: model.Root, AccountID: "1"}
	for _, forDelete := range []bool{false, true} {
		err := CheckDeletionCaller(root, forDelete)
		if e := apperr.As(err); err == nil || e.Code != codeCallerIdentityDel.Name || !strings.Contains(e.Message, "RAM user") {
			t.Fatalf("root caller (delete=%v): %v", forDelete, err)
		}
	}
	if err := CheckDeletionCaller(&model.Principal{Kind: model.RAMUser, AccountID: "1", UserName: "a"}, true); err != nil {
		t.Fatalf("RAM user refused: %v", err)
	}
}
