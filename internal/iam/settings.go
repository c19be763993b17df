package iam

import (
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// Keys of the account-wide setting records.
const (
	settingPasswordPolicy     = "password-policy"
	settingSecurityPreference = "security-preference"
	settingAccountAlias       = "account-alias"
)

// loadSetting decodes an account setting into v (which holds the defaults
// beforehand); found is false when the account never changed it.
func loadSetting(tx store.Tx, accountID, key string, v any) (found bool, err error) {
	_, err = getDoc(tx, accountID, kindSetting, key, v)
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// saveSetting writes an account setting, creating its record on first use.
func saveSetting(tx store.Tx, accountID, key string, v any, now time.Time) error {
	rec, err := tx.Records().Get(accountID, kindSetting, key)
	if isNotFound(err) {
		return insertDoc(tx, accountID, kindSetting, key, "", v, now)
	}
	if err != nil {
		return err
	}
	return updateDoc(tx, rec, v, now)
}
