package app

import (
	"context"
	"github.com/canopy-iam/canopy/internal/apperr"
	"sync"
	"time"

	"github.com/canopy-iam/canopy/internal/authn"
	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/sts"
)

// maxOpenSessions bounds the cache of opened security tokens.
const maxOpenSessions = 100_000

// sessionCredentials is the authenticator's source of temporary (STS.)
// credentials: it opens the security token the request carries. Opening
// costs a decryption and a decode, so each node keeps the sessions it has
// opened, keyed by AccessKey id and checked against the exact token; a
// token never changes, so nothing needs invalidating, and expiry is checked
// on every use.
type sessionCredentials struct {
	tokens *sts.Tokens
	now    func() time.Time // the domain clock: token expiry may be tested with a virtual one
	// live reports whether an account may still act (not deleted); its
	// answers are kept per account until the account changes.
	live func(ctx context.Context, accountID string) (bool, error)

	mu     sync.Mutex
	opened map[string]openedSession
	alive  map[string]bool // account id -> live, as last read
}

type openedSession struct {
	token string
	cred  *authn.Credential
}

func newSessionCredentials(tokens *sts.Tokens, now func() time.Time,
	live func(ctx context.Context, accountID string) (bool, error)) *sessionCredentials {
	return &sessionCredentials{tokens: tokens, now: now, live: live, opened: map[string]openedSession{}, alive: map[string]bool{}}
}

// accountLive reports whether the account a session acts in still exists:
// a token is self-contained, so a session of a deleted member account
// would otherwise outlive it (public calls such as GetCallerIdentity need
// no role to be read).
func (s *sessionCredentials) accountLive(ctx context.Context, accountID string) (bool, error) {
	s.mu.Lock()
	live, ok := s.alive[accountID]
	s.mu.Unlock()
	if ok {
		return live, nil
	}
	live, err := s.live(ctx, accountID)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	s.alive[accountID] = live
	s.mu.Unlock()
	return live, nil
}

// invalidateAccount forgets what this node knows of an account's sessions
// (the account changed: it may have been deleted).
func (s *sessionCredentials) invalidateAccount(accountID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.alive, accountID)
	for id, o := range s.opened {
		if o.cred.Principal.AccountID == accountID {
			delete(s.opened, id)
		}
	}
}

// invalidateAll forgets everything (the change log was lost).
func (s *sessionCredentials) invalidateAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alive, s.opened = map[string]bool{}, map[string]openedSession{}
}

// Credential implements authn.CredentialSource.
func (s *sessionCredentials) Credential(ctx context.Context, id, token string) (*authn.Credential, error) {
	now := s.now()
	s.mu.Lock()
	o, ok := s.opened[id]
	s.mu.Unlock()
	if ok && o.token == token && now.Before(o.cred.Principal.Session.Expires) {
		return s.ifLive(ctx, o.cred)
	}
	sess, err := s.tokens.Open(id, token, now)
	if err != nil {
		return nil, err
	}
	cred := &authn.Credential{Principal: sess.Principal, Active: true, Key: signature.NewKey(sess.Secret)}
	if _, err := s.ifLive(ctx, cred); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.opened) >= maxOpenSessions {
		s.opened = map[string]openedSession{} // rebuilding costs one open per live session
	}
	s.opened[id] = openedSession{token: token, cred: cred}
	s.mu.Unlock()
	return cred, nil
}

// ifLive returns cred unless its account was deleted.
func (s *sessionCredentials) ifLive(ctx context.Context, cred *authn.Credential) (*authn.Credential, error) {
	live, err := s.accountLive(ctx, cred.Principal.AccountID)
	if err != nil {
		return nil, apperr.Internal(err)
	}
	if !live {
		return nil, codeSessionAccountGone.New("Specified access key is not found: the account %s of this session was deleted.", cred.Principal.AccountID)
	}
	return cred, nil
}
