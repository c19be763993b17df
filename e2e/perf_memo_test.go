package e2e

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// TestDecodedUsersFollowWritesOfAnotherNode: node B keeps the users it
// decoded in memory (store.Memo); a change node A makes must show on B's
// very next read, with no change-poll wait: the memo is checked against the
// stored bytes on every read.
func TestDecodedUsersFollowWritesOfAnotherNode(t *testing.T) {
	a := canopytest.Start(t, canopytest.WithPostgres())
	b := canopytest.Start(t, canopytest.WithStore(a.DataDir, a.DB))
	acct := a.CreateAccount(t)
	w := &ramWorld{srv: a, acct: acct, root: a.RAMClient(t, acct.AccessKeyID, acct.AccessKeySecret)}
	onB := b.RAMClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	w.createUser(t, "tom")
	first, err := onB.GetUser(getUser("tom")) // B decodes the user and keeps it
	ok(t, "GetUser on B", err)
	perfWantDisplayName(t, onB, "tom", first.User.DisplayName)

	for _, change := range []struct{ newName, newDisplay string }{{"", "Thomas"}, {"Tommy", "T"}} {
		req := ram.CreateUpdateUserRequest()
		req.UserName, req.NewUserName, req.NewDisplayName = "tom", change.newName, change.newDisplay
		_, err := w.root.UpdateUser(req)
		ok(t, "UpdateUser on A", err)
		name := "tom"
		if change.newName != "" {
			name = change.newName
		}
		perfWantDisplayName(t, onB, name, change.newDisplay)
	}
	_, err = onB.GetUser(getUser("tom"))
	wantServerError(t, err, "EntityNotExist.User", 404)
}

// perfWantDisplayName checks what node c answers for the user at once, in
// GetUser and in ListUsers.
func perfWantDisplayName(t *testing.T, c *ram.Client, name, display string) {
	t.Helper()
	got, err := c.GetUser(getUser(name))
	ok(t, "GetUser "+name, err)
	if got.User.UserName != name || got.User.DisplayName != display {
		t.Fatalf("GetUser: %s %q; want %s %q", got.User.UserName, got.User.DisplayName, name, display)
	}
	list, err := c.ListUsers(ram.CreateListUsersRequest())
	ok(t, "ListUsers", err)
	for _, u := range list.Users.User {
		if u.UserName == name {
			if u.DisplayName != display {
				t.Fatalf("ListUsers: %s %q; want %q", name, u.DisplayName, display)
			}
			return
		}
	}
	t.Fatalf("ListUsers does not list %s: %+v", name, list.Users.User)
}
