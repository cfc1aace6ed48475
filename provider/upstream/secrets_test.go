package upstream_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

const (
	systemA = "system secret A: at least 32 characters long"
	systemB = "system secret B: at least 32 characters long"
	systemC = "system secret C: at least 32 characters long"
	// clientSecret is what an upstream issued.
	clientSecret = "gho_upstream-client-secret-0123456789"
)

// sealer returns the upstream secrets' sealer of the system secret, which
// also opens what the previous ones sealed.
func sealer(t *testing.T, system string, previous ...string) secret.Sealer {
	t.Helper()
	ring, err := secret.NewKeyring(system)
	if err != nil {
		t.Fatal(err)
	}
	if ring, err = ring.WithPrevious(previous...); err != nil {
		t.Fatal(err)
	}
	s, err := ring.Sealer(secret.PurposeUpstreams)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealedSecret(t *testing.T) {
	t.Parallel()
	a := sealer(t, systemA)
	sealed := upstream.SealSecret(a, "github", clientSecret)

	t.Run("the sealed bytes do not hold the secret", func(t *testing.T) {
		if bytes.Contains(sealed, []byte(clientSecret)) || bytes.Contains(sealed, []byte("client-secret")) {
			t.Fatal("the sealed bytes hold the secret in clear")
		}
		if bytes.Equal(sealed, upstream.SealSecret(a, "github", clientSecret)) {
			t.Fatal("sealing twice gave the same bytes")
		}
	})
	t.Run("it opens for its connector", func(t *testing.T) {
		got, err := upstream.OpenSecret(a, "github", sealed)
		if err != nil || got != clientSecret {
			t.Fatalf("open = %q, %v; want the secret", got, err)
		}
	})
	t.Run("it opens after a rotation of the system secret, while the old one is kept", func(t *testing.T) {
		got, err := upstream.OpenSecret(sealer(t, systemB, systemA), "github", sealed)
		if err != nil || got != clientSecret {
			t.Fatalf("open after rotation = %q, %v; want the secret", got, err)
		}
	})
	refused := map[string]struct {
		s           secret.Sealer
		connectorID string
		sealed      []byte
	}{
		"another connector's":            {a, "gitlab", sealed},
		"under a system secret not kept": {sealer(t, systemB), "github", sealed},
		"with a byte changed":            {a, "github", flip(sealed, len(sealed)/2)},
		"with its tag changed":           {a, "github", flip(sealed, len(sealed)-1)},
		"cut short":                      {a, "github", sealed[:len(sealed)-1]},
		"empty":                          {a, "github", nil},
		"sealed for another purpose":     {a, "github", otherPurpose(t)},
	}
	for name, tc := range refused {
		t.Run("refused: "+name, func(t *testing.T) {
			got, err := upstream.OpenSecret(tc.s, tc.connectorID, tc.sealed)
			if !errors.Is(err, secret.ErrUnsealable) || got != "" {
				t.Fatalf("open = %q, %v; want secret.ErrUnsealable", got, err)
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	out := slices.Clone(b)
	out[i] ^= 0x01
	return out
}

// otherPurpose returns the secret sealed with the label an upstream
// secret has, under the signing keys' key of the same system secret.
func otherPurpose(t *testing.T) []byte {
	ring, err := secret.NewKeyring(systemA)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ring.Sealer(secret.PurposeSigningKeys)
	if err != nil {
		t.Fatal(err)
	}
	return s.Seal([]byte(clientSecret), "upstream:github")
}

func TestReseal(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := memory.New()
	old := sealer(t, systemA)
	for _, c := range []storage.Connector{
		{ID: "github", Kind: storage.ConnectorGitHub, SealedSecret: upstream.SealSecret(old, "github", clientSecret)},
		{ID: "ldap", Kind: storage.ConnectorLDAP, SealedSecret: upstream.SealSecret(sealer(t, systemB), "ldap", "bind password")},
		{ID: "lost", Kind: storage.ConnectorOIDC, SealedSecret: upstream.SealSecret(sealer(t, systemC), "lost", "gone")},
		{ID: "saml", Kind: storage.ConnectorSAML},
	} {
		if err := store.CreateConnector(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	rotated := sealer(t, systemB, systemA)

	dry, err := upstream.Reseal(ctx, store, rotated, false)
	if err != nil {
		t.Fatal(err)
	}
	want := upstream.ResealCount{Stored: 3, Moved: 1, Unopened: []string{"lost"}}
	if dry.Stored != want.Stored || dry.Moved != want.Moved || !slices.Equal(dry.Unopened, want.Unopened) {
		t.Fatalf("dry run = %+v, want %+v", dry, want)
	}
	before, _ := store.GetConnector(ctx, "github")
	if _, err := upstream.OpenSecret(sealer(t, systemA), "github", before.SealedSecret); err != nil {
		t.Fatalf("a dry run changed the stored secret: %v", err)
	}

	got, err := upstream.Reseal(ctx, store, rotated, true)
	if err != nil {
		t.Fatal(err)
	}
	if got.Stored != want.Stored || got.Moved != want.Moved || !slices.Equal(got.Unopened, want.Unopened) {
		t.Fatalf("reseal = %+v, want %+v", got, want)
	}
	after, _ := store.GetConnector(ctx, "github")
	if plain, err := upstream.OpenSecret(sealer(t, systemB), "github", after.SealedSecret); err != nil || plain != clientSecret {
		t.Fatalf("after reseal, open under the new secret alone = %q, %v", plain, err)
	}
	again, err := upstream.Reseal(ctx, store, rotated, true)
	if err != nil || again.Moved != 0 {
		t.Fatalf("reseal again = %+v, %v; want nothing moved", again, err)
	}
}
