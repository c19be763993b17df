package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// The seed "switch a cloud account to a resource account": an invited
// cloud account is refused the switch while its root AccessKey is active,
// its owner disables the key, a RAM administrator of the management
// account switches it, and its root user can no longer authenticate while
// its RAM users keep working.

// joinedCloudAccount invites a new cloud account into w's directory and
// accepts as its root; it returns the member's root RAM world.
func joinedCloudAccount(t *testing.T, w *rdWorld) *ramWorld {
	t.Helper()
	guest := newInvitee(t, w.srv)
	h := mustInvite(t, w.admin, guest.acct.ID, "Account")
	_, err := acceptHandshake(guest.rd, h.HandshakeId)
	ok(t, "AcceptHandshake", err)
	return &ramWorld{srv: w.srv, acct: guest.acct, root: w.srv.RAMClient(t, guest.acct.AccessKeyID, guest.acct.AccessKeySecret)}
}

func setRootKeyStatus(c *ram.Client, keyID, status string) error {
	req := ram.CreateUpdateAccessKeyRequest()
	req.UserAccessKeyId, req.Status = keyID, status // no UserName: the caller's own, the root's
	_, err := c.UpdateAccessKey(req)
	return err
}

// changeStored rewrites an account row directly: a state the API cannot
// reach (a changed legal entity, no security information), or, for a key,
// one it must never reach (an active root key of a resource account).
func changeStored(t *testing.T, srv *canopytest.Server, fn func(tx store.Tx) error) {
	t.Helper()
	ok(t, "change the store", srv.App.Store.Write(context.Background(), fn))
}

func changeAccount(t *testing.T, srv *canopytest.Server, id string, change func(*store.Account)) {
	t.Helper()
	changeStored(t, srv, func(tx store.Tx) error {
		a, err := tx.Accounts().Get(id)
		if err != nil {
			return err
		}
		change(&a)
		return tx.Accounts().Update(a)
	})
}

func forceKeyStatus(t *testing.T, srv *canopytest.Server, keyID, status string) {
	t.Helper()
	changeStored(t, srv, func(tx store.Tx) error {
		k, err := tx.AccessKeys().Get(keyID)
		if err != nil {
			return err
		}
		k.Status = status
		return tx.AccessKeys().Update(k)
	})
}

// wantRootDisabled asserts the refusal of a root key whose root user is
// disabled: the key may be anything, the account is a resource account.
func wantRootDisabled(t *testing.T, err error) {
	t.Helper()
	se := wantServerError(t, err, "InvalidAccessKeyId.Inactive", 400)
	if !strings.Contains(se.Message(), "resource account") {
		t.Fatalf("the refusal %q does not say the root user of a resource account is disabled", se.Message())
	}
}

