package console

import (
	"encoding/json"
	"net/http"
	"sort"
	"time"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/audit"
	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// Versions of the products the pages call.
const (
	ramVersion   = "2015-05-01"
	imsVersion   = "2019-08-15"
	trailVersion = "2020-07-06"
)

// userAgent is ActionTrail's userAgent of console calls.
const userAgent = "AliyunConsole"

// callError is a refused call with the request id of its audit event.
type callError struct {
	err       error
	requestID string
}

func (e *callError) Error() string { return e.err.Error() }
func (e *callError) Unwrap() error { return e.err }

// call runs an action through the same invoker as the RPC endpoint, as the
// session's principal, with no nonce (a session is not a signature), and
// returns the answer as the SDKs see it (its JSON decoded). Empty values
// are not sent (an SDK leaves unset fields out), except the keepEmpty ones:
// a field the user emptied to clear it (LoginNetworkMasks).
func (c *Console) call(r *http.Request, a *active, version, action string, params map[string]string, keepEmpty ...string) (map[string]any, error) {
	ps := make(signature.Params, 0, len(params))
	for k, v := range params {
		if v != "" || contains(keepEmpty, k) {
			ps = append(ps, signature.Param{Key: k, Value: v})
		}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Key < ps[j].Key })
	inv := &api.Invocation{RequestID: model.NewRequestID(), Received: c.now(), Caller: a.principal(),
		Version: version, Action: action, Params: ps, SourceIP: clientIP(r), Secure: r.TLS != nil,
		UserAgent: userAgent, EventType: audit.ConsoleOperation, Rendered: true}
	if _, err := c.invoke.Invoke(r.Context(), inv); err != nil {
		return nil, &callError{err: err, requestID: inv.RequestID}
	}
	out := map[string]any{} // with its RequestId, as an SDK decodes it
	if err := json.Unmarshal(inv.Answer(), &out); err != nil {
		return nil, &callError{err: err, requestID: inv.RequestID}
	}
	return out, nil
}

// stepEvent is the audit event of a logon step the console performs
// itself rather than through the invoker (the forced password change, the
// MFA device it creates and binds): recorded like its other operations,
// under the RAM action of the same effect, secrets redacted.
func (c *Console) stepEvent(r *http.Request, a *active, action string, params map[string]string, refusal error, now time.Time) store.Event {
	call := &audit.Call{RequestID: model.NewRequestID(), Time: now, Product: "Ram", Version: ramVersion, Action: action,
		Write: true, Host: "ram.aliyuncs.com", SourceIP: clientIP(r).String(), UserAgent: userAgent,
		Caller: a.principal(), Params: params, EventType: audit.ConsoleOperation}
	if refusal != nil {
		e := apperr.As(refusal)
		call.ErrorCode, call.ErrorMsg = e.Code, e.Message
	}
	return audit.Event(call)
}
