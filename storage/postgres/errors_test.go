package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// TestInvalidInput checks that a value Postgres cannot hold — bytes that
// are not UTF-8, a NUL — is storage.ErrInvalidInput, the client's mistake,
// whether it is looked up or written.
func TestInvalidInput(t *testing.T) {
	t.Parallel()
	s := pgtest.Open(t)
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"a flow ID that is not UTF-8", func() error { _, err := s.GetFlow(ctx, "\xff\xfe"); return err }()},
		{"a user ID with a NUL", func() error { _, err := s.GetUser(ctx, "a\x00b"); return err }()},
		{"a token signature cut mid-rune", func() error { _, err := s.GetToken(ctx, storage.KindAccessToken, "sig\xe4\xb8"); return err }()},
		{"a client name with a NUL", s.CreateClient(ctx, storage.Client{
			ID: "nul-app", Name: "a\x00b", Type: storage.ClientPublic, CreatedAt: time.Now(),
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !errors.Is(tc.err, storage.ErrInvalidInput) {
				t.Fatalf("err = %v, want storage.ErrInvalidInput", tc.err)
			}
		})
	}
}
