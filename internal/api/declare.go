package api

import "github.com/canopy-iam/canopy/internal/model"

// Short forms for adapters. Most actions need only a spec, a resource and a
// handler that calls one service method and shapes what it returns; these
// helpers let such an action be declared in three lines. Actions that need
// more (SelfService, ResolveResource) use Register with a full Action.

// Products are the products an adapter declares actions for; its methods
// build the specs of those actions.
type Products []*Product

// Read is the spec of an action that changes nothing.
func (ps Products) Read(name string) Spec { return Spec{Products: ps, Name: name} }

// Write is the spec of an action that changes state; secrets are the
// parameters whose values never reach the audit trail.
func (ps Products) Write(name string, secrets ...string) Spec {
	return Spec{Products: ps, Name: name, Write: true, Secrets: secrets}
}

// Declare registers an action given by its spec, resource and handler
// alone; In and Out are inferred from the handler.
func Declare[In, Out any](r *Registry, spec Spec, resource func(*model.Principal, *In) string,
	handle func(*Call, *In) (*Out, error)) {
	Register(r, Action[In, Out]{Spec: spec, Resource: resource, Handle: handle})
}

// Reply adapts a service call that returns (value, error) to a handler's
// answer: the error as it is, or the value shaped into the output.
//
//	return api.Reply(toGroupResult)(svc.GetGroup(c.Tx, c.AccountID(), in.GroupName))
func Reply[T, Out any](shape func(T) Out) func(T, error) (*Out, error) {
	return func(v T, err error) (*Out, error) {
		if err != nil {
			return nil, err
		}
		out := shape(v)
		return &out, nil
	}
}

// NoOutput is the output of actions that answer with RequestId alone.
type NoOutput struct{}

// Done is the answer of a NoOutput action whose work returned err.
//
//	return api.Done(svc.DeleteGroup(c.Tx, c.AccountID(), in.GroupName))
func Done(err error) (*NoOutput, error) {
	if err != nil {
		return nil, err
	}
	return &NoOutput{}, nil
}
