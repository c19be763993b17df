package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodesAndFamilies(t *testing.T) {
	notExist := Family{Kind: KindNotFound, Prefix: "EntityNotExist."}
	user := notExist.Of("User")
	e := user.New("The user %q does not exist.", "tom")
	if e.Kind != KindNotFound || e.Code != "EntityNotExist.User" || e.Message != `The user "tom" does not exist.` {
		t.Fatalf("built %+v", e)
	}
	wrapped := fmt.Errorf("context: %w", e)
	if !user.Is(wrapped) || !notExist.Has(wrapped) || !Is(wrapped, KindNotFound) {
		t.Error("a wrapped code is not recognised")
	}
	other := Code{Kind: KindNotFound, Name: "EntityNotExist.Group"}
	if other.Is(wrapped) || (Family{Kind: KindNotFound, Prefix: "EntityNotExist.User."}).Has(wrapped) {
		t.Error("a different code or family matched")
	}
	if (Family{Prefix: "EntityNotExist.User"}).Has(Code{Name: "EntityNotExist.User"}.New("x")) {
		t.Error("a family matched a code equal to its bare prefix")
	}
}

func TestAsHidesUnknownCauses(t *testing.T) {
	cause := errors.New("disk on fire at /var/lib/secret")
	e := As(cause)
	if e.Kind != KindInternal || e.Code != "InternalError" || errors.Unwrap(e) != cause {
		t.Fatalf("As(unknown) = %+v", e)
	}
	if e.Message == "" || e.Message == cause.Error() {
		t.Errorf("an internal error shows its cause: %q", e.Message)
	}
	if p := MissingParameter("UserName"); p.Code != "MissingParameter.UserName" || p.Kind != KindInvalid {
		t.Errorf("MissingParameter = %+v", p)
	}
}
