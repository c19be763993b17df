package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/authn"
	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/model"
)

// MaxBodyBytes caps a request body. The largest legitimate input is a
// policy document of 6144 characters; 1 MiB leaves room for anything an SDK
// sends and stops memory abuse.
const MaxBodyBytes = 1 << 20

// RPC is the signed-request endpoint: it reads the HTTP request strictly,
// authenticates it, hands it to the Invoker and encodes the answer as the
// cloud does (JSON, or XML with Format=XML).
type RPC struct {
	Invoker *Invoker
	Auth    *authn.Authenticator
	Clock   func() time.Time // domain clock (may be virtual in tests)
	// Log gets one line per request (never a secret) and the causes of
	// internal errors. Refused requests whose caller was not proven are
	// logged at most unattributedLines per minute, each line counting the
	// ones skipped, so a flood cannot fill the disk through the log either.
	Log *slog.Logger
	// Limiter refuses source addresses that fail authentication too often
	// (nil: no limit).
	Limiter *FailureLimiter

	unattributedLog lineBudget
	storageDown     outage
}

// HTTPStatus maps an error kind to the status the cloud answers it with.
var HTTPStatus = map[apperr.Kind]int{
	apperr.KindInternal:         http.StatusInternalServerError,
	apperr.KindInvalid:          http.StatusBadRequest,
	apperr.KindDenied:           http.StatusForbidden,
	apperr.KindNotFound:         http.StatusNotFound,
	apperr.KindMethodNotAllowed: http.StatusMethodNotAllowed,
	apperr.KindConflict:         http.StatusConflict,
	apperr.KindTooLarge:         http.StatusRequestEntityTooLarge,
	apperr.KindThrottled:        http.StatusBadRequest,
	apperr.KindUnavailable:      http.StatusServiceUnavailable,
}

func statusOf(e *apperr.Error) int {
	if s, ok := HTTPStatus[e.Kind]; ok {
		return s
	}
	return http.StatusInternalServerError
}

func (s *RPC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	inv := &Invocation{RequestID: model.NewRequestID(), Received: s.Clock(), UserAgent: r.UserAgent(),
		Secure: r.TLS != nil, SourceIP: remoteAddr(r)}
	answer := answerBuffers.Get().(*[]byte)
	body, format, err := s.serve(r, inv, (*answer)[:0])
	status := http.StatusOK
	asXML := strings.EqualFold(format, "XML")
	var code string
	if err != nil {
		e := apperr.As(err)
		status, code = statusOf(e), e.Code
		switch {
		case codeUnavailable.Is(e):
			s.storageDown.begin(s.logger(), inv, errors.Unwrap(e))
		case status >= 500:
			s.logger().Error("request failed", "requestId", inv.RequestID, "action", inv.Action, "cause", errors.Unwrap(e))
		}
		write(w, status, errorBody(inv.RequestID, s.Invoker.Host(inv.Version), e), asXML, "Error")
	} else {
		// Every answered call appended its audit event: the store writes.
		s.storageDown.end(s.logger())
		root := ""
		if asXML {
			root = inv.Action + "Response"
		}
		write(w, status, body, asXML, root)
	}
	// Written: the buffer can hold the next answer.
	if body != nil {
		*answer = body[:0]
	}
	if cap(*answer) <= maxPooledAnswer {
		answerBuffers.Put(answer)
	}
	if err != nil && inv.Caller == nil {
		// Not proven (unsigned, unknown or tried key): anyone can send
		// these in bulk, so they share one log budget.
		skipped, ok := s.unattributedLog.take(time.Now())
		if !ok {
			return
		}
		s.logRequest(r.Context(), inv, status, code, time.Since(start),
			slog.Uint64("unattributedTotal", s.Invoker.unattributedTotal()), slog.Int("unattributedNotLogged", skipped))
		return
	}
	s.logRequest(r.Context(), inv, status, code, time.Since(start))
}

// logger is Log, or the default logger when none was set.
func (s *RPC) logger() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// logRequest writes the request's one log line.
func (s *RPC) logRequest(ctx context.Context, inv *Invocation, status int, code string, took time.Duration, extra ...slog.Attr) {
	log := s.logger()
	if !log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	caller, key := "", inv.AccessKeyID
	if inv.Caller != nil {
		caller, key = inv.Caller.ARN(), inv.Caller.AccessKeyID
	} else if inv.KeyOwner != nil {
		key = inv.KeyOwner.AccessKeyID // never the caller: it proved nothing
	}
	if len(key) > maxLoggedKeyID {
		key = key[:maxLoggedKeyID]
	}
	attrs := append([]slog.Attr{slog.String("requestId", inv.RequestID),
		slog.String("action", inv.Action), slog.String("version", inv.Version), slog.String("caller", caller),
		slog.String("accessKeyId", key), slog.String("sourceIp", inv.SourceIP.String()),
		slog.Int("status", status), slog.String("code", code), slog.Duration("latency", took)}, extra...)
	log.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
}

// maxLoggedKeyID bounds the AccessKey id a log line repeats from the
// request (real ones have 24 or 28 characters).
const maxLoggedKeyID = 64

