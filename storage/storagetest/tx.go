package storagetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func txTests() []test {
	return []test{
		{"committed writes are kept", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			err := storage.InTx(t.Context(), s, func(ctx2 context.Context) error {
				if err := s.CreateToken(ctx2, sampleToken(storage.KindAccessToken, "at", "req", "app")); err != nil {
					return err
				}
				return s.CreateToken(ctx2, sampleToken(storage.KindRefreshToken, "rt", "req", "app"))
			})
			must(t, err, "transaction")
			_, err = s.GetToken(t.Context(), storage.KindAccessToken, "at")
			must(t, err, "get access token")
			_, err = s.GetToken(t.Context(), storage.KindRefreshToken, "rt")
			must(t, err, "get refresh token")
		}},
		{"rolled-back writes are undone, updates included", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			seedToken(t, s, sampleToken(storage.KindAccessToken, "at-old", "fam", "app"))
			seedToken(t, s, sampleToken(storage.KindRefreshToken, "rt-old", "fam", "app"))
			boom := errors.New("boom")
			err := storage.InTx(t.Context(), s, func(ctx2 context.Context) error {
				if _, err := s.RotateRefreshToken(ctx2, "fam", "rt-old", time.Now(), 0); err != nil {
					return err
				}
				if err := s.CreateToken(ctx2, sampleToken(storage.KindAccessToken, "at-new", "fam", "app")); err != nil {
					return err
				}
				if _, err := s.UpdateClient(ctx2, "app", func(c storage.Client) (storage.Client, error) {
					c.Name = "changed in a rolled-back transaction"
					return c, nil
				}); err != nil {
					return err
				}
				return boom
			})
			mustBe(t, err, boom, "transaction")
			_, err = s.GetToken(t.Context(), storage.KindAccessToken, "at-new")
			mustBe(t, err, storage.ErrNotFound, "token created in the rolled-back transaction")
			for _, k := range []struct {
				kind storage.TokenKind
				sig  string
			}{{storage.KindRefreshToken, "rt-old"}, {storage.KindAccessToken, "at-old"}} {
				got, err := s.GetToken(t.Context(), k.kind, k.sig)
				must(t, err, "get "+k.sig)
				if !got.Active {
					t.Errorf("%s stayed deactivated after rollback", k.sig)
				}
			}
			c, _ := s.GetClient(t.Context(), "app")
			if c.Name != sampleClient("app").Name {
				t.Errorf("client name %q survived the rollback", c.Name)
			}
		}},
		{"reads inside a transaction see its writes", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			err := storage.InTx(t.Context(), s, func(ctx2 context.Context) error {
				if err := s.CreateToken(ctx2, sampleToken(storage.KindAccessToken, "at", "req", "app")); err != nil {
					return err
				}
				_, err := s.GetToken(ctx2, storage.KindAccessToken, "at")
				return err
			})
			must(t, err, "transaction")
		}},
		{"nested BeginTx and Commit without a transaction are refused", func(t *testing.T, s storage.Store) {
			ctx, err := s.BeginTx(t.Context())
			must(t, err, "begin")
			_, err = s.BeginTx(ctx)
			mustBe(t, err, storage.ErrNestedTx, "nested begin")
			must(t, s.Rollback(ctx), "rollback")
			mustBe(t, s.Commit(t.Context()), storage.ErrNoTx, "commit without transaction")
			mustBe(t, s.Rollback(t.Context()), storage.ErrNoTx, "rollback without transaction")
		}},
		{"a failed call inside a transaction leaves the others' writes to the caller", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			ctx, err := s.BeginTx(t.Context())
			must(t, err, "begin")
			must(t, s.CreateToken(ctx, sampleToken(storage.KindAccessToken, "at", "req", "app")), "create")
			mustBe(t, s.DeactivateToken(ctx, storage.KindAccessToken, "nope"), storage.ErrNotFound, "failing call")
			mustBe(t, s.CreateToken(ctx, sampleToken(storage.KindAccessToken, "at", "req2", "app")), storage.ErrAlreadyExists, "refused write")
			must(t, s.CreateToken(ctx, sampleToken(storage.KindAccessToken, "at-2", "req", "app")), "write after a refused one")
			must(t, s.Commit(ctx), "commit")
			got, err := s.GetToken(t.Context(), storage.KindAccessToken, "at")
			must(t, err, "write before the failing call is committed")
			if got.RequestID != "req" {
				t.Fatalf("the refused write replaced the token: %+v", got)
			}
			_, err = s.GetToken(t.Context(), storage.KindAccessToken, "at-2")
			must(t, err, "write after the refused one is committed")
		}},
		{"an expired context is refused", func(t *testing.T, s storage.Store) {
			ctx, cancel := context.WithTimeout(t.Context(), -time.Second)
			defer cancel()
			if _, err := s.GetClient(ctx, "app"); err == nil {
				t.Fatal("call with an expired context succeeded")
			}
		}},
	}
}
