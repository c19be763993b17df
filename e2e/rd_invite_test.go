package e2e

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

func invite(c *resourcemanager.Client, target, targetType, note string) (*resourcemanager.InviteAccountToResourceDirectoryResponse, error) {
	req := resourcemanager.CreateInviteAccountToResourceDirectoryRequest()
	req.TargetEntity, req.TargetType, req.Note = target, targetType, note
	return c.InviteAccountToResourceDirectory(req)
}

func mustInvite(t *testing.T, c *resourcemanager.Client, target, targetType string) resourcemanager.Handshake {
	t.Helper()
	resp, err := invite(c, target, targetType, "")
	ok(t, "InviteAccountToResourceDirectory "+target, err)
	return resp.Handshake
}

func acceptHandshake(c *resourcemanager.Client, id string) (*resourcemanager.AcceptHandshakeResponse, error) {
	req := resourcemanager.CreateAcceptHandshakeRequest()
	req.HandshakeId = id
	return c.AcceptHandshake(req)
}

func getHandshake(c *resourcemanager.Client, id string) (*resourcemanager.GetHandshakeResponse, error) {
	req := resourcemanager.CreateGetHandshakeRequest()
	req.HandshakeId = id
	return c.GetHandshake(req)
}

// invitee is a cloud account with its root's ResourceManager client.
type invitee struct {
	acct canopytest.Account
	rd   *resourcemanager.Client
}

func newInvitee(t *testing.T, srv *canopytest.Server) invitee {
	t.Helper()
	acct := srv.CreateAccount(t)
	return invitee{acct: acct, rd: srv.RDClient(t, acct.AccessKeyID, acct.AccessKeySecret)}
}

// TestInviteACloudAccount walks the seed "invite a cloud account": the
// invitation is mailed, the invitee sees and accepts it, becomes an invited
// cloud account in Root, and the management account's administrator
// reaches it through its access role.
func TestInviteACloudAccount(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		guest := newInvitee(t, w.srv)
		before := time.Now().UTC()
		resp, err := invite(w.admin, guest.acct.ID, "Account", "Welcome to the platform")
		ok(t, "InviteAccountToResourceDirectory", err)
		h := resp.Handshake
		created, err := time.Parse(time.RFC3339, h.CreateTime)
		ok(t, "parse CreateTime "+h.CreateTime, err)
		expires, err := time.Parse(time.RFC3339, h.ExpireTime)
		ok(t, "parse ExpireTime "+h.ExpireTime, err)
		if h.Status != "Pending" || !strings.HasPrefix(h.HandshakeId, "h-") || len(h.HandshakeId) != 18 ||
			h.TargetEntity != guest.acct.ID || h.TargetType != "Account" || h.MasterAccountId != w.acct.ID ||
			h.ResourceDirectoryId != w.directory.ResourceDirectoryId || expires.Sub(created) != 14*24*time.Hour ||
			created.Before(before.Add(-time.Second)) {
			t.Fatalf("handshake %+v", h)
		}
		mail := w.srv.AwaitMessage(t, h.HandshakeId, guest.acct.Email)
		if !strings.Contains(mail, "Welcome to the platform") {
			t.Errorf("invitation mail lacks the note:\n%s", mail)
		}

		mine, err := guest.rd.ListHandshakesForAccount(resourcemanager.CreateListHandshakesForAccountRequest())
		ok(t, "ListHandshakesForAccount", err)
		if mine.TotalCount != 1 || len(mine.Handshakes.Handshake) != 1 || mine.Handshakes.Handshake[0].HandshakeId != h.HandshakeId {
			t.Fatalf("invitee's handshakes %+v", mine)
		}
		seen, err := getHandshake(guest.rd, h.HandshakeId)
		ok(t, "GetHandshake as invitee", err)
		if seen.Handshake.MasterAccountRealName != "Example Ltd" || seen.Handshake.InvitedAccountRealName != "Example Ltd" {
			t.Errorf("invitee view %+v lacks the legal entities", seen.Handshake)
		}

		accepted, err := acceptHandshake(guest.rd, h.HandshakeId)
		ok(t, "AcceptHandshake", err)
		if accepted.Handshake.Status != "Accepted" {
			t.Fatalf("accepted handshake %+v", accepted.Handshake)
		}
		_, err = acceptHandshake(guest.rd, h.HandshakeId)
		wantServerError(t, err, "HandshakeStatusMismatch", 409)

		get := resourcemanager.CreateGetAccountRequest()
		get.AccountId = guest.acct.ID
		m, err := w.admin.GetAccount(get)
		ok(t, "GetAccount of the invited member", err)
		if m.Account.Type != "CloudAccount" || m.Account.JoinMethod != "invited" || m.Account.Status != "InviteSuccess" ||
			m.Account.FolderId != w.directory.RootFolderId {
			t.Fatalf("invited member %+v", m.Account)
		}
		creds := mustAssume(t, w.adminSTS, accessRoleARN(guest.acct.ID), "ops").Credentials
		ok(t, "admin creates a user in the invited member", createUserWith(sessionRAM(t, w.srv, creds), "ops"))

		dir, err := guest.rd.GetResourceDirectory(resourcemanager.CreateGetResourceDirectoryRequest())
		ok(t, "GetResourceDirectory as a member", err)
		if dir.ResourceDirectory.ResourceDirectoryId != w.directory.ResourceDirectoryId || dir.ResourceDirectory.MasterAccountId != w.acct.ID {
			t.Errorf("member sees directory %+v", dir.ResourceDirectory)
		}
		sent, err := w.admin.ListHandshakesForResourceDirectory(resourcemanager.CreateListHandshakesForResourceDirectoryRequest())
		ok(t, "ListHandshakesForResourceDirectory", err)
		if sent.TotalCount != 1 || sent.Handshakes.Handshake[0].Status != "Accepted" {
			t.Fatalf("directory's handshakes %+v", sent)
		}
	})
}

