package api_test

import (
	"errors"
	"testing"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/imsapi"
	"github.com/canopy-iam/canopy/internal/api/ramapi"
	"github.com/canopy-iam/canopy/internal/api/stsapi"
	"github.com/canopy-iam/canopy/internal/api/trailapi"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/sts"
)

// TestEveryIntegerParameterIsPlain probes every parameter of every action:
// one that takes "5" but refuses "x" with InvalidParameter.<Name> is an
// integer, and must refuse the spellings ParseInt would otherwise accept.
func TestEveryIntegerParameterIsPlain(t *testing.T) {
	r := api.NewRegistry()
	stsapi.Register(r, sts.New(iam.New(nil), nil, nil))
	trailapi.Register(r, nil)
	ramapi.Register(r, iam.New(nil))
	imsapi.Register(r, iam.New(nil))
	caller := &model.Principal{Kind: model.Root, AccountID: "1234567890123456"}
	bind := func(s api.Info, name, value string) error {
		params := r.SampleParams(s.Version, s.Name)
		params[name] = value
		_, err := r.ResourceFor(s.Version, s.Name, caller, params)
		return err
	}
	integers := 0
	for _, s := range r.Specs() {
		for _, name := range r.ParamNames(s.Version, s.Name) {
			var e *apperr.Error
			if bind(s, name, "5") != nil || !errors.As(bind(s, name, "x"), &e) || e.Code != "InvalidParameter."+name {
				continue
			}
			integers++
			for _, raw := range []string{"+5", " 5", "5 ", "05", "-0"} {
				err := bind(s, name, raw)
				if !errors.As(err, &e) || e.Kind != apperr.KindInvalid || e.Code != "InvalidParameter."+name {
					t.Errorf("%s %s %s=%q: got %v; want 400 InvalidParameter.%s", s.Product, s.Name, name, raw, err, name)
				}
			}
		}
	}
	// MaxItems, MaxSessionDuration, the password policy's numbers...
	if integers < 20 {
		t.Fatalf("found only %d integer parameters; the probe no longer recognises them", integers)
	}
}
