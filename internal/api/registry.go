// Package api is Canopy's action layer: a declarative registry of actions,
// and the Invoker that runs any of them for a given caller (bind, resolve,
// authorize, handle, audit; one transaction for writes). The RPC front
// (rpc.go) is one client of the Invoker: it only reads HTTP, authenticates
// and encodes. Handlers never see an http.Request.
package api

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/canopy-iam/canopy/internal/model"
)

// Product is one API product and version: its SDK code (also the audit
// serviceName), the host that answers for it (HostId, eventSource), and the
// prefix of the permissions its actions need.
type Product struct {
	Code    string // e.g. "Ram"
	Version string // e.g. "2015-05-01"
	Host    string // e.g. "ram.aliyuncs.com"
	Prefix  string // e.g. "ram": CreateUser needs ram:CreateUser
}

// Spec declares what the invoker needs to know about an action besides its
// typed functions.
type Spec struct {
	// Products the action belongs to: usually one; RAM and IMS share the
	// actions they have in common (same name, input and output).
	Products []*Product
	Name     string // action name, e.g. "CreateUser"
	// Public marks actions that need no permission (GetCallerIdentity);
	// every other action needs <prefix>:<Name>.
	Public bool
	// Write marks actions that change state: they run in a write
	// transaction that also records their audit event.
	Write bool
	// Secrets are parameters whose values never reach the audit trail.
	Secrets []string
	// Stateless marks a public read that reads nothing stored (it answers
	// from the caller alone, as GetCallerIdentity does): the Invoker opens
	// no transaction for it, and its handler's Call.Tx is nil. Its event
	// and nonce are recorded as any read's.
	Stateless bool
	// SensitiveAction marks actions that create or remove credentials or
	// change who may do what (keys, passwords, MFA, policies and their
	// attachments, roles' trust, group membership, account security
	// settings, AssumeRole): their events say eventAttributes
	// {"SensitiveAction": "true"}, as ActionTrail's do.
	SensitiveAction bool
	// Cacheable marks a read whose answer depends only on the caller's
	// account, the call's own parameters and stored state: not on who in
	// the account calls (authorization still runs for every call), the
	// time, or the request. The Invoker may then answer it from a
	// rendered answer it kept while the store was unchanged (SQLite's
	// read cache: any write drops them).
	Cacheable bool
}

// Remembered is the spec marked Cacheable.
func (s Spec) Remembered() Spec {
	s.Cacheable = true
	return s
}

// Sensitive is the spec marked as a sensitive action.
func (s Spec) Sensitive() Spec {
	s.SensitiveAction = true
	return s
}

// Action is one registry entry with its typed input and output.
type Action[In, Out any] struct {
	Spec
	// Resource names what the action acts on, for authorization and audit,
	// e.g. acs:ram::<account>:user/<name>. Nil means "*".
	Resource func(caller *model.Principal, in *In) string
	// ResolveResource, when set, names the resource from stored data (an
	// IMS call that names a user only by UserId, say), in the call's own
	// transaction, and wins over Resource. When it fails (the user does not
	// exist), Resource is authorized instead and the handler reports the
	// error to callers who may see it.
	ResolveResource func(c *Call, in *In) (string, error)
	// SelfService, when set, says whether a RAM user acts on itself in a
	// way the account's security preference allows without a policy (its
	// own password, AccessKeys, MFA device). It replaces the need for an
	// Allow, never an explicit Deny.
	SelfService func(c *Call, in *In) (bool, error)
	// Handle runs the action. Out is encoded as the response body's fields.
	Handle func(c *Call, in *In) (*Out, error)
}

// entry is the type-erased form the invoker dispatches on: one per
// product an action belongs to.
type entry struct {
	Spec
	product    *Product
	permission string // "" for public actions
	binder     *binder
	resource   func(caller *model.Principal, in any) string
	resolve    func(c *Call, in any) (string, error)
	self       func(c *Call, in any) (bool, error)
	handle     func(c *Call, in any) (any, error)
	// encode encodes an output that is not an Object or a List (nil:
	// appendValue): reads of plain output types remember their encoding.
	encode func(dst []byte, out any) ([]byte, error)
}

// Info describes one registered action of one product (docs, the console,
// coverage tests).
type Info struct {
	Product   string
	Version   string
	Name      string
	RAMAction string // the permission it needs; "" for public actions
	Write     bool
	Sensitive bool
	Secrets   []string
}

// Registry holds every action, keyed by version and name.
type Registry struct {
	byKey    map[string]*entry
	versions map[string]*Product
	secrets  map[string]struct{} // alwaysSecret and every declared secret parameter, lower-cased
}

// alwaysSecret are parameters and answer fields redacted whatever the
// actions declare: credentials a client may send by mistake to any action
// (its own AccessKeySecret in the query), the secrets of actions that
// exist, so that dropping a declaration never puts a password in the
// trail, and what a write may answer with that must never be recorded in
// its responseElements (a new key's secret, an MFA seed and its QR code).
// SAMLAssertion and OIDCToken are the bearer credentials of STS actions
// Canopy does not serve yet: the SDKs send them all the same, and a refusal
// is recorded.
var alwaysSecret = []string{"AccessKeySecret", "Password", "OldPassword", "NewPassword",
	"AuthenticationCode1", "AuthenticationCode2", "Base32StringSeed", "QRCodePNG", "SecurityToken",
	"SAMLAssertion", "OIDCToken"}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	r := &Registry{byKey: map[string]*entry{}, versions: map[string]*Product{}, secrets: map[string]struct{}{}}
	for _, name := range alwaysSecret {
		r.secrets[strings.ToLower(name)] = struct{}{}
	}
	return r
}