// serve reads, authenticates and invokes; every outcome is audited. It
// returns the success body and the requested format.
// The answer is appended to answer.
func (s *RPC) serve(r *http.Request, inv *Invocation, answer []byte) (body []byte, format string, err error) {
	if !s.Limiter.Allowed(inv.SourceIP) {
		// Refused before anything is read: the address has failed
		// authentication too often and must wait for its budget.
		return nil, "", s.Invoker.Refuse(r.Context(), inv, codeThrottled.New(
			"Request was denied due to request throttling: too many failed authentications from this address; retry later."))
	}
	inv.Host = r.Host
	query, params, raw, err := readParams(r, inv)
	if err != nil {
		s.Limiter.Failed(inv.SourceIP)
		return nil, "", s.Invoker.Refuse(r.Context(), inv, err)
	}
	inv.Params = params
	format, _ = params.Get("Format")
	inv.AccessKeyID, _ = params.Get("AccessKeyId")
	if err := route(r, inv); err != nil {
		s.Limiter.Failed(inv.SourceIP)
		return nil, format, s.Invoker.Refuse(r.Context(), inv, err)
	}
	header := func(name string) string {
		if name == "host" {
			return r.Host
		}
		return r.Header.Get(name)
	}
	res, err := s.Auth.Authenticate(r.Context(), &authn.Request{Method: r.Method, Path: r.URL.EscapedPath(),
		Query: query, Params: params, Authorization: r.Header.Get("Authorization"), Header: header, Body: raw})
	if res != nil {
		if res.Claimed != nil {
			inv.KeyOwner = res.Claimed
		} else {
			inv.Caller = &res.Principal
		}
	}
	if err != nil {
		s.Limiter.Failed(inv.SourceIP)
		if inv.Caller != nil {
			inv.Nonce = &res.Nonce // proven and fresh: the refusal uses it up
		}
		return nil, format, s.Invoker.Refuse(r.Context(), inv, err)
	}
	inv.Nonce = &res.Nonce
	inv.Rendered, inv.AnswerBuf = true, answer
	_, err = s.Invoker.Invoke(r.Context(), inv)
	return inv.answer, format, err
}

func remoteAddr(r *http.Request) netip.Addr {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		a, _ := netip.ParseAddr(h)
		return a
	}
	return netip.Addr{}
}

// readParams reads the query string and a form body, strictly: a
// parameter sent twice, badly escaped or not UTF-8 is refused. The query is
// read first, so that even a refused body's error can name the version's
// product (inv.Version).
func readParams(r *http.Request, inv *Invocation) (query, all signature.Params, body []byte, err error) {
	if query, err = signature.ParseQuery(r.URL.RawQuery); err != nil {
		return nil, nil, nil, paramError(err)
	}
	if v, _ := query.Get("Version"); isVersion(v) {
		inv.Version = v
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return nil, nil, nil, codeMethod.New("The HTTP method %s is not supported; use GET or POST.", r.Method)
	}
	if r.Body != http.NoBody { // the server's body of a request that sent none
		body, err = io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, nil, nil, codeTooLarge.New("The request body is larger than %d bytes.", MaxBodyBytes)
		}
		return nil, nil, nil, codeUnreadable.New("The request body could not be read.")
	}
	all = query
	if len(body) > 0 && isForm(r.Header.Get("Content-Type")) {
		form, err := signature.ParseForm(body)
		if err != nil {
			return nil, nil, nil, paramError(err)
		}
		if all, err = signature.Merge(query, form); err != nil {
			return nil, nil, nil, paramError(err)
		}
	}
	return query, all, body, nil
}

// route names the action: a V3 request by its x-acs-action/x-acs-version
// headers (which authentication then proves signed), any other by its
// Action/Version parameters (which a V1 signature covers). The same test
// as authentication's decides which, so an unsigned header can never pick
// the action of a V1 request. An unknown action is reported by the Invoker,
// after authentication, so that the refusal is attributed to its caller.
func route(r *http.Request, inv *Invocation) error {
	var action, version string
	if authn.IsV3(r.Header.Get("Authorization")) {
		action, version = r.Header.Get("x-acs-action"), r.Header.Get("x-acs-version")
	}
	pa, _ := inv.Params.Get("Action")
	pv, _ := inv.Params.Get("Version")
	if action == "" {
		action = pa
	} else if pa != "" && pa != action {
		return apperr.InvalidParameter("The Action parameter %q disagrees with the x-acs-action header %q.", pa, action)
	}
	if version == "" {
		version = pv
	} else if pv != "" && pv != version {
		return apperr.InvalidParameter("The Version parameter %q disagrees with the x-acs-version header %q.", pv, version)
	}
	if isVersion(version) {
		inv.Version = version // errors below already answer as its product
	}
	if action == "" {
		return apperr.MissingParameter("Action")
	}
	if version == "" {
		return apperr.MissingParameter("Version")
	}
	// Headers may carry any byte; what is audited must be a plain name.
	if !isName(action, 128) {
		return apperr.InvalidParameter("The action name must be 1 to 128 letters and digits.")
	}
	if !isVersion(version) {
		return apperr.InvalidParameter("The version must look like 2015-05-01.")
	}
	inv.Action, inv.Version = action, version
	return nil
}

// isName reports whether s is 1..max ASCII letters and digits.
func isName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// isVersion reports whether s looks like an API version (yyyy-mm-dd).
func isVersion(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	return isName(s[:4], 4) && isName(s[5:7], 2) && isName(s[8:], 2)
}

func isForm(contentType string) bool {
	ct, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded")
}

// paramError maps a parameter-parsing failure to a 400.
func paramError(err error) error {
	return apperr.InvalidParameter("The request parameters are malformed: %v", err)
}
