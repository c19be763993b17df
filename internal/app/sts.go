package app

import (
	"context"
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

	mu     sync.Mutex
	opened map[string]openedSession
}

type openedSession struct {
	token string
	cred  *authn.Credential
}

func newSessionCredentials(tokens *sts.Tokens, now func() time.Time) *sessionCredentials {
	return &sessionCredentials{tokens: tokens, now: now, opened: map[string]openedSession{}}
}

// Credential implements authn.CredentialSource.
func (s *sessionCredentials) Credential(_ context.Context, id, token string) (*authn.Credential, error) {
	now := s.now()
	s.mu.Lock()
	o, ok := s.opened[id]
	s.mu.Unlock()
	if ok && o.token == token && now.Before(o.cred.Principal.Session.Expires) {
		return o.cred, nil
	}
	sess, err := s.tokens.Open(id, token, now)
	if err != nil {
		return nil, err
	}
	cred := &authn.Credential{Principal: sess.Principal, Active: true, Key: signature.NewKey(sess.Secret)}
	s.mu.Lock()
	if len(s.opened) >= maxOpenSessions {
		s.opened = map[string]openedSession{} // rebuilding costs one open per live session
	}
	s.opened[id] = openedSession{token: token, cred: cred}
	s.mu.Unlock()
	return cred, nil
}
