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
	"github.com/canopy-iam/canopy/internal/audit"
	"github.com/canopy-iam/canopy/internal/authn"
	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// MaxBodyBytes caps a request body. The largest legitimate input is a
// policy document of 6144 characters; 1 MiB leaves room for anything an SDK
// sends and stops memory abuse.
const MaxBodyBytes = 1 << 20

// Authorizer decides whether a caller may perform an action on a resource.
// It returns nil or an *apperr.Error (NoPermission with AccessDeniedDetail).
type Authorizer interface {
	Authorize(ctx context.Context, q *AuthzQuery) error
}

// AuthzQuery is one authorization question.
type AuthzQuery struct {
	Caller   *model.Principal
	Action   string // e.g. "ram:CreateUser"
	Resource string
	Now      time.Time
	SourceIP netip.Addr
	Secure   bool
}

// Server is the RPC endpoint.
type Server struct {
	Registry   *Registry
	Auth       *authn.Authenticator
	Authorizer Authorizer
	Store      store.Store
	Appender   *audit.Appender
	Clock      func() time.Time // domain clock (may be virtual in tests)
	// AfterWrite runs after a write committed, before the response, so the
	// next request on this node sees its effect (cache invalidation).
	AfterWrite func(ctx context.Context)
	Log        *slog.Logger
}

// request carries one call through the pipeline.
type request struct {
	id       string
	received time.Time
	host     string
	format   string
	entry    *entry
	product  string
	version  string
	action   string
	params   signature.Params
	caller   *model.Principal
	nonce    *store.Nonce
	sourceIP netip.Addr
	secure   bool
	ua       string
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &request{id: model.NewRequestID(), received: s.Clock(), host: r.Host, ua: r.UserAgent(), secure: r.TLS != nil}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		req.sourceIP = ap.Addr().Unmap()
	} else if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		req.sourceIP, _ = netip.ParseAddr(h)
	}
	out, err := s.serve(r, req)
	asXML := strings.EqualFold(req.format, "XML")
	if err != nil {
		e := apperr.As(err)
		if e.Status >= 500 && s.Log != nil {
			s.Log.Error("request failed", "requestId", req.id, "action", req.action, "cause", errors.Unwrap(e))
		}
		write(w, e.Status, errorBody(req.id, s.hostID(req), e), asXML, "Error")
		return
	}
	write(w, http.StatusOK, out, asXML, req.action+"Response")
}

// serve runs the pipeline; it returns the success body or an error, and
// makes sure every outcome is audited.
func (s *Server) serve(r *http.Request, req *request) (body []byte, err error) {
	in, err := s.prepare(r, req)
	if err != nil {
		return nil, s.refuse(r.Context(), req, err)
	}
	call := req.call(r.Context(), nil)
	if req.entry.Write {
		return s.invokeWrite(r.Context(), req, call, in)
	}
	return s.invokeRead(r.Context(), req, call, in)
}

// call is the handler's view of the request.
func (req *request) call(ctx context.Context, tx store.Tx) *Call {
	return &Call{Ctx: ctx, Caller: req.caller, Tx: tx, RequestID: req.id, Now: req.received,
		SourceIP: req.sourceIP, Secure: req.secure}
}

