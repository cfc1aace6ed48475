package dpop

import (
	"errors"
	"net/http"
	"testing"
)

func TestProofFrom(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	if p, err := ProofFrom(h); p != "" || err != nil {
		t.Errorf("no header: %q, %v", p, err)
	}
	h.Set("dpop", "a.b.c")
	if p, err := ProofFrom(h); p != "a.b.c" || err != nil {
		t.Errorf("one header: %q, %v", p, err)
	}
	h.Add("DPoP", "d.e.f")
	if _, err := ProofFrom(h); !errors.Is(err, ErrInvalidProof) {
		t.Errorf("two headers: err = %v, want ErrInvalidProof", err)
	}
}
