package outbox

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/defaults"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	for attempt, want := range map[int]time.Duration{1: 5 * time.Second, 2: 10 * time.Second, 3: 20 * time.Second, 10: time.Minute, 100: time.Minute} {
		if got := Backoff(5*time.Second, time.Minute, attempt); got != want {
			t.Errorf("Backoff(attempt %d) = %s, want %s", attempt, got, want)
		}
	}
}

// Once delivers every claimed item and waits for them; a claim that fails
// is an error naming the outbox.
func TestOnce(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []int
	l := Loop[int]{
		Name:  "test",
		Batch: 3,
		Lease: time.Minute,
		Now:   time.Now,
		Claim: func(_ context.Context, _ time.Time, lease time.Duration, limit int) ([]int, error) {
			if lease != time.Minute || limit != 3 {
				t.Errorf("claim with lease %s, limit %d", lease, limit)
			}
			return []int{1, 2, 3}, nil
		},
		Deliver: func(_ context.Context, it int) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, it)
		},
		Logger: defaults.Logger(nil),
	}
	n, err := l.Once(t.Context())
	if err != nil || n != 3 || len(got) != 3 {
		t.Fatalf("Once = %d, %v; delivered %v", n, err, got)
	}
	l.Claim = func(context.Context, time.Time, time.Duration, int) ([]int, error) { return nil, errors.New("down") }
	if _, err := l.Once(t.Context()); err == nil || err.Error() != "test: claim: down" {
		t.Fatalf("a failed claim: %v", err)
	}
}

// Run goes on at once after a full batch, and stops when its context
// ends.
func TestRunStops(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	rounds := 0
	l := Loop[int]{
		Name: "test", Batch: 1, Poll: time.Hour, Lease: time.Minute, Now: time.Now, Logger: defaults.Logger(nil),
		Claim: func(context.Context, time.Time, time.Duration, int) ([]int, error) {
			rounds++
			if rounds == 3 {
				cancel()
				return nil, nil
			}
			return []int{rounds}, nil
		},
		Deliver: func(context.Context, int) {},
	}
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	<-done
	if rounds != 3 {
		t.Fatalf("%d rounds, want 3: two full batches, then one that found nothing", rounds)
	}
}

func TestNoRedirects(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.RedirectHandler("https://elsewhere.example/", http.StatusFound))
	defer srv.Close()
	resp, err := NoRedirects(time.Second).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d: the redirect was followed", resp.StatusCode)
	}
}
