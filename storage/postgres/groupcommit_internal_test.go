package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// eventually waits until cond holds, for at most ten seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// queued waits until n issuances wait in g's queue.
func queued(t *testing.T, g *issuer, n int) {
	t.Helper()
	eventually(t, fmt.Sprintf("%d issuances queued", n), func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return len(g.queue) == n
	})
}

// An issuance that finds a slot free is written at once, alone; those that
// arrive while every slot is busy wait and are written together, as the
// next batch, each answered with its own outcome; then the slot is free.
func TestIssuerGathersWaitingIssuances(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var mu sync.Mutex
	var batches [][]string
	g := &issuer{slots: 1, write: func(_ context.Context, batch []*issueItem) []error {
		var ids []string
		errs := make([]error, len(batch))
		for i, it := range batch {
			ids = append(ids, it.t.Signature)
			if it.t.ClientID == "gone" {
				errs[i] = storage.ErrNotFound
			}
		}
		mu.Lock()
		batches = append(batches, ids)
		first := len(batches) == 1
		mu.Unlock()
		if first {
			<-release
		}
		return errs
	}}
	issue := func(sig, client string) <-chan error {
		out := make(chan error, 1)
		go func() {
			out <- g.issue(t.Context(), storage.Token{Signature: sig, ClientID: client}, storage.AuditRecord{})
		}()
		return out
	}
	first := issue("a", "bot")
	// The first write has started: the slot is taken.
	eventually(t, "the first issuance is written", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(batches) == 1
	})
	var waiting []<-chan error
	for i := range 5 {
		client := "bot"
		if i == 2 {
			client = "gone"
		}
		waiting = append(waiting, issue(fmt.Sprint("w", i), client))
		queued(t, g, i+1)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("the first issuance: %v", err)
	}
	for i, c := range waiting {
		err := <-c
		if want := i == 2; errors.Is(err, storage.ErrNotFound) != want {
			t.Errorf("waiting issuance %d: %v (its own outcome expected)", i, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(batches) != 2 || len(batches[0]) != 1 || len(batches[1]) != 5 || batches[1][0] != "w0" || batches[1][4] != "w4" {
		t.Fatalf("batches %v, want [a] then the five waiting ones in order", batches)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inflight != 0 || len(g.queue) != 0 {
		t.Fatalf("after the writes: %d in flight, %d queued; want the slot free", g.inflight, len(g.queue))
	}
}

// A batch never holds more than maxIssueBatch issuances: the rest wait for
// the next one.
func TestIssuerBoundsBatches(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var mu sync.Mutex
	var sizes []int
	g := &issuer{slots: 1, write: func(_ context.Context, batch []*issueItem) []error {
		mu.Lock()
		sizes = append(sizes, len(batch))
		first := len(sizes) == 1
		mu.Unlock()
		if first {
			<-release
		}
		return make([]error, len(batch))
	}}
	var wg sync.WaitGroup
	wg.Go(func() { _ = g.issue(t.Context(), storage.Token{}, storage.AuditRecord{}) })
	eventually(t, "the first issuance is written", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(sizes) == 1
	})
	n := maxIssueBatch + 3
	for range n {
		wg.Go(func() { _ = g.issue(t.Context(), storage.Token{}, storage.AuditRecord{}) })
	}
	queued(t, g, n)
	close(release)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(sizes) != 3 || sizes[1] != maxIssueBatch || sizes[2] != 3 {
		t.Fatalf("batch sizes %v, want [1 %d 3]", sizes, maxIssueBatch)
	}
}
