package postgres_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// issued is a client-credentials token of client with its record.
func issued(sig, client string, at time.Time) (storage.Token, storage.AuditRecord) {
	return storage.Token{Kind: storage.KindAccessToken, Signature: sig, RequestID: "req-" + sig, ClientID: client, Scopes: []string{"im:messages.send"},
			Active: true, RequestedAt: at, ExpiresAt: at.Add(time.Hour)},
		storage.AuditRecord{Time: at, Action: "token.issued", Outcome: "success", ActorType: "client", ActorID: client, ClientID: client,
			RequestID: "req-" + sig, Detail: map[string]string{"grant_type": "client_credentials"}}
}

// A batch of the group commit commits every token with its record, the
// records in the batch's order; a batch holding one issuance that fails (a
// client deleted meanwhile) commits all the others, and that one alone is
// refused, leaving neither token nor record.
func TestGroupCommitBatch(t *testing.T) {
	t.Parallel()
	s := pgtest.Open(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	if err := s.CreateClient(ctx, storage.Client{ID: "bot", Name: "Bot", Type: storage.ClientConfidential, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	batch := func(specs ...[2]string) ([]storage.Token, []error) {
		var tokens []storage.Token
		var records []storage.AuditRecord
		for _, sp := range specs {
			tok, rec := issued(sp[0], sp[1], now)
			tokens, records = append(tokens, tok), append(records, rec)
		}
		return tokens, s.WriteIssuedBatch(ctx, tokens, records)
	}
	_, errs := batch([2]string{"a1", "bot"}, [2]string{"a2", "bot"}, [2]string{"a3", "bot"})
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("a good batch: %v", err)
	}
	_, errs = batch([2]string{"b1", "bot"}, [2]string{"b2", "gone"}, [2]string{"b3", "bot"})
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], storage.ErrNotFound) {
		t.Fatalf("a batch with an unknown client: %v; want only the second refused, ErrNotFound", errs)
	}
	for _, sig := range []string{"a1", "a2", "a3", "b1", "b3"} {
		if _, err := s.GetToken(ctx, storage.KindAccessToken, sig); err != nil {
			t.Errorf("token %s: %v", sig, err)
		}
	}
	if _, err := s.GetToken(ctx, storage.KindAccessToken, "b2"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the refused token: %v, want ErrNotFound", err)
	}
	recs, err := s.ListAudit(ctx, storage.AuditFilter{}, storage.AuditCursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range recs {
		order = append(order, r.RequestID)
	}
	slices.Reverse(order) // listed newest first
	if want := []string{"req-a1", "req-a2", "req-a3", "req-b1", "req-b3"}; !slices.Equal(order, want) {
		t.Fatalf("records %v, want %v", order, want)
	}
}

// Many concurrent issuances each return once their token and record are
// committed: every one is there, each record once, and the sealer links
// them all into the chain.
func TestGroupCommitUnderConcurrency(t *testing.T) {
	t.Parallel()
	s := pgtest.Open(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	if err := s.CreateClient(ctx, storage.Client{ID: "bot", Name: "Bot", Type: storage.ClientConfidential, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			tok, rec := issued(fmt.Sprint("c", i), "bot", now)
			errs[i] = s.CreateTokenRecorded(ctx, tok, rec)
			if errs[i] == nil {
				// Acknowledged means committed: readable at once.
				if _, err := s.GetToken(ctx, storage.KindAccessToken, tok.Signature); err != nil {
					errs[i] = fmt.Errorf("acknowledged but not readable: %w", err)
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	sealed, err := s.SealAudit(ctx, 10*n, func(head storage.AuditLink, recs []storage.AuditRecord) ([][]byte, error) {
		out := make([][]byte, len(recs))
		for i, r := range recs {
			seen[r.RequestID]++
			out[i] = []byte(r.RequestID)
		}
		return out, nil
	})
	if err != nil || sealed != n {
		t.Fatalf("sealed %d records (%v), want %d", sealed, err, n)
	}
	for i := range n {
		if c := seen[fmt.Sprint("req-c", i)]; c != 1 {
			t.Errorf("record of issuance %d sealed %d times", i, c)
		}
	}
}