func TestSwitchCloudAccountToResourceAccount(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		guest := joinedCloudAccount(t, w)
		id := guest.acct.ID
		guest.createUser(t, "worker")
		guest.attachToUser(t, "worker", "System", "AliyunRAMReadOnlyAccess")
		workerID, workerSecret := guest.userKey(t, "worker")
		worker := w.srv.RAMClient(t, workerID, workerSecret)

		// Refusals, each with its code, in the documented order.
		_, err := switchType(w.rootRD, id, "ResourceAccount")
		wantServerError(t, err, "CallerIdentityError", 409)
		_, err = switchType(w.admin, id, "CloudAccount")
		wantServerError(t, err, "AccountTypeMismatch", 409)
		changeAccount(t, w.srv, id, func(a *store.Account) { a.RealName = "Other Ltd" })
		_, err = switchType(w.admin, id, "ResourceAccount")
		wantServerError(t, err, "LegalEntityDifferent", 409)
		changeAccount(t, w.srv, id, func(a *store.Account) { a.RealName, a.Email = "Example Ltd", "" })
		_, err = switchType(w.admin, id, "ResourceAccount")
		wantServerError(t, err, "MissingSecurityInfo", 409)
		changeAccount(t, w.srv, id, func(a *store.Account) { a.Email = guest.acct.Email })
		_, err = switchType(w.admin, id, "ResourceAccount")
		wantServerError(t, err, "PrimaryAkInUse", 409)
		if got := getAccount(t, w.admin, id); got.Type != "CloudAccount" || got.Status != "InviteSuccess" {
			t.Fatalf("a refused switch changed the member: %+v", got)
		}

		// The owner disables the root key; the switch goes through.
		ok(t, "UpdateAccessKey Inactive as the member's root", setRootKeyStatus(guest.root, guest.acct.AccessKeyID, "Inactive"))
		err = listUsers(guest.root)
		if se := wantServerError(t, err, "InvalidAccessKeyId.Inactive", 400); strings.Contains(se.Message(), "resource account") {
			t.Fatalf("before the switch the key is refused as a resource account's: %q", se.Message())
		}
		resp, err := switchType(w.admin, id, "ResourceAccount")
		ok(t, "UpdateAccount NewAccountType=ResourceAccount", err)
		if a := resp.Account; a.Type != "ResourceAccount" || a.Status != "SwitchSuccess" || a.AccountId != id || a.JoinMethod != "invited" ||
			a.ResourceDirectoryId != w.directory.ResourceDirectoryId {
			t.Fatalf("switched member %+v", a)
		}
		if got := getAccount(t, w.admin, id); got.Type != "ResourceAccount" || got.Status != "SwitchSuccess" {
			t.Fatalf("GetAccount after the switch: %+v", got)
		}

		// The root user is disabled: its key is refused as a resource
		// account's, even were it active, and it cannot sign in.
		wantRootDisabled(t, listUsers(guest.root))
		forceKeyStatus(t, w.srv, guest.acct.AccessKeyID, "Active")
		wantRootDisabled(t, listUsers(guest.root))
		forceKeyStatus(t, w.srv, guest.acct.AccessKeyID, "Inactive")
		row := storedAccount(t, w.srv, id)
		if row.Type != "ResourceAccount" || row.PasswordHash != "" {
			t.Fatalf("the switched account is %s with password hash %q", row.Type, row.PasswordHash)
		}
		if err := accounts.RootSignIn(row, guest.acct.Password); err == nil {
			t.Fatal("the switched account's root signs in with its old password")
		}

		// Its RAM users work, and the management account still reaches it.
		ok(t, "the member's RAM user after the switch", listUsers(worker))
		creds := mustAssume(t, w.adminSTS, accessRoleARN(id), "after-switch").Credentials
		users, err := sessionRAM(t, w.srv, creds).ListUsers(ram.CreateListUsersRequest())
		ok(t, "ListUsers through the access role", err)
		if len(users.Users.User) != 1 || users.Users.User[0].UserName != "worker" {
			t.Fatalf("the member's users after the switch: %+v", users.Users.User)
		}

		// A resource account cannot be removed; it can switch back (its
		// security email counts), root enabled without a password.
		remove := resourcemanager.CreateRemoveCloudAccountRequest()
		remove.AccountId = id
		_, err = w.admin.RemoveCloudAccount(remove)
		wantServerError(t, err, "AccountTypeOrStatusMismatch", 409)
		_, err = switchType(w.admin, id, "ResourceAccount")
		wantServerError(t, err, "AccountTypeMismatch", 409)
		back, err := switchType(w.admin, id, "CloudAccount")
		ok(t, "UpdateAccount NewAccountType=CloudAccount", err)
		if back.Account.Type != "CloudAccount" || back.Account.Status != "SwitchSuccess" {
			t.Fatalf("switched back: %+v", back.Account)
		}
		row = storedAccount(t, w.srv, id)
		if !accounts.RootEnabled(row) || row.PasswordHash != "" {
			t.Fatalf("switched back: root enabled %v, password hash %q", accounts.RootEnabled(row), row.PasswordHash)
		}
		err = listUsers(guest.root) // the key stays as its owner left it
		if se := wantServerError(t, err, "InvalidAccessKeyId.Inactive", 400); strings.Contains(se.Message(), "resource account") {
			t.Fatalf("after switching back the key is refused as a resource account's: %q", se.Message())
		}
	})
}

// TestSwitchReachesEveryNode: two nodes share one PostgreSQL. The switch
// through node A disables the member's root on A at once and on B within
// the change-poll interval, without a request to B in between; the
// member's RAM user keeps working on both.
func TestSwitchReachesEveryNode(t *testing.T) {
	a := canopytest.Start(t, canopytest.WithPostgres())
	b := canopytest.Start(t, canopytest.WithStore(a.DataDir, a.DB))
	w := newRDWorldOn(t, a)
	guest := joinedCloudAccount(t, w)
	guest.createUser(t, "worker")
	guest.attachToUser(t, "worker", "System", "AliyunRAMReadOnlyAccess")
	workerID, workerSecret := guest.userKey(t, "worker")
	rootOnB := b.RAMClient(t, guest.acct.AccessKeyID, guest.acct.AccessKeySecret)
	workerOnB := b.RAMClient(t, workerID, workerSecret)
	ok(t, "the member's root on B (warms B's caches)", listUsers(rootOnB))
	ok(t, "the member's RAM user on B", listUsers(workerOnB))

	ok(t, "disable the root key on A", setRootKeyStatus(guest.root, guest.acct.AccessKeyID, "Inactive"))
	eventually(t, "B refuses the disabled root key", func() bool { return listUsers(rootOnB) != nil })
	_, err := switchType(w.admin, guest.acct.ID, "ResourceAccount")
	ok(t, "switch on A", err)
	wantRootDisabled(t, listUsers(guest.root))
	eventually(t, "B refuses the root as a resource account's", func() bool {
		err := listUsers(rootOnB)
		return err != nil && strings.Contains(err.Error(), "resource account")
	})
	wantRootDisabled(t, listUsers(rootOnB))

	// Even an active root key of a resource account is refused, on both.
	forceKeyStatus(t, a, guest.acct.AccessKeyID, "Active")
	wantRootDisabled(t, listUsers(guest.root))
	wantRootDisabled(t, listUsers(rootOnB))
	ok(t, "the member's RAM user on A", listUsers(w.srv.RAMClient(t, workerID, workerSecret)))
	ok(t, "the member's RAM user on B", listUsers(workerOnB))
}
