package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// The end-to-end specification of CloudSSO groups and membership
// (reference 5.3).
func TestSSOGroupsAndMembership(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		srv := canopytest.Start(t, opts...)
		w := newSSOWorld(t, srv)
		c := w.ssoAdmin

		created := ssoObject(t, c.must(t, "CreateGroup", w.in(map[string]any{"GroupName": "Ops.Team_1", "Description": "on call"})), "Group")
		opsID, _ := created["GroupId"].(string)
		if len(opsID) != 22 || !strings.HasPrefix(opsID, "g-") || created["ProvisionType"] != "Manual" || created["Description"] != "on call" {
			t.Fatalf("CreateGroup = %v", created)
		}
		devID := w.ssoCreateGroup(t, "dev")
		_, err := c.call("CreateGroup", w.in(map[string]any{"GroupName": "OPS.team_1"}))
		wantDaraError(t, err, "EntityAlreadyExists.Group", http.StatusConflict)
		for _, bad := range []string{"with space", "a@b", strings.Repeat("g", 129)} {
			_, err = c.call("CreateGroup", w.in(map[string]any{"GroupName": bad}))
			wantDaraError(t, err, "InvalidParameter.GroupName", http.StatusBadRequest)
		}

		groupNames := func(body map[string]any) string {
			var out []string
			for _, g := range ssoArray(t, body, "Groups") {
				out = append(out, g["GroupName"].(string))
			}
			return strings.Join(out, ",")
		}
		if got := c.must(t, "ListGroups", w.in(nil)); groupNames(got) != "dev,Ops.Team_1" || ssoNumber(t, got["TotalCounts"]) != 2 {
			t.Errorf("ListGroups = %v", got)
		}
		if got := c.must(t, "ListGroups", w.in(map[string]any{"Filter": "GroupName sw op"})); groupNames(got) != "Ops.Team_1" {
			t.Errorf("ListGroups sw op = %v", got)
		}

		renamed := ssoObject(t, c.must(t, "UpdateGroup", w.in(map[string]any{"GroupId": opsID, "NewGroupName": "sre",
			"NewDescription": "site reliability"})), "Group")
		if renamed["GroupName"] != "sre" || renamed["GroupId"] != opsID || renamed["Description"] != "site reliability" {
			t.Errorf("UpdateGroup = %v", renamed)
		}
		_, err = c.call("UpdateGroup", w.in(map[string]any{"GroupId": opsID, "NewGroupName": "DEV"}))
		wantDaraError(t, err, "EntityAlreadyExists.Group", http.StatusConflict)
		w.ssoCreateGroup(t, "Ops.Team_1") // the old name is free

		alice := w.ssoCreateUser(t, "alice", map[string]any{"Email": "alice@example.com"})
		bob := w.ssoCreateUser(t, "bob", nil)
		for _, m := range [][2]string{{opsID, alice}, {opsID, bob}, {devID, alice}} {
			c.must(t, "AddUserToGroup", w.in(map[string]any{"GroupId": m[0], "UserId": m[1]}))
		}
		_, err = c.call("AddUserToGroup", w.in(map[string]any{"GroupId": opsID, "UserId": alice}))
		wantDaraError(t, err, "EntityAlreadyExists.GroupMember", http.StatusConflict)
		_, err = c.call("AddUserToGroup", w.in(map[string]any{"GroupId": opsID, "UserId": "u-nobody00000000000000"}))
		wantDaraError(t, err, "EntityNotExists.User", http.StatusNotFound)
		_, err = c.call("AddUserToGroup", w.in(map[string]any{"GroupId": "g-nothing0000000000000", "UserId": alice}))
		wantDaraError(t, err, "EntityNotExists.Group", http.StatusNotFound)

		members := c.must(t, "ListGroupMembers", w.in(map[string]any{"GroupId": opsID}))
		list := ssoArray(t, members, "GroupMembers")
		if len(list) != 2 || ssoNumber(t, members["TotalCounts"]) != 2 {
			t.Fatalf("ListGroupMembers = %v", members)
		}
		for _, m := range list {
			if m["GroupId"] != opsID || m["JoinTime"] == "" || m["Status"] != "Enabled" ||
				(m["UserId"] == alice) != (m["UserName"] == "alice") || (m["UserId"] == alice && m["Email"] != "alice@example.com") {
				t.Errorf("group member %v", m)
			}
		}
		firstPage := c.must(t, "ListGroupMembers", w.in(map[string]any{"GroupId": opsID, "MaxResults": 1}))
		if len(ssoArray(t, firstPage, "GroupMembers")) != 1 || firstPage["IsTruncated"] != true {
			t.Errorf("ListGroupMembers MaxResults=1 = %v", firstPage)
		}
		second := c.must(t, "ListGroupMembers", w.in(map[string]any{"GroupId": opsID, "MaxResults": 1, "NextToken": firstPage["NextToken"]}))
		if s := ssoArray(t, second, "GroupMembers"); len(s) != 1 || s[0]["UserId"] == ssoArray(t, firstPage, "GroupMembers")[0]["UserId"] ||
			second["IsTruncated"] != false {
			t.Errorf("second page = %v", second)
		}

		joined := c.must(t, "ListJoinedGroupsForUser", w.in(map[string]any{"UserId": alice}))
		var joinedNames []string
		for _, g := range ssoArray(t, joined, "JoinedGroups") {
			if g["UserId"] != alice || g["JoinTime"] == "" || g["ProvisionType"] != "Manual" {
				t.Errorf("joined group %v", g)
			}
			joinedNames = append(joinedNames, g["GroupName"].(string))
		}
		if len(joinedNames) != 2 || !contains(joinedNames, "sre") || !contains(joinedNames, "dev") || ssoNumber(t, joined["TotalCounts"]) != 2 {
			t.Errorf("ListJoinedGroupsForUser = %v", joined)
		}

		_, err = c.call("DeleteGroup", w.in(map[string]any{"GroupId": opsID}))
		wantDaraError(t, err, "DeletionConflict.Group.User", http.StatusConflict)
		c.must(t, "RemoveUserFromGroup", w.in(map[string]any{"GroupId": opsID, "UserId": alice}))
		_, err = c.call("RemoveUserFromGroup", w.in(map[string]any{"GroupId": opsID, "UserId": alice}))
		wantDaraError(t, err, "EntityNotExists.GroupMember", http.StatusNotFound)
		c.must(t, "RemoveUserFromGroup", w.in(map[string]any{"GroupId": opsID, "UserId": bob}))
		c.must(t, "DeleteGroup", w.in(map[string]any{"GroupId": opsID}))
		_, err = c.call("GetGroup", w.in(map[string]any{"GroupId": opsID}))
		wantDaraError(t, err, "EntityNotExists.Group", http.StatusNotFound)
		if got := c.must(t, "ListJoinedGroupsForUser", w.in(map[string]any{"UserId": alice})); ssoNumber(t, got["TotalCounts"]) != 1 {
			t.Errorf("ListJoinedGroupsForUser after the group went = %v", got)
		}
	})
}
