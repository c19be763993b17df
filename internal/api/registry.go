// Package api is Canopy's RPC endpoint: a declarative registry of actions
// and the one pipeline every request goes through (resolve, authenticate,
// bind, authorize, invoke in one store transaction with its audit event,
// encode). Handlers never see an http.Request.
package api

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/canopy-iam/canopy/internal/model"
)

// Spec declares everything the pipeline needs to know about an action.
type Spec struct {
	Product string // SDK product code, e.g. "Ram"; also the audit serviceName
	Version string // API version, e.g. "2015-05-01"
	Name    string // action name, e.g. "CreateUser"
	// RAMAction is the permission the action needs, e.g. "ram:CreateUser".
	// Empty means the action needs no permission (GetCallerIdentity).
	RAMAction string
	// Write marks actions that change state: they run in a write
	// transaction that also records their audit event.
	Write bool
	// Secrets are parameters whose values never reach the audit trail.
	Secrets []string
}

// Action is one registry entry with its typed input and output.
type Action[In, Out any] struct {
	Spec
	// Resource names what the action acts on, for authorization and audit,
	// e.g. acs:ram::<account>:user/<name>. Nil means "*" in the caller's
	// account scope.
	Resource func(caller *model.Principal, in *In) string
	// ResolveResource, when set, names the resource from stored data (an
	// IMS call that names a user only by UserId, say): it runs in a read
	// transaction before authorization and wins over Resource. When it
	// fails (the user does not exist), Resource is authorized instead and
	// the handler reports the error to callers who may see it.
	ResolveResource func(c *Call, in *In) (string, error)
	// SelfService, when set, lets a RAM user act on itself without a
	// policy when the account's security preference allows it (its own
	// password, AccessKeys, MFA device). It runs in a read transaction
	// before authorization; true skips the policy check.
	SelfService func(c *Call, in *In) (bool, error)
	// Handle runs the action. Out is encoded as the response body's fields.
	Handle func(c *Call, in *In) (*Out, error)
}

// entry is the type-erased form the pipeline dispatches on.
type entry struct {
	Spec
	binder   *binder
	resource func(caller *model.Principal, in any) string
	resolve  func(c *Call, in any) (string, error)
	self     func(c *Call, in any) (bool, error)
	handle   func(c *Call, in any) (any, error)
}

// Registry holds every action, keyed by version and name.
type Registry struct {
	byKey    map[string]*entry
	versions map[string]string // version -> product
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byKey: map[string]*entry{}, versions: map[string]string{}}
}

func key(version, name string) string { return version + "/" + name }

// Register adds one action. It panics on programming errors (a duplicate
// entry, an input type the binder cannot handle), which tests catch at once.
func Register[In, Out any](r *Registry, a Action[In, Out]) {
	if a.Product == "" || a.Version == "" || a.Name == "" || a.Handle == nil {
		panic(fmt.Sprintf("api: incomplete registry entry %+v", a.Spec))
	}
	k := key(a.Version, a.Name)
	if _, dup := r.byKey[k]; dup {
		panic("api: duplicate registry entry " + k)
	}
	if p, ok := r.versions[a.Version]; ok && p != a.Product {
		panic("api: version " + a.Version + " registered for two products")
	}
	b, err := newBinder(reflect.TypeFor[In]())
	if err != nil {
		panic("api: " + k + ": " + err.Error())
	}
	e := &entry{Spec: a.Spec, binder: b}
	e.handle = func(c *Call, in any) (any, error) {
		out, err := a.Handle(c, in.(*In))
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	if a.Resource != nil {
		e.resource = func(p *model.Principal, in any) string { return a.Resource(p, in.(*In)) }
	}
	if a.ResolveResource != nil {
		e.resolve = func(c *Call, in any) (string, error) { return a.ResolveResource(c, in.(*In)) }
	}
	if a.SelfService != nil {
		e.self = func(c *Call, in any) (bool, error) { return a.SelfService(c, in.(*In)) }
	}
	r.byKey[k] = e
	r.versions[a.Version] = a.Product
}

// lookup finds an entry; knownVersion tells whether the version exists.
func (r *Registry) lookup(version, name string) (e *entry, knownVersion bool) {
	_, knownVersion = r.versions[version]
	return r.byKey[key(version, name)], knownVersion
}

// Specs lists every registered action, sorted by product and name (for
// docs, the console and coverage tests).
func (r *Registry) Specs() []Spec {
	out := make([]Spec, 0, len(r.byKey))
	for _, e := range r.byKey {
		out = append(out, e.Spec)
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
// parameters; used by coverage tests to check every entry.
func (r *Registry) ResourceFor(version, name string, caller *model.Principal, params map[string]string) (string, error) {
	e, _ := r.lookup(version, name)
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
	e, _ := r.lookup(version, name)
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
	e, _ := r.lookup(version, name)
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
