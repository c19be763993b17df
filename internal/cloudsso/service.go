package cloudsso

import (
	"errors"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/store"
)

// ServiceStatus is GetServiceStatus's answer.
type ServiceStatus struct {
	AccountID string
	Status    string // Enabled | Disabled
	// PrerequisiteCheckResult is shown only while disabled: Success when
	// the account could enable CloudSSO (it manages a resource directory).
	PrerequisiteCheckResult string
	RegionsInUse            []string
}

// isManagementAccount reports whether accountID manages a resource
// directory. Accounts outside any directory and members manage none.
func (s *Service) isManagementAccount(tx store.Tx, accountID string) (bool, error) {
	v, err := s.rd.Get(tx, accountID)
	if apperr.Is(err, apperr.KindNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return v.MasterAccountID == accountID, nil
}

func (s *Service) state(tx store.Tx, accountID string) (*ServiceState, store.Record, error) {
	st, rec, err := services.Get(tx, accountID, serviceKey)
	if errors.Is(err, store.ErrNotFound) {
		return &ServiceState{}, rec, nil
	}
	return st, rec, err
}

// EnableService turns CloudSSO on for a resource directory's management
// account; enabling it twice is no error.
func (s *Service) EnableService(tx store.Tx, accountID string, now time.Time) error {
	ok, err := s.isManagementAccount(tx, accountID)
	if err != nil {
		return err
	}
	if !ok {
		return codeNotManagementAccount.New("Only the management account of a resource directory can enable CloudSSO; enable a resource directory first, or call from its management account.")
	}
	st, rec, err := s.state(tx, accountID)
	if err != nil || st.Enabled {
		return err
	}
	st = &ServiceState{Enabled: true, EnabledAt: now}
	if rec.Key == "" {
		return services.Insert(tx, accountID, serviceKey, "", st, now)
	}
	return services.Update(tx, rec, st, now)
}

// DisableService turns CloudSSO off; refused while a directory exists.
func (s *Service) DisableService(tx store.Tx, accountID string, now time.Time) error {
	st, rec, err := s.state(tx, accountID)
	if err != nil || !st.Enabled {
		return err
	}
	if d, err := s.ownDirectory(tx, accountID); err != nil {
		return err
	} else if d != nil {
		return codeServiceInUse.New("The directory %s still exists: delete it before disabling CloudSSO.", d.ID)
	}
	return services.Update(tx, rec, &ServiceState{}, now)
}

// GetServiceStatus reports whether CloudSSO is on for the account.
func (s *Service) GetServiceStatus(tx store.Tx, accountID string) (*ServiceStatus, error) {
	st, _, err := s.state(tx, accountID)
	if err != nil {
		return nil, err
	}
	out := &ServiceStatus{AccountID: accountID, Status: Disabled, RegionsInUse: []string{}}
	if !st.Enabled {
		ok, err := s.isManagementAccount(tx, accountID)
		if err != nil {
			return nil, err
		}
		out.PrerequisiteCheckResult = "Failed"
		if ok {
			out.PrerequisiteCheckResult = "Success"
		}
		return out, nil
	}
	out.Status = Enabled
	d, err := s.ownDirectory(tx, accountID)
	if err != nil {
		return nil, err
	}
	if d != nil {
		out.RegionsInUse = append(out.RegionsInUse, d.Region)
	}
	return out, nil
}

// requireService refuses directory work before EnableService, and by an
// account that no longer manages a resource directory.
func (s *Service) requireService(tx store.Tx, accountID string) error {
	st, _, err := s.state(tx, accountID)
	if err != nil {
		return err
	}
	if !st.Enabled {
		ok, err := s.isManagementAccount(tx, accountID)
		if err != nil {
			return err
		}
		if !ok {
			return codeNotManagementAccount.New("Only the management account of a resource directory can use CloudSSO.")
		}
		return codeServiceNotEnabled.New("CloudSSO is not enabled for this account: call EnableService first.")
	}
	return nil
}
