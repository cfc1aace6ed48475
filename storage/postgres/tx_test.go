package postgres_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// Backend-specific checks, next to the conformance suite: what Postgres
// makes hard (an error aborts the whole transaction) and what the suite
// cannot see (driver errors, timeouts, two stores).

func client(id string) storage.Client {
	return storage.Client{ID: id, Name: id, Type: storage.ClientPublic}
}

func token(sig, clientID string) storage.Token {
	return storage.Token{Kind: storage.KindAccessToken, Signature: sig, RequestID: "req", ClientID: clientID, Active: true}
}

func TestRefusedWritesLeaveTheTransactionUsable(t *testing.T) {
	t.Parallel()
	s := pgtest.Open(t)
	ctx := t.Context()
	if err := s.CreateClient(ctx, client("app")); err != nil {
		t.Fatal(err)
	}
	for _, u := range []storage.User{{ID: "u1", Email: "ann@x.io"}, {ID: "u2", Email: "bob@x.io"}} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateSigningKey(ctx, storage.SigningKey{ID: "k1", PrivateKey: []byte("p"), PublicKey: []byte("{}")}); err != nil {
		t.Fatal(err)
	}

	txCtx, err := s.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A transaction left open would hold its connection, and the store's
	// Close would wait for it forever; after Commit this is ErrNoTx.
	defer s.Rollback(txCtx)
	if err := s.CreateToken(txCtx, token("at-1", "app")); err != nil {
		t.Fatalf("create: %v", err)
	}
	refused := []struct {
		name string
		err  error
		want error
	}{
		{"duplicate token", s.CreateToken(txCtx, token("at-1", "app")), storage.ErrAlreadyExists},
		{"token of unknown client", s.CreateToken(txCtx, token("at-x", "ghost")), storage.ErrNotFound},
		{"duplicate client", s.CreateClient(txCtx, client("app")), storage.ErrAlreadyExists},
		{"taken email", func() error {
			_, err := s.UpdateUser(txCtx, "u2", func(u storage.User) (storage.User, error) {
				u.Email = "ANN@x.io"
				return u, nil
			})
			return err
		}(), storage.ErrAlreadyExists},
		{"rotation to a known kid", s.RotateSigningKey(txCtx, storage.SigningKey{ID: "k1", PrivateKey: []byte("p"), PublicKey: []byte("{}")}, time.Now()), storage.ErrConflict},
	}
	for _, r := range refused {
		if !errors.Is(r.err, r.want) {
			t.Errorf("%s: got %v, want %v", r.name, r.err, r.want)
		}
	}
	if err := s.CreateToken(txCtx, token("at-2", "app")); err != nil {
		t.Fatalf("create after the refusals: %v", err)
	}
	if err := s.Commit(txCtx); err != nil {
		t.Fatalf("commit: %v", err)
	}
	for _, sig := range []string{"at-1", "at-2"} {
		if _, err := s.GetToken(ctx, storage.KindAccessToken, sig); err != nil {
			t.Errorf("%s not committed: %v", sig, err)
		}
	}
	keys, _ := s.ListSigningKeys(ctx)
	if len(keys) != 1 || !keys[0].Current() {
		t.Errorf("keys after the refused rotation = %+v, want k1 current", keys)
	}
}

func TestEndedTransactionIsNoLongerJoined(t *testing.T) {
	t.Parallel()
	s := pgtest.Open(t)
	txCtx, err := s.BeginTx(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Rollback(txCtx)
	if err := s.Commit(txCtx); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(txCtx); !errors.Is(err, storage.ErrNoTx) {
		t.Errorf("second commit = %v, want ErrNoTx", err)
	}
	if err := s.Rollback(txCtx); !errors.Is(err, storage.ErrNoTx) {
		t.Errorf("rollback after commit = %v, want ErrNoTx", err)
	}
	// Calls with the ended context run on the pool, and a new transaction
	// may start from it.
	if err := s.CreateClient(txCtx, client("app")); err != nil {
		t.Errorf("call after commit: %v", err)
	}
	again, err := s.BeginTx(txCtx)
	if err != nil {
		t.Fatalf("begin after commit: %v", err)
	}
	if err := s.CreateClient(again, client("rolled-back")); err != nil {
		t.Fatal(err)
	}
	if err := s.Rollback(again); err != nil {
		t.Fatal(err)
	}
}

func TestTransactionsOfTwoStoresDoNotMix(t *testing.T) {
	t.Parallel()
	s1, s2 := pgtest.Open(t), pgtest.Open(t)
	ctx1, err := s1.BeginTx(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer s1.Rollback(ctx1)
	if err := s2.Commit(ctx1); !errors.Is(err, storage.ErrNoTx) {
		t.Errorf("commit on the second store with only the first's transaction = %v, want ErrNoTx", err)
	}
	ctx12, err := s2.BeginTx(ctx1)
	if err != nil {
		t.Fatalf("begin on a second store with the first's transaction in the context: %v", err)
	}
	defer s2.Rollback(ctx12)
	if err := s1.CreateClient(ctx12, client("one")); err != nil {
		t.Fatal(err)
	}
	if err := s2.CreateClient(ctx12, client("two")); err != nil {
		t.Fatal(err)
	}
	if err := s1.Rollback(ctx12); err != nil {
		t.Fatal(err)
	}
	if err := s2.Commit(ctx12); err != nil {
		t.Fatal(err)
	}
	if _, err := s1.GetClient(t.Context(), "one"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("rolled-back client of the first store: %v, want ErrNotFound", err)
	}
	if _, err := s2.GetClient(t.Context(), "two"); err != nil {
		t.Errorf("committed client of the second store: %v", err)
	}
	if _, err := s2.GetClient(t.Context(), "one"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the second store sees the first one's schema: %v", err)
	}
}

func TestErrorsNameTheOperationAndKeepTheDriverError(t *testing.T) {
	t.Parallel()
	s := pgtest.Open(t)
	ctx := t.Context()
	if err := s.CreateClient(ctx, client("app")); err != nil {
		t.Fatal(err)
	}
	err := s.CreateClient(ctx, client("app"))
	if !errors.Is(err, storage.ErrAlreadyExists) {
		t.Fatalf("got %v, want ErrAlreadyExists", err)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" || pgErr.ConstraintName != "clients_pkey" {
		t.Errorf("driver error not kept in the chain: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "postgres: create client app: ") {
		t.Errorf("error %q does not say what was being done", err)
	}
}

func TestEveryCallIsBoundedByQueryTimeout(t *testing.T) {
	s, err := postgres.Open(t.Context(), postgres.Config{
		URL:          pgtest.MigratedURL(t),
		QueryTimeout: 300 * time.Millisecond,
		Logger:       slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.CreateClient(t.Context(), client("app")); err != nil {
		t.Fatal(err)
	}
	// A transaction holds the client's row lock; an update outside it
	// waits for the lock until its timeout.
	txCtx, err := s.BeginTx(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Rollback(txCtx)
	keep := func(c storage.Client) (storage.Client, error) { return c, nil }
	if _, err := s.UpdateClient(txCtx, "app", keep); err != nil {
		t.Fatal(err)
	}
	_, err = s.UpdateClient(t.Context(), "app", keep)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("update blocked on a lock = %v, want a deadline error", err)
	}
}

func TestOpenDoesNotQuoteTheURL(t *testing.T) {
	t.Parallel()
	_, err := postgres.Open(t.Context(), postgres.Config{URL: "postgres://app:s3cret@db:notaport/auth"})
	if err == nil {
		t.Fatal("open with a malformed URL succeeded")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error quotes the password: %v", err)
	}
}