// TestInvitationsDeclineCancelAndExpire: every non-pending invitation
// refuses every transition with HandshakeStatusMismatch.
func TestInvitationsDeclineCancelAndExpire(t *testing.T) {
	w := newRDWorld(t)
	declining, cancelled, late := newInvitee(t, w.srv), newInvitee(t, w.srv), newInvitee(t, w.srv)

	h := mustInvite(t, w.admin, declining.acct.Email, "Email")
	if h.TargetType != "Email" || h.TargetEntity != declining.acct.Email {
		t.Fatalf("invitation by email %+v", h)
	}
	req := resourcemanager.CreateDeclineHandshakeRequest()
	req.HandshakeId = h.HandshakeId
	resp, err := declining.rd.DeclineHandshake(req)
	ok(t, "DeclineHandshake", err)
	if resp.Handshake.Status != "Declined" {
		t.Fatalf("declined %+v", resp.Handshake)
	}
	_, err = acceptHandshake(declining.rd, h.HandshakeId)
	wantServerError(t, err, "HandshakeStatusMismatch", 409)

	h = mustInvite(t, w.admin, cancelled.acct.ID, "Account")
	_, err = acceptHandshake(w.admin, h.HandshakeId) // the inviter cannot accept for the invitee
	wantServerError(t, err, "EntityNotExists.Handshake", 404)
	cancel := resourcemanager.CreateCancelHandshakeRequest()
	cancel.HandshakeId = h.HandshakeId
	_, err = cancelled.rd.CancelHandshake(cancel) // nor the invitee cancel
	wantServerError(t, err, "EntityNotExists.Handshake", 404)
	cresp, err := w.admin.CancelHandshake(cancel)
	ok(t, "CancelHandshake", err)
	if cresp.Handshake.Status != "Cancelled" {
		t.Fatalf("cancelled %+v", cresp.Handshake)
	}
	_, err = acceptHandshake(cancelled.rd, h.HandshakeId)
	wantServerError(t, err, "HandshakeStatusMismatch", 409)
	_, err = w.admin.CancelHandshake(cancel)
	wantServerError(t, err, "HandshakeStatusMismatch", 409)

	h = mustInvite(t, w.admin, late.acct.ID, "Account")
	w.srv.Advance(14*24*time.Hour + time.Minute)
	got, err := getHandshake(late.rd, h.HandshakeId)
	ok(t, "GetHandshake after expiry", err)
	if got.Handshake.Status != "Expired" {
		t.Fatalf("after 14 days the invitation is %s", got.Handshake.Status)
	}
	_, err = acceptHandshake(late.rd, h.HandshakeId)
	wantServerError(t, err, "HandshakeStatusMismatch", 409)
	// An expired invitation no longer blocks a new one.
	mustInvite(t, w.admin, late.acct.ID, "Account")

	// Strangers see nothing.
	stranger := newInvitee(t, w.srv)
	_, err = getHandshake(stranger.rd, h.HandshakeId)
	wantServerError(t, err, "EntityNotExists.Handshake", 404)
	_, err = getHandshake(stranger.rd, "not-an-id")
	wantServerError(t, err, "InvalidParameter.HandshakeId", 400)
}