// readParams reads the query string and a form body, strictly: a
// parameter sent twice, badly escaped or not UTF-8 is refused.
func readParams(r *http.Request) (query, all signature.Params, body []byte, err error) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return nil, nil, nil, apperr.New(http.StatusMethodNotAllowed, "UnsupportedHTTPMethod", "The HTTP method %s is not supported; use GET or POST.", r.Method)
	}
	body, err = io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, nil, nil, apperr.New(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body is larger than %d bytes.", MaxBodyBytes)
		}
		return nil, nil, nil, apperr.BadRequest("InvalidRequest", "The request body could not be read.")
	}
	if query, err = signature.ParseQuery(r.URL.RawQuery); err != nil {
		return nil, nil, nil, paramError(err)
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

// prepare parses, authenticates, binds and authorizes.
func (s *Server) prepare(r *http.Request, req *request) (any, error) {
	query, params, body, err := readParams(r)
	if err != nil {
		return nil, err
	}
	req.params = params
	req.format, _ = params.Get("Format")
	if err := s.resolve(r, req); err != nil {
		return nil, err
	}
	header := func(name string) string {
		if name == "host" {
			return r.Host
		}
		return r.Header.Get(name)
	}
	res, err := s.Auth.Authenticate(r.Context(), &authn.Request{Method: r.Method, Path: r.URL.EscapedPath(),
		Query: query, Params: params, Authorization: r.Header.Get("Authorization"), Header: header, Body: body})
	if res != nil {
		req.caller = &res.Principal
	}
	if err != nil {
		return nil, err
	}
	req.nonce = &res.Nonce
	if req.entry == nil {
		return nil, s.unknownAction(req)
	}
	in, err := req.entry.binder.bind(params)
	if err != nil {
		return nil, err
	}
	if req.entry.RAMAction != "" {
		self, err := s.selfService(r.Context(), req, in)
		if err != nil {
			return nil, err
		}
		if self {
			return in, nil // the security preference lets users do this to themselves
		}
		resource, err := s.resourceOf(r.Context(), req, in)
		if err != nil {
			return nil, err
		}
		q := &AuthzQuery{Caller: req.caller, Action: req.entry.RAMAction, Resource: resource,
			Now: req.received, SourceIP: req.sourceIP, Secure: req.secure}
		if err := s.Authorizer.Authorize(r.Context(), q); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// selfService reports whether a RAM user acts on itself in a way the
// account's security preference allows without a policy.
func (s *Server) selfService(ctx context.Context, req *request, in any) (bool, error) {
	if req.entry.self == nil || req.caller.Kind != model.RAMUser {
		return false, nil
	}
	var ok bool
	err := s.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		ok, err = req.entry.self(req.call(ctx, tx), in)
		return err
	})
	return ok, err
}

// resourceOf names what the call acts on, reading the store when the entry
// needs stored data to say it.
func (s *Server) resourceOf(ctx context.Context, req *request, in any) (string, error) {
	resource := req.entry.resourceOf(req.caller, in)
	if req.entry.resolve == nil {
		return resource, nil
	}
	var resolved string
	err := s.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		resolved, err = req.entry.resolve(req.call(ctx, tx), in)
		return err
	})
	switch {
	case err == nil && resolved != "":
		return resolved, nil
	case err == nil || errors.Is(err, store.ErrNotFound) || apperr.As(err).Status == http.StatusNotFound:
		// Nothing to resolve, or it does not exist: the static resource
		// decides and the handler reports what is missing.
		return resource, nil
	default:
		return "", err // never authorize against a broader resource by accident
	}
}

// resolve finds the action from the V3 headers or the Action/Version
// parameters. An unknown action is reported after authentication so that
// the refusal is attributed to its caller.
func (s *Server) resolve(r *http.Request, req *request) error {
	action, version := r.Header.Get("x-acs-action"), r.Header.Get("x-acs-version")
	if !strings.HasPrefix(r.Header.Get("Authorization"), "ACS3-") {
		// A V1 signature covers parameters only: the action must be one of
		// them, never an (unsigned) header the classic SDK also sends.
		action, version = "", ""
	}
	pa, _ := req.params.Get("Action")
	pv, _ := req.params.Get("Version")
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
	req.action, req.version = action, version
	e, _ := s.Registry.lookup(version, action)
	req.entry = e
	if e != nil {
		req.product = e.Product
	} else {
		req.product = s.Registry.versions[version]
	}
	return nil
}

func (s *Server) unknownAction(req *request) error {
	if _, known := s.Registry.versions[req.version]; !known {
		return apperr.NotFound("InvalidVersion", "Specified parameter Version %q is not valid.", req.version)
	}
	return apperr.NotFound("InvalidAction.NotFound", "Specified api %q is not found for version %s.", req.action, req.version)
}

func (s *Server) invokeRead(ctx context.Context, req *request, call *Call, in any) ([]byte, error) {
	var out any
	err := s.Store.Read(ctx, func(tx store.Tx) error {
		call.Tx = tx
		var err error
		out, err = req.entry.handle(call, in)
		return err
	})
	if err != nil {
		return nil, s.refuse(ctx, req, err)
	}
	body, err := successBody(req.id, out)
	if err != nil {
		return nil, s.refuse(ctx, req, apperr.Internal(err))
	}
	fresh, err := s.Appender.Submit(ctx, req.nonce, s.event(req, nil))
	if err != nil {
		return nil, apperr.Internal(err)
	}
	if !fresh {
		// A replay the store caught (after a restart, or on another node):
		// its success event was not stored; record the refusal instead.
		req.nonce = nil
		return nil, s.refuse(ctx, req, authn.NonceUsed())
	}
	return body, nil
}

