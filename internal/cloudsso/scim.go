package cloudsso

import (
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// SCIM (reference 5.11): the synchronization switch and the bearer tokens
// an identity provider would present to the directory's SCIM server. The
// SCIM 2.0 server itself is not built; these calls only keep the switch
// and the credentials.
//
// Credentials live on the directory record (at most MaxSCIMCredentials),
// so they need no record kind of their own and go with the directory.

// MaxSCIMCredentials is how many SCIM server credentials a directory may
// have.
const MaxSCIMCredentials = 2

// SCIMCredentialLifetime is how long a new credential is valid (the
// cloud's example: one year).
const SCIMCredentialLifetime = 365 * 24 * time.Hour

// SCIMCredentialType is the only credential type: a bearer token.
const SCIMCredentialType = "BearerToken"

// scimSecretPurpose derives the key that hashes SCIM secrets.
const scimSecretPurpose = "sso-scim-credential/1"

// SCIMCredential is one SCIM server credential. Only an HMAC of its secret
// under a key derived from the keyring is kept (the secret is a random
// token, so a keyed hash suffices where a password needs argon2id);
// Secret is set only in CreateSCIMServerCredential's answer.
type SCIMCredential struct {
	ID         string
	Type       string
	Status     string // Enabled | Disabled
	SecretHash []byte
	Created    time.Time
	Expires    time.Time

	DirectoryID string `json:"-"`
	Secret      string `json:"-"`
}

func newSCIMCredentialID() string { return "scimcred-" + lowerAlnum(20) }

func init() {
	directoryParts = append(directoryParts, directoryPart{
		statistics: func(_ store.Tx, d *Directory, st *DirectoryStatistics) error {
			st.SCIMServerCredentialCount = len(d.SCIMCredentials)
			return nil
		},
		// The credentials are part of the directory record: they go with it.
		inUse: func(store.Tx, *Directory) error { return nil },
	})
}

// scimSecretHash is the keyed hash of a credential's secret, bound to its
// directory and id.
func (s *Service) scimSecretHash(directoryID, credentialID, secret string) []byte {
	return s.ring.Derive(scimSecretPurpose).MAC([]byte(directoryID + "\x00" + credentialID + "\x00" + secret))
}

// SetSCIMSynchronizationStatus turns SCIM synchronization on or off.
func (s *Service) SetSCIMSynchronizationStatus(tx store.Tx, accountID, directoryID, status string, now time.Time) error {
	if status == "" {
		return missingParameter.Of("SCIMSynchronizationStatus").New("The parameter SCIMSynchronizationStatus is required.")
	}
	if err := checkEnum("SCIMSynchronizationStatus", status, Enabled, Disabled); err != nil {
		return err
	}
	return s.updateDirectory(tx, accountID, directoryID, now, func(d *Directory) error {
		d.SCIMSyncEnabled = status == Enabled
		return nil
	})
}

// GetSCIMSynchronizationStatus returns Enabled or Disabled.
func (s *Service) GetSCIMSynchronizationStatus(tx store.Tx, accountID, directoryID string) (string, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return "", err
	}
	if d.SCIMSyncEnabled {
		return Enabled, nil
	}
	return Disabled, nil
}

// CreateSCIMServerCredential issues a bearer token; its secret is in the
// answer and nowhere else.
func (s *Service) CreateSCIMServerCredential(tx store.Tx, accountID, directoryID string, now time.Time) (*SCIMCredential, error) {
	var out SCIMCredential
	err := s.updateDirectory(tx, accountID, directoryID, now, func(d *Directory) error {
		if len(d.SCIMCredentials) >= MaxSCIMCredentials {
			return codeSCIMCredentialQuota.New("The directory %s already has %d SCIM server credentials, the maximum; delete one first.", d.ID, MaxSCIMCredentials)
		}
		c := SCIMCredential{ID: newSCIMCredentialID(), Type: SCIMCredentialType, Status: Enabled,
			Created: now, Expires: now.Add(SCIMCredentialLifetime)}
		secret := lowerAlnum(48)
		c.SecretHash = s.scimSecretHash(d.ID, c.ID, secret)
		d.SCIMCredentials = append(d.SCIMCredentials, c)
		out = c
		out.DirectoryID, out.Secret = d.ID, secret
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListSCIMServerCredentials lists the directory's credentials, without
// secrets, oldest first.
func (s *Service) ListSCIMServerCredentials(tx store.Tx, accountID, directoryID string) ([]SCIMCredential, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, err
	}
	out := make([]SCIMCredential, len(d.SCIMCredentials))
	for i, c := range d.SCIMCredentials {
		out[i] = c
		out[i].DirectoryID = d.ID
	}
	return out, nil
}

// scimCredentialIndex finds a credential of d by id.
func scimCredentialIndex(d *Directory, credentialID string) (int, error) {
	if credentialID == "" {
		return 0, missingParameter.Of("CredentialId").New("The parameter CredentialId is required.")
	}
	for i, c := range d.SCIMCredentials {
		if c.ID == credentialID {
			return i, nil
		}
	}
	return 0, codeNoSCIMCredential.New("The SCIM server credential %q does not exist.", clip(credentialID))
}

// UpdateSCIMServerCredentialStatus enables or disables a credential.
func (s *Service) UpdateSCIMServerCredentialStatus(tx store.Tx, accountID, directoryID, credentialID, status string, now time.Time) (*SCIMCredential, error) {
	var out SCIMCredential
	err := s.updateDirectory(tx, accountID, directoryID, now, func(d *Directory) error {
		i, err := scimCredentialIndex(d, credentialID)
		if err != nil {
			return err
		}
		if status == "" {
			return missingParameter.Of("NewStatus").New("The parameter NewStatus is required.")
		}
		if err := checkEnum("NewStatus", status, Enabled, Disabled); err != nil {
			return err
		}
		d.SCIMCredentials[i].Status = status
		out = d.SCIMCredentials[i]
		out.DirectoryID = d.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteSCIMServerCredential deletes a credential.
func (s *Service) DeleteSCIMServerCredential(tx store.Tx, accountID, directoryID, credentialID string, now time.Time) error {
	return s.updateDirectory(tx, accountID, directoryID, now, func(d *Directory) error {
		i, err := scimCredentialIndex(d, credentialID)
		if err != nil {
			return err
		}
		d.SCIMCredentials = append(d.SCIMCredentials[:i:i], d.SCIMCredentials[i+1:]...)
		return nil
	})
}