// TestInvitationRefusals: each documented refusal with its code.
func TestInvitationRefusals(t *testing.T) {
	w := newRDWorld(t)
	guest := newInvitee(t, w.srv)

	_, err := invite(w.admin, "", "Account", "")
	wantServerError(t, err, "MissingParameter.TargetEntity", 400)
	_, err = invite(w.admin, guest.acct.ID, "Phone", "")
	wantServerError(t, err, "InvalidParameter.TargetType", 400)
	_, err = invite(w.admin, guest.acct.ID, "Account", strings.Repeat("n", 1025))
	wantServerError(t, err, "InvalidParameter.Note.Length", 400)
	_, err = invite(w.admin, "nobody@example.com", "Email", "")
	wantServerError(t, err, "InvalidParameter.TargetEntity", 400)

	other := w.srv.CreateAccountFor(t, "Another Company Inc")
	_, err = invite(w.admin, other.ID, "Account", "")
	wantServerError(t, err, "LegalEntityMismatch", 409)

	mustInvite(t, w.admin, guest.acct.ID, "Account")
	_, err = invite(w.admin, guest.acct.Email, "Email", "")
	wantServerError(t, err, "EntityAlreadyExists.Handshake", 409)

	// An account that manages another directory cannot be invited, nor
	// can one that is a member of another directory.
	elsewhere := newRDWorldOn(t, w.srv)
	_, err = invite(w.admin, elsewhere.acct.ID, "Account", "")
	wantServerError(t, err, "NotSupport.AccountInAnotherResourceDirectory", 409)
	resource := createResourceAccount(t, elsewhere.admin, "", "elsewhere member", "")
	_, err = invite(w.admin, resource.AccountId, "Account", "")
	wantServerError(t, err, "Invalid.AccountType", 409)

	// A member account cannot invite anyone: it manages no directory.
	joined := newInvitee(t, w.srv)
	h := mustInvite(t, w.admin, joined.acct.ID, "Account")
	_, err = acceptHandshake(joined.rd, h.HandshakeId)
	ok(t, "AcceptHandshake", err)
	_, err = invite(joined.rd, guest.acct.ID, "Account", "")
	wantServerError(t, err, "EntityNotExists.ResourceDirectory", 404)
	_, err = invite(w.admin, joined.acct.ID, "Account", "")
	wantServerError(t, err, "EntityAlreadyExists.ResourceDir.Account", 409)
}

// TestInvitationQuotas: the member quota and the 20 invitations a day.
func TestInvitationQuotas(t *testing.T) {
	w := newRDWorld(t)
	guests := make([]invitee, 21)
	for i := range guests {
		guests[i] = newInvitee(t, w.srv)
	}
	for i := 0; i < 20; i++ {
		mustInvite(t, w.admin, guests[i].acct.ID, "Account")
	}
	_, err := invite(w.admin, guests[20].acct.ID, "Account", "")
	wantServerError(t, err, "LimitExceeded.InvitationRate", 409)
	w.srv.Advance(24*time.Hour + time.Minute)
	h := mustInvite(t, w.admin, guests[20].acct.ID, "Account")

	for i := 0; i < 20; i++ {
		createResourceAccount(t, w.admin, "", "filler "+string(rune('a'+i)), "")
	}
	_, err = acceptHandshake(guests[20].rd, h.HandshakeId)
	wantServerError(t, err, "LimitExceeded.Account", 409)
	_, err = invite(w.admin, guests[0].acct.ID, "Account", "")
	wantServerError(t, err, "LimitExceeded.Account", 409)
}

// TestAcceptRace: of fifty identical AcceptHandshake calls racing, exactly
// one makes the account a member.
func TestAcceptRace(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		guest := newInvitee(t, w.srv)
		h := mustInvite(t, w.admin, guest.acct.ID, "Account")
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, codes := 0, map[string]int{}
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := acceptHandshake(guest.rd, h.HandshakeId)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					wins++
					return
				}
				codes[serverCode(err)]++
			}()
		}
		wg.Wait()
		if wins != 1 || codes["HandshakeStatusMismatch"] != 49 {
			t.Fatalf("%d accepted, refusals %v; want exactly one winner and 49 HandshakeStatusMismatch", wins, codes)
		}
		list, err := w.admin.ListAccounts(resourcemanager.CreateListAccountsRequest())
		ok(t, "ListAccounts", err)
		if list.TotalCount != 1 {
			t.Fatalf("%d members after the race", list.TotalCount)
		}
	})
}

// TestRemoveCloudAccount: an invited member leaves, its access role goes
// with it, and it can be invited again; a resource account cannot leave.
func TestRemoveCloudAccount(t *testing.T) {
	w := newRDWorld(t)
	guest := newInvitee(t, w.srv)
	h := mustInvite(t, w.admin, guest.acct.ID, "Account")
	_, err := acceptHandshake(guest.rd, h.HandshakeId)
	ok(t, "AcceptHandshake", err)
	mustAssume(t, w.adminSTS, accessRoleARN(guest.acct.ID), "before")

	remove := resourcemanager.CreateRemoveCloudAccountRequest()
	remove.AccountId = guest.acct.ID
	_, err = w.admin.RemoveCloudAccount(remove)
	ok(t, "RemoveCloudAccount", err)
	_, err = assumeRole(w.adminSTS, accessRoleARN(guest.acct.ID), "after")
	wantServerError(t, err, "EntityNotExist.Role", 404)
	_, err = guest.rd.GetResourceDirectory(resourcemanager.CreateGetResourceDirectoryRequest())
	wantServerError(t, err, "ResourceDirectoryNotInUse", 404)
	mustInvite(t, w.admin, guest.acct.ID, "Account")

	resource := createResourceAccount(t, w.admin, "", "stays", "")
	remove.AccountId = resource.AccountId
	_, err = w.admin.RemoveCloudAccount(remove)
	wantServerError(t, err, "AccountTypeOrStatusMismatch", 409)
}
