package e2e

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
)

// Policy versions: at most 5, rotation, the default cannot be deleted,
// version ids are never reused, and DeletePolicy refuses while versions or
// attachments remain.
func TestRAMPolicyVersionRules(t *testing.T) {
	w := newRAMWorld(t)
	w.createPolicy(t, "versioned", statementDoc("Allow", "ram:GetUser", ""))
	addVersion := func(setDefault bool, rotate string) (*ram.CreatePolicyVersionResponse, error) {
		req := ram.CreateCreatePolicyVersionRequest()
		req.PolicyName, req.PolicyDocument = "versioned", statementDoc("Allow", "ram:ListUsers", "")
		if setDefault {
			req.SetAsDefault = "true"
		}
		req.RotateStrategy = rotate
		return w.root.CreatePolicyVersion(req)
	}
	for want := 2; want <= 5; want++ {
		v, err := addVersion(false, "")
		ok(t, "CreatePolicyVersion", err)
		if v.PolicyVersion.VersionId != "v"+string(rune('0'+want)) || v.PolicyVersion.IsDefaultVersion {
			t.Fatalf("version %d: %+v", want, v.PolicyVersion)
		}
	}
	_, err := addVersion(false, "")
	wantServerError(t, err, "LimitExceeded.Policy.Version", 409)

	// Rotation drops the oldest non-default version (v2; v1 is the default).
	v, err := addVersion(true, "DeleteOldestNonDefaultVersionWhenLimitExceeded")
	ok(t, "CreatePolicyVersion with rotation", err)
	if v.PolicyVersion.VersionId != "v6" || !v.PolicyVersion.IsDefaultVersion {
		t.Fatalf("rotated version %+v", v.PolicyVersion)
	}
	list := ram.CreateListPolicyVersionsRequest()
	list.PolicyName, list.PolicyType = "versioned", "Custom"
	versions, err := w.root.ListPolicyVersions(list)
	ok(t, "ListPolicyVersions", err)
	var ids []string
	for _, pv := range versions.PolicyVersions.PolicyVersion {
		ids = append(ids, pv.VersionId)
	}
	if len(ids) != 5 || contains(ids, "v2") || !contains(ids, "v1") || !contains(ids, "v6") {
		t.Fatalf("versions after rotation: %v", ids)
	}

	del := ram.CreateDeletePolicyVersionRequest()
	del.PolicyName, del.VersionId = "versioned", "v6"
	_, err = w.root.DeletePolicyVersion(del)
	wantServerError(t, err, "DeleteConflict.Policy.Version.Default", 409)

	dp := ram.CreateDeletePolicyRequest()
	dp.PolicyName = "versioned"
	_, err = w.root.DeletePolicy(dp)
	wantServerError(t, err, "DeleteConflict.Policy.Version", 409)

	for _, id := range []string{"v1", "v3", "v4", "v5"} {
		del.VersionId = id
		_, err = w.root.DeletePolicyVersion(del)
		ok(t, "DeletePolicyVersion "+id, err)
	}
	// A deleted id is never handed out again.
	v, err = addVersion(false, "")
	ok(t, "CreatePolicyVersion after deletes", err)
	if v.PolicyVersion.VersionId != "v7" {
		t.Fatalf("new version id %s; want v7", v.PolicyVersion.VersionId)
	}
	del.VersionId = "v7"
	_, err = w.root.DeletePolicyVersion(del)
	ok(t, "DeletePolicyVersion v7", err)

	w.createUser(t, "holder")
	w.attachToUser(t, "holder", "Custom", "versioned")
	_, err = w.root.DeletePolicy(dp)
	wantServerError(t, err, "DeleteConflict.Policy.User", 409)
	w.detachFromUser(t, "holder", "Custom", "versioned")
	_, err = w.root.DeletePolicy(dp)
	ok(t, "DeletePolicy", err)
	get := ram.CreateGetPolicyRequest()
	get.PolicyName, get.PolicyType = "versioned", "Custom"
	_, err = w.root.GetPolicy(get)
	wantServerError(t, err, "EntityNotExist.Policy", 404)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
