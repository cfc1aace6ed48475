package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage/postgres"
)

// seedVersion30 writes, in the SQL of the schema that brought dynamic
// client registration, a self-registered client and an initial access
// token used once, and returns a check that the store still reads them
// back.
func seedVersion30(t *testing.T, s *postgres.Store, url string) func(t *testing.T) {
	t.Helper()
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	execAt(t, url, "seed version 30", at,
		`INSERT INTO clients (id, name, type, redirect_uris, grant_types, scopes, created_at, updated_at,
		                      registered_at, registration_token_hash, registration_initial_token, client_uri, contacts)
		 VALUES ('bot30', 'Bot', 'public', '{https://bot.example/cb}', '{authorization_code}', '{openid}', $1, $1,
		         $1, '\x0102'::bytea, 'iat30', 'https://bot.example', '{ops@bot.example}')`,
		`INSERT INTO registration_tokens (id, prefix, hash, created_at, expires_at, max_uses, uses)
		 VALUES ('iat30', 'tkr_iat30', '\x0304'::bytea, $1, $1::timestamptz + interval '1 day', 3, 1)`)
	return func(t *testing.T) {
		t.Helper()
		ctx := context.WithoutCancel(t.Context())
		c, err := s.GetClient(ctx, "bot30")
		if err != nil || !c.SelfRegistered() || !c.Registration.At.Equal(at) || c.Registration.InitialTokenID != "iat30" ||
			c.Registration.ClientURI != "https://bot.example" || !slices.Equal(c.Registration.Contacts, []string{"ops@bot.example"}) ||
			!slices.Equal(c.Registration.AccessTokenHash, []byte{1, 2}) {
			t.Errorf("client bot30: %+v, %v", c, err)
		}
		tok, err := s.GetRegistrationToken(ctx, "iat30")
		if err != nil || tok.MaxUses != 3 || tok.Uses != 1 || tok.UsesLeft() != 2 || !tok.ExpiresAt.Equal(at.Add(24*time.Hour)) {
			t.Errorf("registration token iat30: %+v, %v", tok, err)
		}
	}
}
