package sts

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/policy"
	"github.com/canopy-iam/canopy/internal/store"
)

// SessionLayer is the authorizer's source of session policies: a session
// assumed with a Policy may do only what both its role's policies and this
// one allow. It satisfies authz.Source without importing it.
type SessionLayer struct{}

// Layer implements authz.Source.
func (SessionLayer) Layer() policy.LayerType { return policy.LayerSession }

// Scope implements authz.Source: the session policy's hash ("sts" first,
// so no other source's scope looks the same); "" without a session policy.
func (SessionLayer) Scope(p *model.Principal) string {
	if p.Session == nil || p.Session.Policy == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(p.Session.Policy))
	return "sts\x00session\x00" + hex.EncodeToString(sum[:])
}

// Policies implements authz.Source: the policy comes with the token.
func (l SessionLayer) Policies(_ store.Tx, p *model.Principal) ([]policy.Doc, error) {
	scope := l.Scope(p)
	return []policy.Doc{{Key: "Session/" + scope[len("sts\x00session\x00"):], Document: p.Session.Policy}}, nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
