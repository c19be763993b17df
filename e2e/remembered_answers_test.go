package e2e

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
)

// TestRememberedAnswersStayAuthorizedAndCurrent: on SQLite the server keeps
// the rendered answers of reads such as ListUsers and GetUser while nothing
// is written. Each call is still authorized for its own caller (an implicit
// and an explicit deny, with no write in between), each account has its own
// answers, each answer its own RequestId, and a write shows at once.
func TestRememberedAnswersStayAuthorizedAndCurrent(t *testing.T) {
	w := newRAMWorld(t)
	other := w.srv.CreateAccount(t)
	otherRoot := w.srv.RAMClient(t, other.AccessKeyID, other.AccessKeySecret)
	w.createUser(t, "ann")
	nobody, _ := w.userClient(t, "nobody")
	denied, _ := w.userClient(t, "denied")
	w.attachToUser(t, "denied", "System", "ReadOnlyAccess")
	w.createPolicy(t, "NoListUsers", statementDoc("Deny", "ram:ListUsers", ""))
	w.attachToUser(t, "denied", "Custom", "NoListUsers")

	// From here on nothing is written until UpdateUser.
	first, err := w.root.ListUsers(ram.CreateListUsersRequest())
	ok(t, "ListUsers", err)
	second, err := w.root.ListUsers(ram.CreateListUsersRequest())
	ok(t, "ListUsers again", err)
	if first.RequestId == second.RequestId || second.RequestId == "" {
		t.Fatalf("RequestIds %q and %q: each answer needs its own", first.RequestId, second.RequestId)
	}
	if len(first.Users.User) != 3 || len(second.Users.User) != 3 || second.Users.User[0] != first.Users.User[0] {
		t.Fatalf("the same list twice: %+v then %+v", first.Users.User, second.Users.User)
	}
	wantDenied(t, listUsers(nobody), "ram:ListUsers", "ImplicitDeny")
	wantDenied(t, listUsers(denied), "ram:ListUsers", "ExplicitDeny")
	_, err = nobody.GetUser(getUser("ann"))
	ok(t, "GetUser ann as root", func() error { _, err := w.root.GetUser(getUser("ann")); return err }())
	wantDenied(t, err, "ram:GetUser", "ImplicitDeny")
	got, err := denied.GetUser(getUser("ann")) // ReadOnlyAccess allows it
	ok(t, "GetUser as a reader", err)
	if got.User.UserName != "ann" {
		t.Fatalf("GetUser as a reader: %+v", got.User)
	}
	theirs, err := otherRoot.ListUsers(ram.CreateListUsersRequest())
	ok(t, "ListUsers in another account", err)
	if len(theirs.Users.User) != 0 {
		t.Fatalf("another account lists %+v", theirs.Users.User)
	}
	_, err = otherRoot.GetUser(getUser("ann"))
	wantServerError(t, err, "EntityNotExist.User", 404)

	req := ram.CreateUpdateUserRequest()
	req.UserName, req.NewDisplayName = "ann", "Ann Updated"
	_, err = w.root.UpdateUser(req)
	ok(t, "UpdateUser", err)
	perfWantDisplayName(t, w.root, "ann", "Ann Updated")
	got, err = denied.GetUser(getUser("ann"))
	ok(t, "GetUser as a reader after the write", err)
	if got.User.DisplayName != "Ann Updated" {
		t.Fatalf("GetUser as a reader after the write: %+v", got.User)
	}
	wantDenied(t, listUsers(denied), "ram:ListUsers", "ExplicitDeny")
}
