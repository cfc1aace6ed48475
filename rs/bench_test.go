package rs_test

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/rs"
)

// BenchmarkVerifyCached is the cost of a request whose token's
// introspection answer is cached: the common case at IM request rates.
func BenchmarkVerifyCached(b *testing.B) {
	p, c := newFakeProvider(b), newClock()
	p.issue("ory_at_ann.sig", "user-ann", c.Now().Add(time.Hour), "im:messages.read")
	v := newVerifier(b, p, c, rs.Config{})
	if _, err := v.Verify(b.Context(), "ory_at_ann.sig"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Verify(b.Context(), "ory_at_ann.sig"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
