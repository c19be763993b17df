package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// The end-to-end specification of CloudSSO users (reference 5.2).

// A user is created, read, found by name filters and pages, updated and
// disabled; names and e-mail addresses are unique regardless of case.
func TestSSOUsers(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		srv := canopytest.Start(t, opts...)
		w := newSSOWorld(t, srv)
		c := w.ssoAdmin

		created := ssoObject(t, c.must(t, "CreateUser", w.in(map[string]any{"UserName": "Alice.Smith@corp", "DisplayName": "Alice",
			"FirstName": "Alice", "LastName": "Smith", "Email": "alice@example.com", "Description": "first"})), "User")
		aliceID, _ := created["UserId"].(string)
		if len(aliceID) != 22 || !strings.HasPrefix(aliceID, "u-") || created["Status"] != "Enabled" ||
			created["ProvisionType"] != "Manual" || created["UserName"] != "Alice.Smith@corp" || created["Email"] != "alice@example.com" {
			t.Fatalf("CreateUser = %v", created)
		}
		got := ssoObject(t, c.must(t, "GetUser", w.in(map[string]any{"UserId": aliceID})), "User")
		if got["UserName"] != created["UserName"] || got["CreateTime"] != created["CreateTime"] || got["LastName"] != "Smith" {
			t.Errorf("GetUser = %v; created %v", got, created)
		}

		for _, name := range []string{"alan", "albert", "bob", "carol"} {
			w.ssoCreateUser(t, name, map[string]any{"Status": "Disabled"})
		}
		_, err := c.call("CreateUser", w.in(map[string]any{"UserName": "ALICE.smith@CORP"}))
		wantDaraError(t, err, "EntityAlreadyExists.User", http.StatusConflict)
		_, err = c.call("CreateUser", w.in(map[string]any{"UserName": "alice2", "Email": "ALICE@example.com"}))
		wantDaraError(t, err, "EntityAlreadyExists.User.Email", http.StatusConflict)
		for param, value := range map[string]string{"UserName": "bad name", "DisplayName": strings.Repeat("x", 257),
			"Email": "not-an-address", "Description": strings.Repeat("x", 1025), "Status": "Sleeping"} {
			params := w.in(map[string]any{"UserName": "valid", param: value})
			_, err := c.call("CreateUser", params)
			wantDaraError(t, err, "InvalidParameter."+param, http.StatusBadRequest)
		}
		_, err = c.call("CreateUser", w.in(nil))
		wantDaraError(t, err, "MissingParameter.UserName", http.StatusBadRequest)
		_, err = c.call("CreateUser", w.in(map[string]any{"UserName": strings.Repeat("a", 65)}))
		wantDaraError(t, err, "InvalidParameter.UserName", http.StatusBadRequest)

		names := func(body map[string]any) []string {
			var out []string
			for _, u := range ssoArray(t, body, "Users") {
				out = append(out, u["UserName"].(string))
			}
			return out
		}
		all := c.must(t, "ListUsers", w.in(nil))
		if got := names(all); strings.Join(got, ",") != "alan,albert,Alice.Smith@corp,bob,carol" ||
			ssoNumber(t, all["TotalCounts"]) != 5 || all["IsTruncated"] != false || ssoNumber(t, all["MaxResults"]) != 10 {
			t.Errorf("ListUsers = %v", all)
		}
		sw := c.must(t, "ListUsers", w.in(map[string]any{"Filter": "UserName sw AL"}))
		if got := names(sw); strings.Join(got, ",") != "alan,albert,Alice.Smith@corp" || ssoNumber(t, sw["TotalCounts"]) != 3 {
			t.Errorf("ListUsers sw al = %v", sw)
		}
		eq := c.must(t, "ListUsers", w.in(map[string]any{"Filter": "UserName eq alan"}))
		if got := names(eq); strings.Join(got, ",") != "alan" {
			t.Errorf("ListUsers eq alan = %v", eq)
		}
		disabled := c.must(t, "ListUsers", w.in(map[string]any{"Status": "Disabled", "Filter": "UserName sw al"}))
		if got := names(disabled); strings.Join(got, ",") != "alan,albert" {
			t.Errorf("ListUsers Disabled sw al = %v", disabled)
		}
		_, err = c.call("ListUsers", w.in(map[string]any{"Filter": "Email eq x"}))
		wantDaraError(t, err, "InvalidParameter.Filter", http.StatusBadRequest)
		_, err = c.call("ListUsers", w.in(map[string]any{"MaxResults": 101}))
		wantDaraError(t, err, "InvalidParameter.MaxResults", http.StatusBadRequest)

		// Pages of two, following NextToken, see every user once.
		var paged []string
		token := ""
		for pages := 0; ; pages++ {
			params := w.in(map[string]any{"MaxResults": 2})
			if token != "" {
				params["NextToken"] = token
			}
			body := c.must(t, "ListUsers", params)
			paged = append(paged, names(body)...)
			if body["IsTruncated"] != true {
				if _, has := body["NextToken"]; has {
					t.Errorf("last page has a NextToken: %v", body)
				}
				break
			}
			token, _ = body["NextToken"].(string)
			if token == "" || pages > 5 {
				t.Fatalf("page %d: %v", pages, body)
			}
		}
		if strings.Join(paged, ",") != "alan,albert,Alice.Smith@corp,bob,carol" {
			t.Errorf("paged ListUsers = %v", paged)
		}
		_, err = c.call("ListUsers", w.in(map[string]any{"NextToken": "bm90LWEtdG9rZW4"}))
		wantDaraError(t, err, "InvalidParameter.NextToken", http.StatusBadRequest)

		up := ssoObject(t, c.must(t, "UpdateUser", w.in(map[string]any{"UserId": aliceID, "NewDisplayName": "Alice S.",
			"NewEmail": "alice@corp.example", "NewDescription": ""})), "User")
		if up["DisplayName"] != "Alice S." || up["Email"] != "alice@corp.example" || up["Description"] != "" ||
			up["FirstName"] != "Alice" || up["UserName"] != "Alice.Smith@corp" {
			t.Errorf("UpdateUser = %v", up)
		}
		// The old address is free, the new one taken.
		w.ssoCreateUser(t, "dave", map[string]any{"Email": "alice@example.com"})
		_, err = c.call("CreateUser", w.in(map[string]any{"UserName": "erin", "Email": "Alice@Corp.Example"}))
		wantDaraError(t, err, "EntityAlreadyExists.User.Email", http.StatusConflict)

		c.must(t, "UpdateUserStatus", w.in(map[string]any{"UserId": aliceID, "NewStatus": "Disabled"}))
		if got := ssoObject(t, c.must(t, "GetUser", w.in(map[string]any{"UserId": aliceID})), "User"); got["Status"] != "Disabled" {
			t.Errorf("status after UpdateUserStatus = %v", got["Status"])
		}
		_, err = c.call("UpdateUserStatus", w.in(map[string]any{"UserId": aliceID, "NewStatus": "Gone"}))
		wantDaraError(t, err, "InvalidParameter.NewStatus", http.StatusBadRequest)
		for _, id := range []string{"u-doesnotexist0000000", "not-an-id", strings.Repeat("u", 200)} {
			_, err = c.call("GetUser", w.in(map[string]any{"UserId": id}))
			wantDaraError(t, err, "EntityNotExists.User", http.StatusNotFound)
		}
	})
}