func (s *Server) invokeWrite(ctx context.Context, req *request, call *Call, in any) ([]byte, error) {
	var body []byte
	err := s.Store.Write(ctx, func(tx store.Tx) error {
		call.Tx = tx
		fresh, err := tx.UseNonce(*req.nonce)
		if err != nil {
			return err
		}
		if !fresh {
			return errNonceReplayed
		}
		out, err := req.entry.handle(call, in)
		if err != nil {
			return err
		}
		if body, err = successBody(req.id, out); err != nil {
			return apperr.Internal(err)
		}
		return tx.Events().Append(s.event(req, nil))
	})
	if err == nil {
		if s.AfterWrite != nil {
			// The write is committed: apply it to this node's caches even
			// if the caller has gone away meanwhile.
			s.AfterWrite(context.WithoutCancel(ctx))
		}
		return body, nil
	}
	if errors.Is(err, errNonceReplayed) {
		req.nonce = nil // recorded already, by the request this one replays
		err = authn.NonceUsed()
	}
	return nil, s.refuse(ctx, req, err)
}

var errNonceReplayed = errors.New("nonce replayed")

// refuse audits a failed call (recording its nonce if it has one) and
// returns the error to send.
func (s *Server) refuse(ctx context.Context, req *request, err error) error {
	e := apperr.As(err)
	fresh, aerr := s.Appender.Submit(ctx, req.nonce, s.event(req, e))
	if aerr != nil {
		return apperr.Internal(aerr)
	}
	if !fresh {
		req.nonce = nil
		return s.refuse(ctx, req, authn.NonceUsed())
	}
	return e
}

// event builds the audit event of the call; e is nil on success.
func (s *Server) event(req *request, e *apperr.Error) store.Event {
	c := &audit.Call{RequestID: req.id, Time: req.received, Product: req.product, Version: req.version,
		Action: req.action, Host: s.hostID(req), SourceIP: req.sourceIP.String(), UserAgent: req.ua,
		Caller: req.caller, Params: s.auditParams(req)}
	if req.entry != nil {
		c.Write = req.entry.Write
	}
	c.AccessKeyID, _ = req.params.Get("AccessKeyId")
	if req.caller != nil {
		c.AccessKeyID = req.caller.AccessKeyID
	}
	if e != nil {
		c.ErrorCode, c.ErrorMsg = e.Code, e.Message
		if e.Denied != nil {
			c.Denied = e.Denied
		}
	}
	return audit.Event(c)
}

// alwaysSecret are redacted whatever the action declares.
var alwaysSecret = map[string]bool{"Password": true, "OldPassword": true, "NewPassword": true,
	"AccessKeySecret": true, "AuthenticationCode1": true, "AuthenticationCode2": true}

func (s *Server) auditParams(req *request) map[string]string {
	out := make(map[string]string, len(req.params))
	for _, p := range req.params {
		if IsCommonParam(p.Key) {
			continue
		}
		out[p.Key] = p.Value
		if isSecret(req.entry, p.Key) {
			out[p.Key] = audit.Redacted
		}
	}
	return out
}

// isSecret decides redaction by the name before any ".N" suffix, ignoring
// case: a misspelt "password" or "Password.1" is refused by the binder but
// still audited, and its value must not be.
func isSecret(e *entry, key string) bool {
	base, _, _ := strings.Cut(key, ".")
	for name := range alwaysSecret {
		if strings.EqualFold(base, name) {
			return true
		}
	}
	if e != nil {
		for _, name := range e.Secrets {
			if strings.EqualFold(base, name) {
				return true
			}
		}
	}
	return false
}

var productHosts = map[string]string{"Ram": "ram.aliyuncs.com", "Ims": "ims.aliyuncs.com", "Sts": "sts.aliyuncs.com",
	"ResourceManager": "resourcemanager.aliyuncs.com", "Actiontrail": "actiontrail.aliyuncs.com"}

func (s *Server) hostID(req *request) string {
	if h, ok := productHosts[req.product]; ok {
		return h
	}
	return req.host
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
