package api

import (
	"context"
	"net/netip"
	"time"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// Call is what a handler gets besides its typed input: the caller, the
// transaction to work in (read-only unless the action is a write) and the
// request's circumstances.
type Call struct {
	Ctx       context.Context
	Caller    *model.Principal
	Tx        store.Tx
	RequestID string
	Now       time.Time // the injected clock's time for this request
	SourceIP  netip.Addr
	Secure    bool
	// SelfService is true when the call was allowed only because the
	// security preference lets a user do this to itself: the handler may
	// apply self-service limits (one unbound MFA device at a time).
	SelfService bool
	// alsoAuditIn are further accounts whose trails get a copy of the
	// call's event (AssumeRole: the role's owner sees its role assumed).
	alsoAuditIn []string
}

// AlsoAuditIn records the call's event in accountID's trail too, when the
// call succeeds.
func (c *Call) AlsoAuditIn(accountID string) {
	if accountID != "" && accountID != c.Caller.AccountID {
		c.alsoAuditIn = append(c.alsoAuditIn, accountID)
	}
}

// AccountID is the account the caller acts in.
func (c *Call) AccountID() string { return c.Caller.AccountID }
