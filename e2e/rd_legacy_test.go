package e2e

import (
	"context"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/authn/password"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// The legacy e-mail flows of the Resource Directory: CreateCloudAccount
// and PromoteResourceAccount, confirmed by the owner of the e-mail through
// the link it receives (read here from the outbox).

const rootPassword = "Chosen-Passw0rd"

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// mails waits until the outbox holds at least n e-mails to address and
// returns their decoded bodies, oldest first.
func mails(t *testing.T, srv *canopytest.Server, address string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var bodies []string
		files, _ := filepath.Glob(filepath.Join(srv.App.Config.Outbox, "*.eml"))
		sort.Strings(files)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			msg, err := mail.ReadMessage(strings.NewReader(string(data)))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if to, err := mail.ParseAddress(msg.Header.Get("To")); err != nil || !strings.EqualFold(to.Address, address) {
				continue
			}
			body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
			if err != nil {
				t.Fatal(err)
			}
			bodies = append(bodies, string(body))
		}
		if len(bodies) >= n {
			return bodies
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d e-mails to %s in the outbox after 10s; want %d", len(bodies), address, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var linkPattern = regexp.MustCompile(`http://\S+/rd/confirm\?token=\S+`)

// confirmLink is the link of a confirmation mail, pointed at srv (the mail
// names the configured public URL, which the test server does not listen
// on).
func confirmLink(t *testing.T, srv *canopytest.Server, body string) string {
	t.Helper()
	found := linkPattern.FindAllString(body, -1)
	if len(found) != 1 {
		t.Fatalf("want one confirmation link in the mail, found %q in:\n%s", found, body)
	}
	u, err := url.Parse(found[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := srv.App.Config.PublicURL; !strings.HasPrefix(found[0], want+"/rd/confirm?token=") {
		t.Fatalf("link %s does not start with the public URL %s", found[0], want)
	}
	u.Host = srv.Endpoint
	return u.String()
}

func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

// openLink GETs a link and returns the status and page.
func openLink(t *testing.T, link string) (int, string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// submit POSTs the confirmation form of link with the given passwords.
func submit(t *testing.T, link, pw, again string, header ...string) (int, string) {
	t.Helper()
	u, _ := url.Parse(link)
	form := url.Values{"token": {u.Query().Get("token")}, "password": {pw}, "password2": {again}}
	u.RawQuery = ""
	req, err := http.NewRequest(http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func wantPage(t *testing.T, what string, status int, page string, wantStatus int, wantText string) {
	t.Helper()
	if status != wantStatus || !strings.Contains(page, wantText) {
		t.Fatalf("%s: %d %s; want %d with %q", what, status, page, wantStatus, wantText)
	}
}

func createCloudAccount(c *resourcemanager.Client, folder, name, email string) (resourcemanager.Account, error) {
	req := resourcemanager.CreateCreateCloudAccountRequest()
	req.ParentFolderId, req.DisplayName, req.Email = folder, name, email
	resp, err := c.CreateCloudAccount(req)
	if err != nil {
		return resourcemanager.Account{}, err
	}
	return resp.Account, nil
}

func resendCreate(c *resourcemanager.Client, record string) (resourcemanager.Account, error) {
	req := resourcemanager.CreateResendCreateCloudAccountEmailRequest()
	req.RecordId = record
	resp, err := c.ResendCreateCloudAccountEmail(req)
	if err != nil {
		return resourcemanager.Account{}, err
	}
	return resp.Account, nil
}

func cancelCreate(c *resourcemanager.Client, record string) error {
	req := resourcemanager.CreateCancelCreateCloudAccountRequest()
	req.RecordId = record
	_, err := c.CancelCreateCloudAccount(req)
	return err
}

func promote(c *resourcemanager.Client, account, email string) (resourcemanager.Account, error) {
	req := resourcemanager.CreatePromoteResourceAccountRequest()
	req.AccountId, req.Email = account, email
	resp, err := c.PromoteResourceAccount(req)
	if err != nil {
		return resourcemanager.Account{}, err
	}
	return resp.Account, nil
}

func resendPromote(c *resourcemanager.Client, record string) (resourcemanager.Account, error) {
	req := resourcemanager.CreateResendPromoteResourceAccountEmailRequest()
	req.RecordId = record
	resp, err := c.ResendPromoteResourceAccountEmail(req)
	if err != nil {
		return resourcemanager.Account{}, err
	}
	return resp.Account, nil
}

func cancelPromote(c *resourcemanager.Client, record string) error {
	req := resourcemanager.CreateCancelPromoteResourceAccountRequest()
	req.RecordId = record
	_, err := c.CancelPromoteResourceAccount(req)
	return err
}

func getAccount(t *testing.T, c *resourcemanager.Client, id string) resourcemanager.Account {
	t.Helper()
	req := resourcemanager.CreateGetAccountRequest()
	req.AccountId = id
	resp, err := c.GetAccount(req)
	ok(t, "GetAccount "+id, err)
	return resp.Account
}

func getAccountErr(c *resourcemanager.Client, id string) error {
	req := resourcemanager.CreateGetAccountRequest()
	req.AccountId = id
	_, err := c.GetAccount(req)
	return err
}

func listAccounts(t *testing.T, c *resourcemanager.Client) *resourcemanager.ListAccountsResponse {
	t.Helper()
	resp, err := c.ListAccounts(resourcemanager.CreateListAccountsRequest())
	ok(t, "ListAccounts", err)
	return resp
}

// storedAccount reads a top-level account as the store keeps it.
func storedAccount(t *testing.T, srv *canopytest.Server, id string) store.Account {
	t.Helper()
	var a store.Account
	err := srv.App.Store.Read(context.Background(), func(tx store.Tx) (err error) {
		a, err = tx.Accounts().Get(id)
		return err
	})
	ok(t, "read account "+id, err)
	return a
}

// wantRoot checks that the account is a live cloud account whose root
// signs in with email and pw.
func wantRoot(t *testing.T, srv *canopytest.Server, id, email, pw string) {
	t.Helper()
	a := storedAccount(t, srv, id)
	if a.Email != email || a.Type != accounts.TypeCloudAccount || !accounts.RootEnabled(a) {
		t.Fatalf("account %s: email %q type %s status %s; want %s, a cloud account", id, a.Email, a.Type, a.Status, email)
	}
	if match, err := password.Verify(a.PasswordHash, pw); err != nil || !match {
		t.Fatalf("account %s: the root password chosen on the page does not verify (%v)", id, err)
	}
}

// wantReachable: the RD administrator assumes the member's access role and
// works in the member.
func wantReachable(t *testing.T, w *rdWorld, id, user string) {
	t.Helper()
	creds := mustAssume(t, w.adminSTS, accessRoleARN(id), "legacy").Credentials
	ok(t, "create a user in member "+id, createUserWith(sessionRAM(t, w.srv, creds), user))
}

// TestCreateCloudAccountByEmail: the member waits in CreateVerifying, a
// resend replaces the link, and the owner confirms with a root password;
// the member is then a CreateSuccess cloud account reached through its
// access role, and the link is used up.
func TestCreateCloudAccountByEmail(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		team := createFolder(t, w.admin, "", "team")
		const email = "Dev.Owner@Example.com"
		m, err := createCloudAccount(w.admin, team.FolderId, "dev cloud", email)
		ok(t, "CreateCloudAccount", err)
		if m.Type != "CloudAccount" || m.JoinMethod != "created" || m.Status != "CreateVerifying" || m.FolderId != team.FolderId ||
			len(m.AccountId) != 16 || !uuidPattern.MatchString(m.RecordId) || m.ResourceDirectoryId != w.directory.ResourceDirectoryId ||
			m.AccountName != strings.ToLower(email) || m.DisplayName != "dev cloud" {
			t.Fatalf("CreateCloudAccount answered %+v", m)
		}
		listed := listAccounts(t, w.admin)
		if listed.TotalCount != 1 || len(listed.Accounts.Account) != 1 || listed.Accounts.Account[0].Status != "CreateVerifying" {
			t.Fatalf("ListAccounts while verifying: %+v", listed)
		}
		if got := getAccount(t, w.admin, m.AccountId); got.Status != "CreateVerifying" || got.RecordId != m.RecordId {
			t.Fatalf("GetAccount while verifying: %+v", got)
		}
		// Nothing reaches the account before its owner confirms.
		_, err = assumeRole(w.adminSTS, accessRoleARN(m.AccountId), "early")
		wantServerError(t, err, "EntityNotExist.Role", 404)
		if a := storedAccount(t, w.srv, m.AccountId); a.Email != "" || a.PasswordHash != "" {
			t.Fatalf("unconfirmed account has email %q / a password", a.Email)
		}

		first := confirmLink(t, w.srv, mails(t, w.srv, email, 1)[0])
		_, err = resendCreate(w.admin, m.RecordId)
		wantServerError(t, err, "LimitExceeded.Frequency", 409)
		w.srv.Advance(2 * time.Minute)
		again, err := resendCreate(w.admin, m.RecordId)
		ok(t, "ResendCreateCloudAccountEmail", err)
		if again.RecordId != m.RecordId || again.Status != "CreateVerifying" || again.AccountId != m.AccountId {
			t.Fatalf("Resend answered %+v", again)
		}
		second := confirmLink(t, w.srv, mails(t, w.srv, email, 2)[1])
		if second == first {
			t.Fatal("the resent mail carries the same link")
		}
		status, page := openLink(t, first)
		wantPage(t, "the replaced link", status, page, 404, "newer e-mail")
		status, page = submit(t, first, rootPassword, rootPassword)
		wantPage(t, "confirming with the replaced link", status, page, 404, "newer e-mail")

		status, page = openLink(t, second)
		wantPage(t, "the current link", status, page, 200, "dev cloud")
		if !strings.Contains(page, strings.ToLower(email)) || !strings.Contains(page, `name="token"`) {
			t.Fatalf("confirmation page does not show the e-mail and the form:\n%s", page)
		}
		status, page = submit(t, second, "short", "short")
		wantPage(t, "a weak password", status, page, 400, "at least 8 characters")
		status, page = submit(t, second, rootPassword, rootPassword+"x")
		wantPage(t, "two different passwords", status, page, 400, "differ")
		status, page = submit(t, second, rootPassword, rootPassword, "Origin", "https://evil.example")
		wantPage(t, "a form from another site", status, page, 403, "another site")
		status, page = submit(t, second, rootPassword, rootPassword, "Sec-Fetch-Site", "cross-site")
		wantPage(t, "a cross-site form", status, page, 403, "another site")

		status, page = submit(t, second, rootPassword, rootPassword, "Origin", "http://"+w.srv.Endpoint)
		wantPage(t, "the confirmation", status, page, 200, "Done")

		got := getAccount(t, w.admin, m.AccountId)
		if got.Status != "CreateSuccess" || got.Type != "CloudAccount" || got.JoinMethod != "created" || got.AccountName != strings.ToLower(email) {
			t.Fatalf("GetAccount after confirmation: %+v", got)
		}
		if listed := listAccounts(t, w.admin); listed.TotalCount != 1 || listed.Accounts.Account[0].Status != "CreateSuccess" {
			t.Fatalf("ListAccounts after confirmation: %+v", listed)
		}
		wantRoot(t, w.srv, m.AccountId, strings.ToLower(email), rootPassword)
		wantReachable(t, w, m.AccountId, "ops")

		// The link is used up.
		status, page = submit(t, second, "Other-Passw0rd", "Other-Passw0rd")
		wantPage(t, "the used link", status, page, 409, "used already")
		status, page = openLink(t, second)
		wantPage(t, "opening the used link", status, page, 409, "used already")
		wantRoot(t, w.srv, m.AccountId, strings.ToLower(email), rootPassword)
		w.srv.Advance(2 * time.Minute)
		_, err = resendCreate(w.admin, m.RecordId)
		wantServerError(t, err, "AccountTypeOrStatusMismatch", 409)
		wantServerError(t, cancelCreate(w.admin, m.RecordId), "AccountTypeOrStatusMismatch", 409)

		// The confirmation is in the management account's trail and the
		// member's, by the member's root.
		for _, trail := range []string{"management", "member"} {
			c := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
			if trail == "member" {
				c = sessionTrail(t, w.srv, mustAssume(t, w.adminSTS, accessRoleARN(m.AccountId), "audit").Credentials)
			}
			events := lookup(t, c, "EventName", "ConfirmCreateCloudAccount", "50", "").Events
			if len(events) != 1 {
				t.Fatalf("%s trail: %d ConfirmCreateCloudAccount events; want 1", trail, len(events))
			}
			params, _ := events[0]["requestParameters"].(map[string]any)
			if params["RecordId"] != m.RecordId || params["AccountId"] != m.AccountId {
				t.Fatalf("%s trail event: %v", trail, events[0])
			}
		}
	})
}

// TestCreateCloudAccountCancelAndExpiry: a cancelled or expired creation
// takes the member out of the directory again (quota and name free) and
// its link stops working; the record keeps its final status.
func TestCreateCloudAccountCancelAndExpiry(t *testing.T) {
	w := newRDWorld(t)
	a, err := createCloudAccount(w.admin, "", "alpha", "alpha@example.com")
	ok(t, "CreateCloudAccount", err)
	link := confirmLink(t, w.srv, mails(t, w.srv, "alpha@example.com", 1)[0])
	ok(t, "CancelCreateCloudAccount", cancelCreate(w.admin, a.RecordId))
	wantServerError(t, getAccountErr(w.admin, a.AccountId), "EntityNotExists.Account", 404)
	if listed := listAccounts(t, w.admin); listed.TotalCount != 0 {
		t.Fatalf("ListAccounts after cancel: %+v", listed)
	}
	if acct := storedAccount(t, w.srv, a.AccountId); acct.Status != accounts.StatusDeleted {
		t.Fatalf("the unused account of a cancelled creation is %s; want Deleted", acct.Status)
	}
	status, page := openLink(t, link)
	wantPage(t, "a cancelled creation's link", status, page, 409, "CreateCancelled")
	status, page = submit(t, link, rootPassword, rootPassword)
	wantPage(t, "confirming a cancelled creation", status, page, 409, "CreateCancelled")
	wantServerError(t, cancelCreate(w.admin, a.RecordId), "AccountTypeOrStatusMismatch", 409)
	w.srv.Advance(2 * time.Minute)
	_, err = resendCreate(w.admin, a.RecordId)
	se := wantServerError(t, err, "AccountTypeOrStatusMismatch", 409)
	if !strings.Contains(se.Message(), "CreateCancelled") {
		t.Errorf("Resend of a cancelled record says %q", se.Message())
	}

	// The name is free again; this one expires (read lazily on the clock).
	b, err := createCloudAccount(w.admin, "", "alpha", "alpha@example.com")
	ok(t, "CreateCloudAccount with the cancelled one's name", err)
	linkB := confirmLink(t, w.srv, mails(t, w.srv, "alpha@example.com", 2)[1])
	w.srv.Advance(23 * time.Hour)
	status, page = openLink(t, linkB)
	wantPage(t, "a link at 23 hours", status, page, 200, "alpha")
	w.srv.Advance(2 * time.Hour)
	status, page = openLink(t, linkB)
	wantPage(t, "an expired link", status, page, 409, "CreateExpired")
	status, page = submit(t, linkB, rootPassword, rootPassword)
	wantPage(t, "confirming an expired link", status, page, 409, "CreateExpired")
	_, err = resendCreate(w.admin, b.RecordId)
	se = wantServerError(t, err, "AccountTypeOrStatusMismatch", 409)
	if !strings.Contains(se.Message(), "CreateExpired") {
		t.Errorf("Resend of an expired record says %q", se.Message())
	}
	wantServerError(t, cancelCreate(w.admin, b.RecordId), "AccountTypeOrStatusMismatch", 409)
	if a := storedAccount(t, w.srv, b.AccountId); a.Email != "" || a.PasswordHash != "" {
		t.Fatalf("an expired creation's account has email %q / a password", a.Email)
	}
}

// TestLegacyExpiryJob: the job queued with each mail writes the expiry
// down when the mail's validity ends, so lists stop showing the member as
// verifying. (The clock is set back for the creation, so the mail's end is
// already past in real time, when the runner looks at jobs.)
func TestLegacyExpiryJob(t *testing.T) {
	w := newRDWorld(t)
	m := createResourceAccount(t, w.admin, "", "to promote", "topromote")
	w.srv.Advance(-25 * time.Hour)
	c, err := createCloudAccount(w.admin, "", "never confirmed", "late@example.com")
	ok(t, "CreateCloudAccount", err)
	p, err := promote(w.admin, m.AccountId, "late-promote@example.com")
	ok(t, "PromoteResourceAccount", err)
	w.srv.Advance(25 * time.Hour)
	deadline := time.Now().Add(20 * time.Second)
	for {
		gone := getAccountErr(w.admin, c.AccountId) != nil
		promoted := getAccount(t, w.admin, p.AccountId)
		if gone && promoted.Status == "PromoteExpired" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20s: the expired creation is still listed (%v) or the promotion is %s", !gone, promoted.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	wantServerError(t, getAccountErr(w.admin, c.AccountId), "EntityNotExists.Account", 404)
	if listed := listAccounts(t, w.admin); listed.TotalCount != 1 {
		t.Fatalf("ListAccounts after the expiry: %+v", listed)
	}
	if got := getAccount(t, w.admin, p.AccountId); got.Type != "ResourceAccount" {
		t.Fatalf("an expired promotion changed the member: %+v", got)
	}
	_, err = resendCreate(w.admin, c.RecordId)
	se := wantServerError(t, err, "AccountTypeOrStatusMismatch", 409)
	if !strings.Contains(se.Message(), "CreateExpired") {
		t.Errorf("Resend of an expired record says %q", se.Message())
	}
}

// TestPromoteResourceAccountByEmail: a resource account becomes a cloud
// account whose login is the confirmed e-mail and whose root works.
func TestPromoteResourceAccountByEmail(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		m := createResourceAccount(t, w.admin, "", "batch", "batch")
		if a := storedAccount(t, w.srv, m.AccountId); accounts.RootEnabled(a) {
			t.Fatal("a resource account's root is enabled")
		}
		const email = "batch.owner@example.com"
		p, err := promote(w.admin, m.AccountId, email)
		ok(t, "PromoteResourceAccount", err)
		if p.Status != "PromoteVerifying" || p.Type != "ResourceAccount" || p.AccountId != m.AccountId || !uuidPattern.MatchString(p.RecordId) {
			t.Fatalf("PromoteResourceAccount answered %+v", p)
		}
		_, err = promote(w.admin, m.AccountId, "other@example.com")
		wantServerError(t, err, "AccountTypeOrStatusMismatch", 409)
		first := confirmLink(t, w.srv, mails(t, w.srv, email, 1)[0])
		_, err = resendPromote(w.admin, p.RecordId)
		wantServerError(t, err, "LimitExceeded.Frequency", 409)
		_, err = resendCreate(w.admin, p.RecordId)
		wantServerError(t, err, "AccountTypeOrStatusMismatch", 409)
		w.srv.Advance(time.Minute)
		again, err := resendPromote(w.admin, p.RecordId)
		ok(t, "ResendPromoteResourceAccountEmail", err)
		if again.RecordId != p.RecordId || again.Status != "PromoteVerifying" {
			t.Fatalf("Resend answered %+v", again)
		}
		second := confirmLink(t, w.srv, mails(t, w.srv, email, 2)[1])
		status, page := openLink(t, first)
		wantPage(t, "the replaced link", status, page, 404, "newer e-mail")
		status, page = openLink(t, second)
		wantPage(t, "the current link", status, page, 200, "a cloud account")
		status, page = submit(t, second, rootPassword, rootPassword)
		wantPage(t, "the confirmation", status, page, 200, "Done")

		got := getAccount(t, w.admin, m.AccountId)
		if got.Status != "PromoteSuccess" || got.Type != "CloudAccount" || got.AccountName != email || got.JoinMethod != "created" {
			t.Fatalf("GetAccount after promotion: %+v", got)
		}
		wantRoot(t, w.srv, m.AccountId, email, rootPassword)
		wantReachable(t, w, m.AccountId, "after-promotion")
		status, page = submit(t, second, rootPassword, rootPassword)
		wantPage(t, "the used link", status, page, 409, "used already")
		_, err = promote(w.admin, m.AccountId, "again@example.com")
		wantServerError(t, err, "AccountTypeOrStatusMismatch", 409)
		// Its resource-account login name is free again.
		createResourceAccount(t, w.admin, "", "batch two", "batch")
	})
}

// TestPromoteCancelAndExpiry: the member stays a resource account,
// PromoteCancelled or PromoteExpired, and may be promoted again.
func TestPromoteCancelAndExpiry(t *testing.T) {
	w := newRDWorld(t)
	m := createResourceAccount(t, w.admin, "", "stays", "stays")
	p, err := promote(w.admin, m.AccountId, "stays@example.com")
	ok(t, "PromoteResourceAccount", err)
	link := confirmLink(t, w.srv, mails(t, w.srv, "stays@example.com", 1)[0])
	ok(t, "CancelPromoteResourceAccount", cancelPromote(w.admin, p.RecordId))
	if got := getAccount(t, w.admin, m.AccountId); got.Status != "PromoteCancelled" || got.Type != "ResourceAccount" {
		t.Fatalf("after cancel: %+v", got)
	}
	status, page := openLink(t, link)
	wantPage(t, "a cancelled promotion's link", status, page, 409, "PromoteCancelled")
	wantServerError(t, cancelPromote(w.admin, p.RecordId), "AccountTypeOrStatusMismatch", 409)
	wantServerError(t, cancelCreate(w.admin, p.RecordId), "AccountTypeOrStatusMismatch", 409)

	q, err := promote(w.admin, m.AccountId, "stays@example.com")
	ok(t, "PromoteResourceAccount after a cancel", err)
	if q.RecordId == p.RecordId {
		t.Fatal("a new promotion reuses the old RecordId")
	}
	linkQ := confirmLink(t, w.srv, mails(t, w.srv, "stays@example.com", 2)[1])
	w.srv.Advance(25 * time.Hour)
	status, page = submit(t, linkQ, rootPassword, rootPassword)
	wantPage(t, "confirming an expired promotion", status, page, 409, "PromoteExpired")
	_, err = resendPromote(w.admin, q.RecordId)
	wantServerError(t, err, "AccountTypeOrStatusMismatch", 409)
	if a := storedAccount(t, w.srv, m.AccountId); accounts.RootEnabled(a) || a.Email != "" {
		t.Fatalf("an unconfirmed promotion changed the account: %+v", a)
	}
}

// TestLegacyFlowRefusals: every refusal with its documented code and
// status.
func TestLegacyFlowRefusals(t *testing.T) {
	w := newRDWorld(t)
	res := createResourceAccount(t, w.admin, "", "resource", "resource")

	_, err := createCloudAccount(w.admin, "", "no mail", "")
	wantServerError(t, err, "MissingParameter.Email", 400)
	for _, bad := range []string{"not-an-address", "Name <name@example.com>", "a b@example.com", "x@example.com, y@example.com",
		strings.Repeat("a", 120) + "@example.com"} {
		_, err = createCloudAccount(w.admin, "", "bad mail", bad)
		wantServerError(t, err, "InvalidParameter.Email", 400)
	}
	_, err = createCloudAccount(w.admin, "", "", "x@example.com")
	wantServerError(t, err, "MissingParameter.Account.DisplayName", 400)
	_, err = createCloudAccount(w.admin, "", "x", "x@example.com")
	wantServerError(t, err, "InvalidParameter.Account.DisplayName.Length", 400)
	_, err = createCloudAccount(w.admin, "", "bad/name", "x@example.com")
	wantServerError(t, err, "InvalidParameter.Account.DisplayName", 400)
	_, err = createCloudAccount(w.admin, "", "resource", "x@example.com")
	wantServerError(t, err, "InvalidParameter.Account.DisplayName.AlreadyUsed", 409)
	_, err = createCloudAccount(w.admin, "fd-nope", "folder", "x@example.com")
	wantServerError(t, err, "InvalidParameter.ParentFolderId", 400)
	_, err = createCloudAccount(w.admin, "fd-0123456789", "folder", "x@example.com")
	wantServerError(t, err, "EntityNotExists.Folder", 404)
	_, err = createCloudAccount(w.admin, "", "taken mail", strings.ToUpper(w.acct.Email))
	wantServerError(t, err, "InvalidParameter.Email.AlreadyUsed", 409)
	req := resourcemanager.CreateCreateCloudAccountRequest()
	req.DisplayName, req.Email, req.PayerAccountId = "payer", "payer@example.com", "1234567890123456"
	_, err = w.admin.CreateCloudAccount(req)
	wantServerError(t, err, "NotSupport.PayerAccountInAnotherResourceDirectory", 409)

	_, err = resendCreate(w.admin, "")
	wantServerError(t, err, "MissingParameter.RecordId", 400)
	for _, bad := range []string{"0b7f3c2e-9a1d-4c55-8e2a-3f6b1d9c0e7a", "not-a-record", strings.Repeat("x", 1<<16)} {
		_, err = resendCreate(w.admin, bad)
		wantServerError(t, err, "EntityNotExists.AccountRecord", 404)
		wantServerError(t, cancelPromote(w.admin, bad), "EntityNotExists.AccountRecord", 404)
	}
	wantServerError(t, cancelCreate(w.admin, ""), "MissingParameter.RecordId", 400)

	_, err = promote(w.admin, "", "p@example.com")
	wantServerError(t, err, "MissingParameter.AccountId", 400)
	_, err = promote(w.admin, "12ab", "p@example.com")
	wantServerError(t, err, "InvalidParameter.AccountId", 400)
	_, err = promote(w.admin, res.AccountId, "")
	wantServerError(t, err, "MissingParameter.Email", 400)
	_, err = promote(w.admin, res.AccountId, "nope")
	wantServerError(t, err, "InvalidParameter.Email", 400)
	_, err = promote(w.admin, "1234567890123456", "p@example.com")
	wantServerError(t, err, "EntityNotExists.Account", 404)
	_, err = promote(w.admin, res.AccountId, w.acct.Email)
	wantServerError(t, err, "InvalidParameter.Email.AlreadyUsed", 409)
	pending, err := createCloudAccount(w.admin, "", "pending cloud", "pending@example.com")
	ok(t, "CreateCloudAccount", err)
	_, err = promote(w.admin, pending.AccountId, "p@example.com")
	wantServerError(t, err, "AccountTypeOrStatusMismatch", 409)

	// Another management account sees none of these records; an account
	// without a directory has none.
	other := newRDWorld(t)
	_, err = resendCreate(other.admin, pending.RecordId)
	wantServerError(t, err, "EntityNotExists.AccountRecord", 404)
	wantServerError(t, cancelCreate(other.admin, pending.RecordId), "EntityNotExists.AccountRecord", 404)
	loner := w.srv.CreateAccount(t)
	lonerRD := w.srv.RDClient(t, loner.AccessKeyID, loner.AccessKeySecret)
	_, err = createCloudAccount(lonerRD, "", "lonely", "lonely@example.com")
	wantServerError(t, err, "EntityNotExists.ResourceDirectory", 404)
	wantServerError(t, cancelCreate(lonerRD, pending.RecordId), "EntityNotExists.ResourceDirectory", 404)

	// A reader may not start, resend or cancel anything.
	w.createUser(t, "reader")
	w.attachToUser(t, "reader", "System", "AliyunResourceDirectoryReadOnlyAccess")
	id, secret := w.userKey(t, "reader")
	reader := w.srv.RDClient(t, id, secret)
	_, err = createCloudAccount(reader, "", "by reader", "reader@example.com")
	wantDenied(t, err, "resourcemanager:CreateCloudAccount", "ImplicitDeny")
	wantDenied(t, cancelCreate(reader, pending.RecordId), "resourcemanager:CancelCreateCloudAccount", "ImplicitDeny")
	_, err = promote(reader, res.AccountId, "reader@example.com")
	wantDenied(t, err, "resourcemanager:PromoteResourceAccount", "ImplicitDeny")
}

// TestLegacyMemberQuota: a verifying member counts against the quota.
func TestLegacyMemberQuota(t *testing.T) {
	w := newRDWorld(t)
	limit := w.srv.App.RD.Limits().MaxMembers
	for i := 0; i < limit; i++ {
		_, err := createCloudAccount(w.admin, "", "member "+string(rune('a'+i)), "m"+string(rune('a'+i))+"@example.com")
		ok(t, "CreateCloudAccount", err)
	}
	_, err := createCloudAccount(w.admin, "", "one too many", "many@example.com")
	wantServerError(t, err, "LimitExceeded.Account", 409)
}

// TestConfirmationLinkRefusals: malformed, forged and tampered links and
// forms get a clear page and a 4xx; nothing changes.
func TestConfirmationLinkRefusals(t *testing.T) {
	t.Parallel() // the race hashes fifty passwords (argon2): overlap it
	w := newRDWorld(t)
	m, err := createCloudAccount(w.admin, "", "target", "target@example.com")
	ok(t, "CreateCloudAccount", err)
	link := confirmLink(t, w.srv, mails(t, w.srv, "target@example.com", 1)[0])
	token := tokenOf(t, link)
	base := "http://" + w.srv.Endpoint + "/rd/confirm"
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != w.acct.ID || parts[1] != m.RecordId {
		t.Fatalf("token %q: want <management>.<record>.<secret>", token)
	}
	tampered := parts[0] + "." + parts[1] + "." + flipMiddle(parts[2])
	for name, c := range map[string]struct {
		url    string
		status int
		text   string
	}{
		"no token":         {base, 400, "no token"},
		"two tokens":       {base + "?token=" + token + "&token=" + token, 400, "more than one"},
		"malformed":        {base + "?token=abc", 400, "malformed"},
		"huge":             {base + "?token=" + strings.Repeat("1", 100000), 400, "malformed"},
		"tampered secret":  {base + "?token=" + url.QueryEscape(tampered), 404, "not valid"},
		"another record":   {base + "?token=" + parts[0] + ".0b7f3c2e-9a1d-4c55-8e2a-3f6b1d9c0e7a." + parts[2], 404, "not valid"},
		"another account":  {base + "?token=1234567890123456." + parts[1] + "." + parts[2], 404, "not valid"},
		"html in the path": {base + "?token=%3Cscript%3E", 400, "malformed"},
	} {
		status, page := openLink(t, c.url)
		wantPage(t, name, status, page, c.status, c.text)
		if strings.Contains(page, "<script>") {
			t.Errorf("%s: the page echoes markup", name)
		}
	}
	status, page := submit(t, base+"?token="+url.QueryEscape(tampered), rootPassword, rootPassword)
	wantPage(t, "confirming with a tampered secret", status, page, 404, "not valid")

	post := func(contentType, body string) int {
		resp, err := http.Post(base, contentType, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	form := url.Values{"token": {token}, "password": {rootPassword}, "password2": {rootPassword}}
	if s := post("application/json", `{"token":"`+token+`"}`); s != 415 {
		t.Errorf("a JSON POST: %d; want 415", s)
	}
	if s := post("application/x-www-form-urlencoded", "token="+token); s != 400 {
		t.Errorf("a form without passwords: %d; want 400", s)
	}
	if s := post("application/x-www-form-urlencoded", form.Encode()+"&pad="+strings.Repeat("x", 1<<20)); s != 400 {
		t.Errorf("a 1 MB form: %d; want 400", s)
	}
	if s := post("application/x-www-form-urlencoded", form.Encode()+"&token=again"); s != 400 {
		t.Errorf("a form with two tokens: %d; want 400", s)
	}
	if got := getAccount(t, w.admin, m.AccountId); got.Status != "CreateVerifying" {
		t.Fatalf("refused confirmations changed the member: %+v", got)
	}

	// Fifty browsers racing to confirm the same link: exactly one wins.
	var wg sync.WaitGroup
	statuses := make(chan int, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, _ := submit(t, link, rootPassword, rootPassword)
			statuses <- s
		}()
	}
	wg.Wait()
	close(statuses)
	won := 0
	for s := range statuses {
		switch s {
		case 200:
			won++
		case 409:
		default:
			t.Errorf("a racing confirmation answered %d", s)
		}
	}
	if won != 1 {
		t.Fatalf("%d racing confirmations succeeded; want 1", won)
	}
	if listed := listAccounts(t, w.admin); listed.TotalCount != 1 || listed.Accounts.Account[0].Status != "CreateSuccess" {
		t.Fatalf("after the race: %+v", listed)
	}
}

// TestPromoteWithTheMembersOwnEmail: a member that already has an e-mail
// (a cloud account switched to a resource account keeps it) may be
// promoted back with it; no other member may take it.
func TestPromoteWithTheMembersOwnEmail(t *testing.T) {
	w := newRDWorld(t)
	m := createResourceAccount(t, w.admin, "", "switched", "switched")
	other := createResourceAccount(t, w.admin, "", "other", "other")
	const email = "switched@example.com"
	err := w.srv.App.Store.Write(context.Background(), func(tx store.Tx) error {
		a, err := tx.Accounts().Get(m.AccountId)
		if err != nil {
			return err
		}
		a.Email = email // as the account it was before its switch
		return tx.Accounts().Update(a)
	})
	ok(t, "give the member an e-mail", err)
	_, err = promote(w.admin, other.AccountId, email)
	wantServerError(t, err, "InvalidParameter.Email.AlreadyUsed", 409)
	p, err := promote(w.admin, m.AccountId, strings.ToUpper(email))
	ok(t, "PromoteResourceAccount with the member's own e-mail", err)
	link := confirmLink(t, w.srv, mails(t, w.srv, email, 1)[0])
	status, page := submit(t, link, rootPassword, rootPassword)
	wantPage(t, "the confirmation", status, page, 200, "Done")
	wantRoot(t, w.srv, p.AccountId, email, rootPassword)
}

// TestLegacyRecordCallsAreAuthorizedOnTheMembersPath: Resend and Cancel
// name a record, but are authorized on its member's path, so a Deny on a
// folder's subtree covers the records of the members in it.
func TestLegacyRecordCallsAreAuthorizedOnTheMembersPath(t *testing.T) {
	w := newRDWorld(t)
	locked := createFolder(t, w.admin, "", "locked")
	inLocked, err := createCloudAccount(w.admin, locked.FolderId, "in locked", "locked@example.com")
	ok(t, "CreateCloudAccount in the locked folder", err)
	inRoot, err := createCloudAccount(w.admin, "", "in root", "root@example.com")
	ok(t, "CreateCloudAccount in Root", err)
	subtree := "acs:resourcemanager::" + w.acct.ID + ":account/" + w.directory.ResourceDirectoryId + "/" + w.directory.RootFolderId + "/" + locked.FolderId + "/*"
	w.createPolicy(t, "NoLegacyInLocked", statementDocOn("Deny", "resourcemanager:*CreateCloudAccount*", subtree))
	w.attachToUser(t, "rd-admin", "Custom", "NoLegacyInLocked")
	_, err = resendCreate(w.admin, inLocked.RecordId)
	wantDenied(t, err, "resourcemanager:ResendCreateCloudAccountEmail", "ExplicitDeny")
	wantDenied(t, cancelCreate(w.admin, inLocked.RecordId), "resourcemanager:CancelCreateCloudAccount", "ExplicitDeny")
	_, err = resendCreate(w.admin, inRoot.RecordId) // authorized; too soon
	wantServerError(t, err, "LimitExceeded.Frequency", 409)
	ok(t, "CancelCreateCloudAccount in Root", cancelCreate(w.admin, inRoot.RecordId))
	// The root user of the management account may run the flows.
	ok(t, "CancelCreateCloudAccount by the root user", cancelCreate(w.rootRD, inLocked.RecordId))
}
