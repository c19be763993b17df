package directory

import (
	"crypto/hmac"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/notify"
	"github.com/canopy-iam/canopy/internal/notify/queue"
	"github.com/canopy-iam/canopy/internal/store"
)

// SMS verification codes (binding a member's security phone, enabling a
// directory with a new management account). A code is six random digits,
// sent through the outbox in the write that creates it, valid for
// CodeValidity on the injected clock, good for one successful check, and
// stored only as a keyed hash. Each account may be sent CodesPerDay codes
// in any 24 hours and one per CodeResendInterval; a code survives
// MaxCodeGuesses wrong checks, after which a new one must be sent. With
// those numbers a guesser has at most 5 tries per code and 100 codes a day:
// 500 tries against a million values, about one chance in two thousand per
// account and day.
const (
	CodeValidity       = 5 * time.Minute
	CodesPerDay        = 100
	CodeResendInterval = time.Minute
	MaxCodeGuesses     = 5
	codeDigits         = 6
)

// Purposes of a code: the key of its record, in the account it is about.
const (
	purposeBindMobile = "bind-secure-mobile"
	purposeEnableRD   = "enable-resource-directory"
)

// verification is the live code of one purpose in one account, and the
// account's recent sends for that purpose.
type verification struct {
	Phone   string      // where the live code was sent
	MAC     []byte      `json:",omitempty"` // keyed hash of the live code; nil when none is live
	Expires time.Time   // end of the live code's validity
	Guesses int         // wrong checks of the live code
	Sent    []time.Time `json:",omitempty"` // sends in the last 24 hours, oldest first
}

var verifications = store.Collection[verification]{Kind: "rd-verification-code", Key: "purpose"}

// HashCodesWith sets the key verification codes are hashed with. The app
// passes a keyring derived from the KEK, which never enters the database;
// until it is set, sending or checking a code fails (closed).
func (s *Service) HashCodesWith(ring *keyring.Keyring) { s.codeKey = ring }

// codeMAC binds a code to its account, purpose and phone: a code sent for
// one of them checks for no other.
func (s *Service) codeMAC(accountID, purpose, phone, code string) ([]byte, error) {
	if s.codeKey == nil {
		return nil, errors.New("directory: no key to hash verification codes with (HashCodesWith)")
	}
	return s.codeKey.MAC([]byte(accountID + "\x00" + purpose + "\x00" + phone + "\x00" + code)), nil
}

// sendCode draws a new code for (accountID, purpose), replacing any live
// one, and queues the SMS to phone; it returns when the code expires.
func (s *Service) sendCode(tx store.Tx, accountID, purpose, phone, text string, now time.Time) (time.Time, error) {
	v, rec, err := verifications.Get(tx, accountID, purpose)
	fresh := errors.Is(err, store.ErrNotFound)
	if fresh {
		v = &verification{}
	} else if err != nil {
		return time.Time{}, err
	}
	recent := v.Sent[:0]
	for _, t := range v.Sent {
		if now.Sub(t) < 24*time.Hour {
			recent = append(recent, t)
		}
	}
	if len(recent) >= CodesPerDay {
		return time.Time{}, codeCodesPerDay.New("The account %s has been sent %d verification codes in the last 24 hours, the limit: try again after %s.",
			accountID, CodesPerDay, recent[0].Add(24*time.Hour).UTC().Format(time.RFC3339))
	}
	if n := len(recent); n > 0 && now.Sub(recent[n-1]) < CodeResendInterval {
		return time.Time{}, codeFrequency.New("A verification code was sent to the account %s less than %s ago: wait before asking for another.",
			accountID, CodeResendInterval)
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return time.Time{}, err
	}
	code := fmt.Sprintf("%0*d", codeDigits, n.Int64())
	mac, err := s.codeMAC(accountID, purpose, phone, code)
	if err != nil {
		return time.Time{}, err
	}
	*v = verification{Phone: phone, MAC: mac, Expires: now.Add(CodeValidity), Sent: append(recent, now)}
	if fresh {
		err = verifications.Insert(tx, accountID, purpose, "", v, now)
	} else {
		err = verifications.Update(tx, rec, v, now)
	}
	if err != nil {
		return time.Time{}, err
	}
	body := fmt.Sprintf("Canopy: %s is your verification code %s. It expires in %d minutes. Do not share it.",
		code, text, int(CodeValidity/time.Minute))
	if err := queue.Enqueue(tx, notify.Message{Kind: notify.SMS, To: phone, Body: body}); err != nil {
		return time.Time{}, err
	}
	return v.Expires, nil
}

// checkCode consumes the live code of (accountID, purpose) when code is it
// and phone is where it was sent. A wrong code (or phone) is counted
// against the live code and the count is committed although the call is
// refused (apperr.KeepWrites): the caller must write nothing before it.
func (s *Service) checkCode(tx store.Tx, accountID, purpose, phone, code string, now time.Time) error {
	v, rec, err := verifications.Get(tx, accountID, purpose)
	if errors.Is(err, store.ErrNotFound) {
		return badCode("No verification code was sent for this: ask for one first.")
	}
	if err != nil {
		return err
	}
	if v.MAC == nil {
		return badCode("The verification code was already used, or was tried wrongly too often: ask for a new one.")
	}
	if !now.Before(v.Expires) {
		return badCode("The verification code has expired (codes are valid for %d minutes): ask for a new one.", int(CodeValidity/time.Minute))
	}
	var match bool
	if len(code) == codeDigits {
		mac, err := s.codeMAC(accountID, purpose, phone, code)
		if err != nil {
			return err
		}
		match = hmac.Equal(mac, v.MAC)
	}
	if !match {
		v.Guesses++
		left := MaxCodeGuesses - v.Guesses
		if left <= 0 {
			v.MAC = nil
		}
		if err := verifications.Update(tx, rec, v, now); err != nil {
			return err
		}
		if left <= 0 {
			return apperr.KeepWrites(badCode("The verification code is wrong, or was not sent to this phone; it was tried wrongly %d times and no longer works: ask for a new one.", MaxCodeGuesses))
		}
		return apperr.KeepWrites(badCode("The verification code is wrong, or was not sent to this phone; %d more tries before it stops working.", left))
	}
	v.MAC, v.Guesses = nil, 0
	return verifications.Update(tx, rec, v, now)
}

func badCode(format string, args ...any) *apperr.Error {
	return codeBadVerification.New(format, args...)
}

// checkPhone validates a phone parameter: "<country code>-<number>" as
// accounts keep security phones. bad builds the refusal of a malformed
// value (each action has its documented code); a country code that cannot
// be one is InvalidParameter.MobileCountryCode.
func checkPhone(param, phone string, bad func(string) error) error {
	if phone == "" {
		return missing(param)
	}
	cc, _, found := strings.Cut(phone, "-")
	if found && (cc == "" || len(cc) > 4 || !isDigits(cc) || cc[0] == '0') {
		return codeMobileCountry.New("The country code of the phone %q must be 1 to 4 digits, not starting with 0.", clip(phone))
	}
	if !accounts.ValidMobile(phone) {
		return bad(fmt.Sprintf("The %s %q must look like <country code>-<number>, e.g. 86-13800000000.", param, clip(phone)))
	}
	return nil
}
