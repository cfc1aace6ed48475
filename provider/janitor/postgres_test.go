package janitor_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/janitor"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// barrierLocker makes rounds of several nodes start at the same time:
// each tries the lock, then waits until every node has tried before going
// on, so the node that got it still holds it while the others try.
type barrierLocker struct {
	janitor.Locker
	tried *sync.WaitGroup
}

func (l barrierLocker) TryLock(ctx context.Context, name string) (func(), bool, error) {
	unlock, ok, err := l.Locker.TryLock(ctx, name)
	l.tried.Done()
	l.tried.Wait()
	return unlock, ok, err
}

func TestNodesTakeTurns(t *testing.T) {
	const nodes = 3
	url := pgtest.URL(t)
	var stores []*postgres.Store
	for range nodes {
		s, err := postgres.Open(t.Context(), postgres.Config{URL: url, MaxConns: 4, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		stores = append(stores, s)
	}
	ctx := t.Context()
	if err := stores[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := stores[0].CreateClient(ctx, storage.Client{ID: "app", Name: "App", Type: storage.ClientConfidential}); err != nil {
		t.Fatal(err)
	}
	const expired = 25
	for i := range expired {
		tok := storage.Token{Kind: storage.KindAccessToken, Signature: fmt.Sprint("at-", i), RequestID: "r", ClientID: "app", ExpiresAt: now.Add(-time.Hour)}
		if err := stores[0].CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	live := storage.Token{Kind: storage.KindAccessToken, Signature: "live", RequestID: "r", ClientID: "app", ExpiresAt: now.Add(time.Hour)}
	if err := stores[0].CreateToken(ctx, live); err != nil {
		t.Fatal(err)
	}

	for round := range 2 {
		var tried sync.WaitGroup
		tried.Add(nodes)
		results := make([]janitor.Result, nodes)
		errs := make([]error, nodes)
		var wg sync.WaitGroup
		for i, s := range stores {
			j, err := janitor.New(janitor.Config{
				Store: s, Locker: barrierLocker{Locker: s, tried: &tried},
				Interval: time.Minute, Batch: 10, Now: clock,
			})
			if err != nil {
				t.Fatal(err)
			}
			wg.Go(func() { results[i], errs[i] = j.Once(ctx) })
		}
		wg.Wait()
		ran, deleted := 0, 0
		for i := range nodes {
			if errs[i] != nil {
				t.Fatalf("round %d, node %d: %v", round, i, errs[i])
			}
			if results[i].Ran {
				ran++
			}
			deleted += results[i].Total()
		}
		if want := []int{expired, 0}[round]; ran != 1 || deleted != want {
			t.Fatalf("round %d: %d nodes ran, %d tokens deleted; want 1 node deleting %d", round, ran, deleted, want)
		}
	}
	if _, err := stores[1].GetToken(ctx, storage.KindAccessToken, "live"); err != nil {
		t.Fatalf("live token: %v", err)
	}
	if _, err := stores[1].GetToken(ctx, storage.KindAccessToken, "at-0"); err == nil {
		t.Fatal("an expired token is still there")
	}
}