// DeleteUser refuses a user with an MFA device or a group membership,
// naming what to remove; ResetUserPassword follows the password policy and
// returns a password only when it generated one.
func TestSSODeleteUserAndResetPassword(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		srv := canopytest.Start(t, opts...)
		w := newSSOWorld(t, srv)
		c := w.ssoAdmin
		userID := w.ssoCreateUser(t, "alice", nil)
		groupID := w.ssoCreateGroup(t, "team")

		// Devices are bound in the portal; it records them through the
		// domain (the portal itself comes later).
		var deviceID string
		err := srv.App.Store.Write(context.Background(), func(tx store.Tx) error {
			d, err := srv.App.SSO.Directory(tx, w.acct.ID, w.dirID)
			if err != nil {
				return err
			}
			dev, err := srv.App.SSO.AddMFADevice(tx, d, userID, "phone", "JBSWY3DPEHPK3PXP", srv.App.Now())
			if err == nil {
				deviceID = dev.ID
			}
			return err
		})
		ok(t, "AddMFADevice", err)
		devices := c.must(t, "ListMFADevicesForUser", w.in(map[string]any{"UserId": userID}))
		list := ssoArray(t, devices, "MFADevices")
		if len(list) != 1 || list[0]["DeviceId"] != deviceID || list[0]["DeviceType"] != "TOTP" || list[0]["DeviceName"] != "phone" ||
			list[0]["UserId"] != userID || list[0]["EffectiveTime"] == "" || ssoNumber(t, devices["TotalCounts"]) != 1 {
			t.Errorf("ListMFADevicesForUser = %v", devices)
		}
		c.must(t, "AddUserToGroup", w.in(map[string]any{"GroupId": groupID, "UserId": userID}))

		_, err = c.call("DeleteUser", w.in(map[string]any{"UserId": userID}))
		wantDaraError(t, err, "DeletionConflict.User.MFADevice", http.StatusConflict)
		_, err = c.call("DeleteMFADeviceForUser", w.in(map[string]any{"UserId": userID, "MFADeviceId": "mfa-nothere0000000000000"}))
		wantDaraError(t, err, "EntityNotExists.MFADevice", http.StatusNotFound)
		c.must(t, "DeleteMFADeviceForUser", w.in(map[string]any{"UserId": userID, "MFADeviceId": deviceID}))
		_, err = c.call("DeleteUser", w.in(map[string]any{"UserId": userID}))
		wantDaraError(t, err, "DeletionConflict.User.Group", http.StatusConflict)
		c.must(t, "RemoveUserFromGroup", w.in(map[string]any{"GroupId": groupID, "UserId": userID}))

		// Passwords.
		reset := c.must(t, "ResetUserPassword", w.in(map[string]any{"UserId": userID, "Password": "Correct-Horse-7"}))
		if _, has := reset["NewPassword"]; has {
			t.Errorf("ResetUserPassword with a chosen password answered %v", reset)
		}
		for _, tc := range []struct{ pw, code string }{
			{"alllowercase-7", "InvalidParameter.Password.TooWeak"},
			{"Sh0rt!", "InvalidParameter.Password.TooWeak"},
			{"Has-alice-In-1", "InvalidParameter.Password.TooWeak"},  // the policy refuses the user name
			{strings.Repeat("Aa1!", 9), "InvalidParameter.Password"}, // 36 > 32 characters
			{"Correct-Horse-7", "InvalidParameter.Password"},         // reused
			{"short1A!", ""},
		} {
			_, err := c.call("ResetUserPassword", w.in(map[string]any{"UserId": userID, "Password": tc.pw}))
			if tc.code == "" {
				ok(t, "ResetUserPassword "+tc.pw, err)
				continue
			}
			wantDaraError(t, err, tc.code, http.StatusBadRequest)
		}
		_, err = c.call("ResetUserPassword", w.in(map[string]any{"UserId": userID}))
		wantDaraError(t, err, "MissingParameter.Password", http.StatusBadRequest)
		_, err = c.call("ResetUserPassword", w.in(map[string]any{"UserId": userID, "GenerateRandomPassword": "maybe"}))
		wantDaraError(t, err, "InvalidParameter.GenerateRandomPassword", http.StatusBadRequest)
		gen := c.must(t, "ResetUserPassword", w.in(map[string]any{"UserId": userID, "GenerateRandomPassword": "True",
			"RequirePasswordResetForNextLogin": true}))
		pw, _ := gen["NewPassword"].(string)
		if len(pw) < 8 || strings.Contains(strings.ToLower(pw), "alice") {
			t.Errorf("generated password %q", pw)
		}
		var stored bool
		err = srv.App.Store.Read(context.Background(), func(tx store.Tx) error {
			d, err := srv.App.SSO.Directory(tx, w.acct.ID, w.dirID)
			if err != nil {
				return err
			}
			cred, err := srv.App.SSO.UserCredential(tx, d, userID)
			if err == nil && cred != nil {
				stored = cred.ResetRequired && strings.HasPrefix(cred.PasswordHash, "$argon2id$") && !strings.Contains(cred.PasswordHash, pw)
			}
			return err
		})
		ok(t, "read the credential", err)
		if !stored {
			t.Errorf("the generated password is not stored hashed with the reset flag")
		}

		c.must(t, "DeleteUser", w.in(map[string]any{"UserId": userID}))
		_, err = c.call("GetUser", w.in(map[string]any{"UserId": userID}))
		wantDaraError(t, err, "EntityNotExists.User", http.StatusNotFound)
		_, err = c.call("ResetUserPassword", w.in(map[string]any{"UserId": userID, "Password": "Correct-Horse-8"}))
		wantDaraError(t, err, "EntityNotExists.User", http.StatusNotFound)
		// The name is free again.
		w.ssoCreateUser(t, "alice", nil)
	})
}
