package sts

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/model"
)

// TokenPurpose names the keyring purpose that seals security tokens. A new
// generation ("sts-token/2") rotates the key: Tokens still opens tokens of
// the generations it is given, so live sessions survive a rotation.
const TokenPurpose = "sts-token/1"

// tokenAAD binds a sealed token to its use.
var tokenAAD = []byte("sts security token")

// Tokens seals and opens security tokens. A token is self-contained: any
// node that shares the key-encryption key verifies it without a database
// read, and nothing is stored when one is issued.
type Tokens struct {
	seal *keyring.Keyring   // the current generation
	open []*keyring.Keyring // every generation still accepted, current first
}

// NewTokens derives the token keys from ring: purposes[0] seals, all open.
func NewTokens(ring *keyring.Keyring, purposes ...string) *Tokens {
	if len(purposes) == 0 {
		purposes = []string{TokenPurpose}
	}
	t := &Tokens{}
	for _, p := range purposes {
		t.open = append(t.open, ring.Derive(p))
	}
	t.seal = t.open[0]
	return t
}

// claims is what a token carries. Short names keep tokens small: SDKs send
// them in a query string.
type claims struct {
	AccessKeyID string `json:"i"`
	Secret      string `json:"k"`
	Account     string `json:"a"`
	RoleName    string `json:"r"`
	RoleID      string `json:"ri"`
	SessionName string `json:"n"`
	Source      source `json:"s"`
	Policy      string `json:"p,omitempty"`
	MFA         bool   `json:"m,omitempty"`
	Issued      int64  `json:"t"`
	Expires     int64  `json:"e"`
}

type source struct {
	Type        string `json:"t"`
	AccountID   string `json:"a"`
	ARN         string `json:"r"`
	PrincipalID string `json:"p"`
}

// Session is an opened token: the principal it stands for and the secret
// that signs its requests.
type Session struct {
	Principal model.Principal
	Secret    string
}

func (t *Tokens) issue(c *claims) string {
	body, err := json.Marshal(c)
	if err != nil {
		panic("sts: encode claims: " + err.Error()) // strings, ints and a bool
	}
	return base64.RawURLEncoding.EncodeToString(t.seal.Seal(body, tokenAAD))
}

// Open verifies a token presented with accessKeyID at time now. Errors are
// the cloud's: InvalidSecurityToken.Malformed for anything that does not
// open (tampered, foreign, truncated), .MismatchWithAccessKey for another
// session's token, .Expired after its expiry.
func (t *Tokens) Open(accessKeyID, token string, now time.Time) (*Session, error) {
	if token == "" {
		return nil, codeMissingToken.New("SecurityToken is mandatory for this action.")
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, malformed()
	}
	var body []byte
	for _, k := range t.open {
		if body, err = k.Open(raw, tokenAAD); err == nil {
			break
		}
	}
	if err != nil {
		return nil, malformed()
	}
	var c claims
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, malformed()
	}
	if c.AccessKeyID != accessKeyID {
		return nil, codeTokenMismatch.New("The security token does not belong to the AccessKey %s.", accessKeyID)
	}
	if !now.Before(time.Unix(c.Expires, 0)) {
		return nil, codeTokenExpired.New("The security token expired at %s.", time.Unix(c.Expires, 0).UTC().Format(TimeLayout))
	}
	return &Session{Secret: c.Secret, Principal: model.Principal{Kind: model.AssumedRole, AccountID: c.Account,
		AccessKeyID: c.AccessKeyID, MFAPresent: c.MFA, Session: &model.Session{RoleName: c.RoleName, RoleID: c.RoleID,
			SessionName: c.SessionName, Issued: time.Unix(c.Issued, 0).UTC(), Expires: time.Unix(c.Expires, 0).UTC(), Policy: c.Policy,
			Source: model.SourceIdentity{Type: c.Source.Type, AccountID: c.Source.AccountID, ARN: c.Source.ARN,
				PrincipalID: c.Source.PrincipalID}}}}, nil
}

func malformed() error {
	return codeTokenMalformed.New("Specified SecurityToken is malformed.")
}

// TimeLayout is how STS writes times (Expiration), exactly: the SDKs'
// credential providers parse it with this layout.
const TimeLayout = "2006-01-02T15:04:05Z"
