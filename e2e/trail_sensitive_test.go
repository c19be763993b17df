package e2e

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/actiontrail"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// trailEvents pages through a lookup and returns every event, in the
// order LookupEvents gave them.
func trailEvents(t *testing.T, c *actiontrail.Client, key, value, max string) []map[string]interface{} {
	t.Helper()
	var events []map[string]interface{}
	token := ""
	for pages := 0; ; pages++ {
		if pages > 500 {
			t.Fatal("LookupEvents does not stop paging")
		}
		resp := lookup(t, c, key, value, max, token)
		events = append(events, resp.Events...)
		if resp.NextToken == "" {
			return events
		}
		token = resp.NextToken
	}
}

// trailIDs is the ids of trailEvents for which keep holds.
func trailIDs(t *testing.T, c *actiontrail.Client, key, value, max string, keep func(map[string]interface{}) bool) []string {
	t.Helper()
	var ids []string
	for _, ev := range trailEvents(t, c, key, value, max) {
		if keep(ev) {
			id, _ := ev["eventId"].(string)
			ids = append(ids, id)
		}
	}
	return ids
}

func markedSensitive(ev map[string]interface{}) bool {
	attrs, _ := ev["eventAttributes"].(map[string]interface{})
	return attrs["SensitiveAction"] == "true"
}

// TestLookupEventsSensitiveAction: the SensitiveAction filter returns
// exactly the events whose records are marked sensitive, in order, across
// pages of any size; RAM's DeleteUser is sensitive, CloudSSO's DeleteUser
// of the same name is not; any value but true is refused.
func TestLookupEventsSensitiveAction(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newSSOWorld(t, canopytest.Start(t, opts...))
		w.createUser(t, "bob")
		id, _ := w.userKey(t, "bob")
		del := ram.CreateDeleteAccessKeyRequest()
		del.UserName, del.UserAccessKeyId = "bob", id
		_, err := w.root.DeleteAccessKey(del)
		ok(t, "DeleteAccessKey", err)
		gone := ram.CreateDeleteUserRequest()
		gone.UserName = "bob"
		_, err = w.root.DeleteUser(gone)
		ok(t, "DeleteUser bob", err)
		ssoUser := w.ssoCreateUser(t, "carol", nil)
		w.ssoAdmin.must(t, "DeleteUser", w.in(map[string]any{"UserId": ssoUser}))

		trail := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		want := trailIDs(t, trail, "", "", "50", markedSensitive)
		var names []string
		for _, ev := range lookup(t, trail, "SensitiveAction", "true", "50", "").Events {
			name, _ := ev["eventName"].(string)
			service, _ := ev["serviceName"].(string)
			names = append(names, service+":"+name)
			if !markedSensitive(ev) {
				b, _ := json.Marshal(ev)
				t.Fatalf("SensitiveAction=true returned an event not marked sensitive: %s", b)
			}
		}
		for _, must := range []string{"Ram:CreateAccessKey", "Ram:DeleteAccessKey", "Ram:DeleteUser", "Ram:AttachPolicyToUser"} {
			if !slices.Contains(names, must) {
				t.Errorf("SensitiveAction=true lacks %s: %v", must, names)
			}
		}
		for _, never := range []string{"cloudsso:DeleteUser", "Ram:CreateUser"} {
			if slices.Contains(names, never) {
				t.Errorf("SensitiveAction=true lists %s: %v", never, names)
			}
		}
		for _, max := range []string{"1", "3", "50"} {
			got := trailIDs(t, trail, "SensitiveAction", "true", max, func(map[string]interface{}) bool { return true })
			if !slices.Equal(got, want) {
				t.Fatalf("MaxResults %s: SensitiveAction=true gave %v, the marked events are %v", max, got, want)
			}
		}

		req := actiontrail.CreateLookupEventsRequest()
		req.LookupAttribute = &[]actiontrail.LookupEventsLookupAttribute{{Key: "SensitiveAction", Value: "false"}}
		_, err = trail.LookupEvents(req)
		wantServerError(t, err, "InvalidQueryParameter", 400)
	})
}
