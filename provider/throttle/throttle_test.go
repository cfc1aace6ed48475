package throttle_test

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

func TestPolicy(t *testing.T) {
	p := throttle.Policy{Free: 3, Base: time.Second, Max: time.Minute}
	for _, tc := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {2, 0}, {3, time.Second}, {4, 2 * time.Second}, {5, 4 * time.Second}, {8, 32 * time.Second}, {9, time.Minute}, {50, time.Minute},
	} {
		if got := p.Wait(tc.failures); got != tc.want {
			t.Errorf("Wait(%d) = %v, want %v", tc.failures, got, tc.want)
		}
	}
}

func TestThrottle(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	th := throttle.New(memory.New(), throttle.Policy{Free: 2, Base: 10 * time.Second, Max: 5 * time.Minute, ForgetAfter: time.Hour}, clock)
	ctx := t.Context()
	key := throttle.EmailKey("Ann@Example.com ")
	wait := func() time.Duration {
		t.Helper()
		d, err := th.Wait(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	t.Run("free failures cost nothing, the attempt after them waits", func(t *testing.T) {
		if _, err := th.Fail(ctx, key); err != nil {
			t.Fatal(err)
		}
		if d := wait(); d != 0 {
			t.Fatalf("wait %v after one free failure", d)
		}
		_, _ = th.Fail(ctx, key)
		if d := wait(); d != 10*time.Second {
			t.Fatalf("wait %v after the free failures, want 10s", d)
		}
	})
	t.Run("each further failure doubles the wait", func(t *testing.T) {
		_, _ = th.Fail(ctx, key)
		if d := wait(); d != 20*time.Second {
			t.Fatalf("wait %v, want 20s", d)
		}
	})
	t.Run("the wait runs down with time, in whole seconds", func(t *testing.T) {
		now = now.Add(5500 * time.Millisecond)
		if d := wait(); d != 15*time.Second {
			t.Fatalf("wait %v, want 15s (14.5s rounded up)", d)
		}
		now = now.Add(15 * time.Second)
		if d := wait(); d != 0 {
			t.Fatalf("wait %v after it ran out", d)
		}
	})
	t.Run("the same email in another case is the same key", func(t *testing.T) {
		if throttle.EmailKey("ann@example.com") != key {
			t.Fatal("keys differ by case or spaces")
		}
		if throttle.EmailKey("bob@example.com") == key {
			t.Fatal("two emails share a key")
		}
	})
	t.Run("a success clears the count", func(t *testing.T) {
		if err := th.Succeed(ctx, key); err != nil {
			t.Fatal(err)
		}
		_, _ = th.Fail(ctx, key)
		if d := wait(); d != 0 {
			t.Fatalf("wait %v after a success and one failure", d)
		}
	})
	t.Run("failures are forgotten after a quiet period", func(t *testing.T) {
		for range 5 {
			_, _ = th.Fail(ctx, key)
		}
		if wait() == 0 {
			t.Fatal("no wait after many failures")
		}
		now = now.Add(2 * time.Hour)
		if d := wait(); d != 0 {
			t.Fatalf("wait %v after the quiet period", d)
		}
	})
}
