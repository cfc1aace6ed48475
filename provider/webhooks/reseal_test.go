package webhooks_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/webhooks"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

func sealer(t *testing.T, key byte, previous ...byte) secret.Sealer {
	t.Helper()
	var prev [][]byte
	for _, p := range previous {
		prev = append(prev, bytes.Repeat([]byte{p}, 32))
	}
	s, err := secret.NewSealer(bytes.Repeat([]byte{key}, 32), prev...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// After a rotation of the system secret, Reseal seals every subscription
// secret (a rotated one still signing included) under the new one, so the
// previous system secret can go; a secret no key opens is named.
func TestReseal(t *testing.T) {
	t.Parallel()
	st := memory.New()
	now := func() time.Time { return time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC) }
	old := webhooks.NewService(webhooks.ServiceConfig{Store: st, Secrets: sealer(t, 1), Now: now})
	sub, _, err := old.Create(t.Context(), audit.Actor{}, webhooks.Input{URL: "https://hooks.example/a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := old.RotateSecret(t.Context(), audit.Actor{}, sub.ID); err != nil {
		t.Fatal(err)
	}
	stray := webhooks.NewService(webhooks.ServiceConfig{Store: st, Secrets: sealer(t, 9), Now: now})
	lost, _, err := stray.Create(t.Context(), audit.Actor{}, webhooks.Input{URL: "https://hooks.example/b"})
	if err != nil {
		t.Fatal(err)
	}

	rotating := sealer(t, 2, 1)
	n, err := webhooks.Reseal(t.Context(), st, rotating, false)
	if err != nil || n.Stored != 3 || n.Moved != 2 || !slices.Equal(n.Unopened, []string{lost.ID}) {
		t.Fatalf("count: %+v, %v; want 3 stored, 2 to move, %s unopened", n, err, lost.ID)
	}
	if n, err = webhooks.Reseal(t.Context(), st, rotating, true); err != nil || n.Moved != 2 {
		t.Fatalf("reseal: %+v, %v", n, err)
	}
	if n, err = webhooks.Reseal(t.Context(), st, rotating, true); err != nil || n.Moved != 0 {
		t.Fatalf("again: %+v, %v; want nothing moved", n, err)
	}
	// Only the new system secret now: both secrets still sign.
	got, err := st.GetWebhook(t.Context(), sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sealer(t, 2).Open(got.SealedSecret, "webhook:"+sub.ID); err != nil {
		t.Errorf("current secret under the new system secret: %v", err)
	}
	if _, err := sealer(t, 2).Open(got.PreviousSealedSecret, "webhook:"+sub.ID); err != nil {
		t.Errorf("previous secret under the new system secret: %v", err)
	}
}