func key(version, name string) string { return version + "/" + name }

// Register adds one action to each of its products. It panics on
// programming errors (a duplicate entry, an input type the binder cannot
// handle), which tests catch at once.
func Register[In, Out any](r *Registry, a Action[In, Out]) {
	if len(a.Products) == 0 || a.Name == "" || a.Handle == nil {
		panic(fmt.Sprintf("api: incomplete registry entry %+v", a.Spec))
	}
	if a.Stateless && (!a.Public || a.Write || a.Resource != nil || a.ResolveResource != nil || a.SelfService != nil) {
		panic("api: " + a.Name + ": a stateless action is a public read that names no resource")
	}
	if a.Cacheable && (a.Write || a.Stateless) {
		panic("api: " + a.Name + ": only a read of stored state can be cacheable")
	}
	b, err := newBinder(reflect.TypeFor[In]())
	if err != nil {
		panic("api: " + a.Name + ": " + err.Error())
	}
	proto := entry{Spec: a.Spec, binder: b}
	proto.handle = func(c *Call, in any) (any, error) {
		out, err := a.Handle(c, in.(*In))
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	if !a.Write && itemMemoFor[Out]() != nil {
		// A read's output made of plain values encodes the same for the
		// same value (what a write answers goes into its event too: not
		// worth remembering).
		proto.encode = func(dst []byte, out any) ([]byte, error) {
			if p := out.(*Out); p != nil {
				return appendPlain(dst, p)
			}
			return appendValue(dst, out)
		}
	}
	if a.Resource != nil {
		proto.resource = func(p *model.Principal, in any) string { return a.Resource(p, in.(*In)) }
	}
	if a.ResolveResource != nil {
		proto.resolve = func(c *Call, in any) (string, error) { return a.ResolveResource(c, in.(*In)) }
	}
	if a.SelfService != nil {
		proto.self = func(c *Call, in any) (bool, error) { return a.SelfService(c, in.(*In)) }
	}
	for _, name := range a.Secrets {
		r.secrets[strings.ToLower(name)] = struct{}{}
	}
	for _, p := range a.Products {
		k := key(p.Version, a.Name)
		if _, dup := r.byKey[k]; dup {
			panic("api: duplicate registry entry " + k)
		}
		if known, ok := r.versions[p.Version]; ok && known != p {
			panic("api: version " + p.Version + " registered for two products")
		}
		e := proto
		e.product = p
		if !a.Public {
			e.permission = p.Prefix + ":" + a.Name
		}
		r.byKey[k] = &e
		r.versions[p.Version] = p
	}
}

// lookup finds an entry.
func (r *Registry) lookup(version, name string) *entry { return r.byKey[key(version, name)] }

// Product returns the product that owns an API version (nil if none).
func (r *Registry) Product(version string) *Product { return r.versions[version] }

// Specs lists every registered action, sorted by product and name.
func (r *Registry) Specs() []Info {
	out := make([]Info, 0, len(r.byKey))
	for _, e := range r.byKey {
		out = append(out, Info{Product: e.product.Code, Version: e.product.Version, Name: e.Name,
			RAMAction: e.permission, Write: e.Write, Sensitive: e.SensitiveAction, Secrets: e.Secrets})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Product != out[j].Product {
			return out[i].Product < out[j].Product
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// ResourceFor returns the resource an action names for a caller and raw
// parameters (before any stored-data resolution); used by coverage tests.
func (r *Registry) ResourceFor(version, name string, caller *model.Principal, params map[string]string) (string, error) {
	e := r.lookup(version, name)
	if e == nil {
		return "", fmt.Errorf("no action %s", key(version, name))
	}
	in, err := e.binder.bindMap(params)
	if err != nil {
		return "", err
	}
	return e.resourceOf(caller, in), nil
}

func (e *entry) resourceOf(caller *model.Principal, in any) string {
	if e.resource == nil {
		return "*"
	}
	return e.resource(caller, in)
}

// SampleParams returns, for an action, a value of the right type for every
// required parameter: enough to get a request past binding (coverage tests
// use it to reach authorization for every action).
func (r *Registry) SampleParams(version, name string) map[string]string {
	e := r.lookup(version, name)
	if e == nil {
		return nil
	}
	out := map[string]string{}
	for _, f := range e.binder.ordered {
		if !f.required {
			continue
		}
		switch f.kind {
		case kindBool, kindBoolPtr:
			out[f.name] = "true"
		case kindInt, kindIntPtr:
			out[f.name] = "3600"
		case kindStringList:
			out[f.name+".1"] = "sample"
		case kindStructList:
			for _, sf := range f.sub.ordered {
				out[f.name+".1."+sf.name] = "sample"
			}
		default:
			out[f.name] = "sample"
		}
	}
	return out
}

// ParamNames lists the business parameters an action declares (list
// members as Name.1 or Name.1.Field), for tests that probe every input.
func (r *Registry) ParamNames(version, name string) []string {
	e := r.lookup(version, name)
	if e == nil {
		return nil
	}
	var out []string
	for _, f := range e.binder.ordered {
		switch f.kind {
		case kindStringList:
			out = append(out, f.name+".1")
		case kindStructList:
			for _, sf := range f.sub.ordered {
				out = append(out, f.name+".1."+sf.name)
			}
		default:
			out = append(out, f.name)
		}
	}
	return out
}
