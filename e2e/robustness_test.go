package e2e

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// hostileValues are the bad inputs of security.md §(c) that survive
// signing: every action must answer them with a 2xx or a clear 4xx,
// never a 5xx.
var hostileValues = []string{
	"", " ", "-1", "0", "9223372036854775808", "1e3", "0x10", "NaN", "true", "yes",
	strings.Repeat("a", 200), strings.Repeat("Z", 7000), "../../etc/passwd", "'; DROP TABLE records; --",
	"<script>alert(1)</script>", "名前", "e\u0301", "\u202eevil", "a\u200bb", "tab\tnewline\n", "null",
	`{"Version":"1","Statement":[]}`, `{"Version":"1","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
	"acs:ram::1:user/x", "acs:ram::*:mfa/", "*", "?", "%zz",
}

// TestEveryActionSurvivesHostileInput calls every registered action as a
// root user with each declared parameter set to hostile values.
func TestEveryActionSurvivesHostileInput(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	client := srv.RAMClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	rng := rand.New(rand.NewPCG(1, 2))
	calls := 0
	for _, spec := range srv.App.Registry.Specs() {
		names := srv.App.Registry.ParamNames(spec.Version, spec.Name)
		for round := 0; round < 10; round++ {
			req := requests.NewCommonRequest()
			req.Domain, req.Scheme = srv.Endpoint, "http"
			req.Product, req.Version, req.ApiName = spec.Product, spec.Version, spec.Name
			for k, v := range srv.App.Registry.SampleParams(spec.Version, spec.Name) {
				req.QueryParams[k] = v
			}
			for _, name := range names {
				if rng.IntN(2) == 0 {
					req.QueryParams[name] = hostileValues[rng.IntN(len(hostileValues))]
				}
			}
			_, err := client.ProcessCommonRequest(req)
			calls++
			var se *sdkerrors.ServerError
			if errors.As(err, &se) && se.HttpStatus() >= 500 {
				t.Errorf("%s %s with %v: %d %s %s", spec.Product, spec.Name, req.QueryParams, se.HttpStatus(), se.ErrorCode(), se.Message())
			} else if err != nil && !errors.As(err, &se) {
				t.Errorf("%s %s: transport failure %v", spec.Product, spec.Name, err)
			}
		}
	}
	if calls < 500 {
		t.Fatalf("only %d calls made", calls)
	}
}
