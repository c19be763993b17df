package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestKeepWrites(t *testing.T) {
	e := Code{Kind: KindConflict, Name: "Invalid.Thing"}.New("no")
	kept := KeepWrites(e)
	if got, ok := KeptWrites(fmt.Errorf("wrapped: %w", kept)); !ok || got != e {
		t.Fatalf("KeptWrites = %v, %v", got, ok)
	}
	if As(kept) != e || !errors.Is(kept, e) {
		t.Fatalf("a kept refusal is not its error: %v", As(kept))
	}
	if _, ok := KeptWrites(e); ok {
		t.Fatal("an ordinary refusal reads as kept")
	}
}
