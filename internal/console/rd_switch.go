package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"time"

	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/notify"
	"github.com/canopy-iam/canopy/internal/notify/queue"
	"github.com/canopy-iam/canopy/internal/store"
)

// Switch to Resource Account: the seed's dialog. A risk warning with a
// checkbox that gates OK, then Security Verification with a code, then
// UpdateAccount(NewAccountType=ResourceAccount) through the invoker,
// whose rules (same legal entity, security info, no root AccessKey in
// use, a RAM identity as caller) decide.
//
// The code is the console's own (the API has no parameter for it): six
// random digits sent through the outbox to the operator's account's
// security contact (its email, else its mobile by SMS), kept only as a
// SHA-256 in the operator's console session with the member it is for,
// valid switchCodeTTL, single use, at most switchCodeTries wrong entries.

const (
	switchCodeTTL   = 5 * time.Minute
	switchCodeTries = 5
)

// pendingCode is a sent verification code awaiting entry.
type pendingCode struct {
	Member  string
	Hash    string
	Expires time.Time
	Wrong   int
}

func codeHash(member, code string) string {
	sum := sha256.Sum256([]byte(member + ":" + code))
	return hex.EncodeToString(sum[:])
}

func (c *Console) switchTypeRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /console/rd/members/{id}/switch", c.ready(c.switchDialog))
	m.HandleFunc("POST /console/rd/members/{id}/switch", c.readyPost(c.switchStep))
}

type switchData struct {
	Member   rdMember
	SentTo   string // the verification step: where the code went
	Verified bool
}

// switchMember reads the member (GetAccount as the signed-in identity)
// after refusing a caller the switch itself would refuse.
func (c *Console) switchMember(w http.ResponseWriter, r *http.Request, a *active) (*rdMember, bool) {
	if err := directory.CheckTypeSwitchCaller(a.principal()); err != nil {
		c.fail(w, r, a, 0, err)
		return nil, false
	}
	return c.rdReadMember(w, r, a)
}

func (c *Console) switchDialog(w http.ResponseWriter, r *http.Request, a *active) {
	m, ok := c.switchMember(w, r, a)
	if !ok {
		return
	}
	v := memberShell(a, m, "Switch to Resource Account")
	v.Data = &switchData{Member: *m}
	c.render(w, http.StatusOK, "rd_switch", v)
}

// switchStep is the dialog's OK (step send: the checkbox must be ticked;
// a code is sent) and the Security Verification's OK (step verify).
func (c *Console) switchStep(w http.ResponseWriter, r *http.Request, a *active) {
	m, ok := c.switchMember(w, r, a)
	if !ok {
		return
	}
	v := memberShell(a, m, "Switch to Resource Account")
	v.Title = "Security Verification"
	if r.PostFormValue("step") != "verify" {
		if r.PostFormValue("risk") != "yes" {
			c.fail(w, r, a, http.StatusBadRequest, codeRiskNotAccepted.New("Tick the box to confirm you understand the risks of switching %s to a resource account.", m.DisplayName))
			return
		}
		to, err := c.sendSwitchCode(r.Context(), a, m.ID)
		if err != nil {
			c.fail(w, r, a, 0, err)
			return
		}
		v.Data = &switchData{Member: *m, SentTo: to, Verified: true}
		c.render(w, http.StatusOK, "rd_switch", v)
		return
	}
	if err := c.checkSwitchCode(r.Context(), a, m.ID, formValue(r, "code")); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	if _, err := c.call(r, a, rdVersion, "UpdateAccount", map[string]string{"AccountId": m.ID, "NewAccountType": "ResourceAccount"}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, "/console/rd/members/"+url.PathEscape(m.ID)+"?"+url.Values{"done": {"member-switched"}, "name": {m.DisplayName}}.Encode())
}

// sendSwitchCode stores a new code in the session and queues its message
// in the same write; it returns where the code went (masked).
func (c *Console) sendSwitchCode(ctx context.Context, a *active, member string) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	now := c.now()
	shown := ""
	err = c.store.Write(ctx, func(tx store.Tx) error {
		acct, err := tx.Accounts().Get(a.acct)
		if err != nil {
			return err
		}
		msg := notify.Message{Subject: "Canopy verification code",
			Body: fmt.Sprintf("Your verification code to switch member %s to a resource account is %s. It is valid for %d minutes. If you did not ask for it, ignore this message.",
				member, code, int(switchCodeTTL/time.Minute))}
		switch {
		case acct.Email != "":
			msg.Kind, msg.To, shown = notify.Email, acct.Email, maskContact(acct.Email)
		case acct.Mobile != "":
			msg.Kind, msg.To, shown = notify.SMS, acct.Mobile, maskContact(acct.Mobile)
		default:
			return codeNoContact.New("The account %s has no security email or mobile to send a verification code to.", a.acct)
		}
		s, rec, err := sessions.Get(tx, a.acct, a.key)
		if err != nil {
			return err
		}
		s.SwitchCode = &pendingCode{Member: member, Hash: codeHash(member, code), Expires: now.Add(switchCodeTTL)}
		if err := sessions.Update(tx, rec, s, now); err != nil {
			return err
		}
		return queue.Enqueue(tx, msg)
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", errNoSession
	}
	if err == nil && c.invoke.AfterWrite != nil {
		c.invoke.AfterWrite(ctx) // deliver the message now
	}
	return shown, err
}

// checkSwitchCode consumes the session's code for member: right, in
// time, and before switchCodeTries wrong entries.
func (c *Console) checkSwitchCode(ctx context.Context, a *active, member, code string) error {
	now := c.now()
	var refusal error
	err := c.store.Write(ctx, func(tx store.Tx) error {
		s, rec, err := sessions.Get(tx, a.acct, a.key)
		if err != nil {
			return err
		}
		p := s.SwitchCode
		switch {
		case p == nil || p.Member != member:
			refusal = codeSwitchCode.New("Get a verification code first.")
			return nil
		case !now.Before(p.Expires):
			s.SwitchCode, refusal = nil, codeSwitchCode.New("The verification code expired. Get a new one.")
		case tokenEqual(codeHash(member, code), p.Hash):
			s.SwitchCode = nil // single use
		default:
			if p.Wrong++; p.Wrong >= switchCodeTries {
				s.SwitchCode = nil
				refusal = codeSwitchCode.New("The verification code is wrong. Too many wrong codes: get a new one.")
			} else {
				refusal = codeSwitchCode.New("The verification code is wrong.")
			}
		}
		return sessions.Update(tx, rec, s, now)
	})
	if errors.Is(err, store.ErrNotFound) {
		return errNoSession
	}
	if err != nil {
		return err
	}
	return refusal
}

// maskContact shows where a code went without spelling it out.
func maskContact(s string) string {
	if len(s) <= 4 {
		return "****"
	}
	return s[:2] + "****" + s[len(s)-2:]
}
