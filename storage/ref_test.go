package storage_test

import (
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
)

func TestRef(t *testing.T) {
	sig := "9xq3h1Kc6zZ8v0bN2m4LrT7yWfPa5sDgE1uHjIkOlQw"
	ref := storage.Ref(sig)
	if len(ref) != 8 || strings.Trim(ref, "0123456789abcdef") != "" {
		t.Fatalf("Ref = %q, want 8 hex digits", ref)
	}
	if storage.Ref(sig) != ref {
		t.Fatal("the same value gave two references")
	}
	if storage.Ref(sig+"x") == ref || strings.Contains(sig, ref) {
		t.Fatalf("Ref %q does not tell values apart or shows the value", ref)
	}
}
