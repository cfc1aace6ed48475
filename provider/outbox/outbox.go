// Package outbox runs what sends the provider's outboxes: the queued
// back-channel logout notifications (provider/backchannel) and webhook
// messages (provider/webhooks). Each is queued in the transaction of the
// change it tells of, and taken by a Loop on every node: a round claims
// the items due (the store's SELECT ... FOR UPDATE SKIP LOCKED under a
// lease, so no two nodes take the same one), delivers them side by side
// and waits for every delivery to end. Backoff is the wait before the
// next attempt of an item that failed; NoRedirects is the HTTP client the
// senders post with.
package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Loop takes and delivers the items of one outbox.
type Loop[T any] struct {
	// Name names the outbox in errors and logs ("webhooks: take due
	// items").
	Name string
	// Claim takes up to limit items due at now for this sender, leasing
	// each for lease.
	Claim func(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]T, error)
	// Deliver sends one item and records how it went; it is bounded by
	// the sender's own timeout.
	Deliver func(ctx context.Context, item T)
	// Poll is how often Run looks for due items; Lease how long a claimed
	// item is left to this sender (the longest a round can take, with
	// room to spare: a sender that dies mid-round leaves its items to be
	// taken again after it); Batch how many items a round takes.
	Poll, Lease time.Duration
	Batch       int
	Now         func() time.Time
	Logger      *slog.Logger
}

// Run delivers due items every Poll until ctx ends; a round that found a
// full batch is followed by another at once.
func (l Loop[T]) Run(ctx context.Context) {
	t := time.NewTicker(l.Poll)
	defer t.Stop()
	// A round begun is finished even when ctx ends meanwhile (each
	// delivery is bounded), so that stopping leaves no item sent but not
	// recorded until its lease runs out.
	round := context.WithoutCancel(ctx)
	for {
		n, err := l.Once(round)
		if err != nil {
			l.Logger.WarnContext(ctx, l.Name+": take due items", "err", err)
		}
		if n == l.Batch && ctx.Err() == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once takes the items due now, up to Batch, delivers them side by side
// and waits for every delivery to end; it returns how many it took.
func (l Loop[T]) Once(ctx context.Context) (int, error) {
	items, err := l.Claim(ctx, l.Now(), l.Lease, l.Batch)
	if err != nil {
		return 0, fmt.Errorf("%s: claim: %w", l.Name, err)
	}
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Go(func() { l.Deliver(ctx, it) })
	}
	wg.Wait()
	return len(items), nil
}

// Backoff is the wait after the attempt-th failed attempt: first, doubled
// with each further failure, at most maxWait.
func Backoff(first, maxWait time.Duration, attempt int) time.Duration {
	d := first
	for i := 1; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	return min(d, maxWait)
}

// NoRedirects is the client the senders post with: it never follows a
// redirect (the answer is the endpoint's own) and gives up after timeout.
func NoRedirects(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
