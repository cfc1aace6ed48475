package janitor_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/janitor"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// now is the fixed clock of these tests.
var now = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

func clock() time.Time { return now }

// seed stores a client, a user and, around now, records of every area:
// for each, whether the janitor must delete it.
func seed(t *testing.T, s storage.Store) map[string]bool {
	t.Helper()
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateClient(ctx, storage.Client{ID: "app", Name: "App", Type: storage.ClientConfidential}))
	must(s.CreateUser(ctx, storage.User{ID: "u1", Email: "ann@example.com", Status: storage.UserActive}))
	token := func(sig string, exp time.Time) {
		must(s.CreateToken(ctx, storage.Token{Kind: storage.KindAccessToken, Signature: sig, RequestID: sig, ClientID: "app", Active: true, ExpiresAt: exp}))
	}
	token("at-old", now.Add(-time.Hour))
	token("at-in-grace", now.Add(-time.Minute)) // expired, but within the grace
	token("at-live", now.Add(time.Hour))
	token("at-forever", time.Time{})
	must(s.CreateLoginSession(ctx, storage.LoginSession{ID: "ls-old", UserID: "u1", ExpiresAt: now.Add(-24 * time.Hour)}))
	must(s.CreateLoginSession(ctx, storage.LoginSession{ID: "ls-live", UserID: "u1", ExpiresAt: now.Add(time.Hour)}))
	must(s.CreateFlow(ctx, storage.Flow{ID: "f-old", ClientID: "app", ExpiresAt: now.Add(-time.Hour)}))
	must(s.CreateFlow(ctx, storage.Flow{ID: "f-live", ClientID: "app", ExpiresAt: now.Add(time.Minute)}))
	// The throttle forgets failures after an hour: a counter whose last
	// failure is 30 minutes old still counts.
	for key, last := range map[string]time.Time{"c-old": now.Add(-2 * time.Hour), "c-live": now.Add(-30 * time.Minute)} {
		_, err := s.AddFailure(ctx, key, last, time.Hour)
		must(err)
	}
	return map[string]bool{
		"at-old": true, "at-in-grace": false, "at-live": false, "at-forever": false,
		"ls-old": true, "ls-live": false, "f-old": true, "f-live": false,
		"c-old": true, "c-live": false,
	}
}

// exists says whether the record seed named id is still stored.
func exists(t *testing.T, s storage.Store, id string) bool {
	t.Helper()
	ctx := t.Context()
	var err error
	switch id[:2] {
	case "at":
		_, err = s.GetToken(ctx, storage.KindAccessToken, id)
	case "ls":
		_, err = s.GetLoginSession(ctx, id)
	case "f-":
		_, err = s.GetFlow(ctx, id)
	case "c-":
		c, err := s.GetCounter(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c.Failures > 0
	}
	return err == nil
}

func newJanitor(t *testing.T, s *memory.Store, batch int) *janitor.Janitor {
	t.Helper()
	j, err := janitor.New(janitor.Config{Store: s, Locker: s, Interval: time.Hour, Batch: batch, ForgetAfter: time.Hour, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestOnce(t *testing.T) {
	t.Run("deletes what expired before the grace, keeps the rest", func(t *testing.T) {
		s := memory.New()
		want := seed(t, s)
		res, err := newJanitor(t, s, 500).Once(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !res.Ran || res.Total() != 4 {
			t.Errorf("result %+v, want a round deleting 4", res)
		}
		for area, n := range map[storage.PurgeArea]int{storage.PurgeTokens: 1, storage.PurgeLoginSessions: 1, storage.PurgeFlows: 1, storage.PurgeCounters: 1} {
			if res.Deleted[area] != n {
				t.Errorf("deleted %d %s, want %d", res.Deleted[area], area, n)
			}
		}
		for id, gone := range want {
			if exists(t, s, id) == gone {
				t.Errorf("%s exists = %v, want %v", id, !gone, !gone)
			}
		}
	})

	t.Run("small batches until one comes back short", func(t *testing.T) {
		s := memory.New()
		seed(t, s)
		for i := range 6 {
			err := s.CreateToken(t.Context(), storage.Token{Kind: storage.KindRefreshToken, Signature: string(rune('a' + i)), RequestID: "r", ClientID: "app", ExpiresAt: now.Add(-time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
		}
		res, err := newJanitor(t, s, 2).Once(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if res.Deleted[storage.PurgeTokens] != 7 {
			t.Errorf("deleted %d tokens in batches of 2, want 7", res.Deleted[storage.PurgeTokens])
		}
	})

	t.Run("runs its tasks with the clock's time, in the round", func(t *testing.T) {
		s := memory.New()
		var seen []time.Time
		j, err := janitor.New(janitor.Config{Store: s, Locker: s, Interval: time.Hour, Batch: 10, Now: clock,
			Tasks: []janitor.Task{{Name: "audit_records", Run: func(ctx context.Context, at time.Time) (int, error) {
				if _, held, _ := s.TryLock(ctx, janitor.LockName); held {
					t.Error("a task ran outside the round's lock")
				}
				seen = append(seen, at)
				return 3, nil
			}}, {Name: "failing", Run: func(context.Context, time.Time) (int, error) { return 1, errors.New("boom") }}}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := j.Once(t.Context())
		if err == nil || !strings.Contains(err.Error(), "failing: boom") || res.Tasks["audit_records"] != 3 || res.Total() != 4 || len(seen) != 1 || !seen[0].Equal(now) {
			t.Fatalf("round %+v, %v; pruned at %v", res, err, seen)
		}
	})

	t.Run("does nothing while another holds the lock", func(t *testing.T) {
		s := memory.New()
		seed(t, s)
		unlock, ok, err := s.TryLock(t.Context(), janitor.LockName)
		if err != nil || !ok {
			t.Fatalf("take the lock: %v, %v", ok, err)
		}
		j := newJanitor(t, s, 500)
		res, err := j.Once(t.Context())
		if err != nil || res.Ran || res.Total() != 0 {
			t.Fatalf("Once under another's lock = %+v, %v; want nothing done", res, err)
		}
		if !exists(t, s, "at-old") {
			t.Fatal("deleted under another's lock")
		}
		unlock()
		if res, err := j.Once(t.Context()); err != nil || !res.Ran || res.Total() != 4 {
			t.Fatalf("Once once the lock is free = %+v, %v", res, err)
		}
		if _, ok, _ := s.TryLock(t.Context(), janitor.LockName); !ok {
			t.Fatal("Once kept the lock")
		}
	})
}

func TestNewRefusesBadSettings(t *testing.T) {
	s := memory.New()
	for name, cfg := range map[string]janitor.Config{
		"no store":         {Locker: s, Interval: time.Minute, Batch: 1},
		"no locker":        {Store: s, Interval: time.Minute, Batch: 1},
		"no interval":      {Store: s, Locker: s, Batch: 1},
		"no batch":         {Store: s, Locker: s, Interval: time.Minute},
		"a negative grace": {Store: s, Locker: s, Interval: time.Minute, Batch: 1, Grace: -time.Second},
	} {
		if _, err := janitor.New(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// roundLocker tells each time a round lets its lock go.
type roundLocker struct {
	janitor.Locker
	done chan struct{}
}

func (l roundLocker) TryLock(ctx context.Context, name string) (func(), bool, error) {
	unlock, ok, err := l.Locker.TryLock(ctx, name)
	if !ok {
		return unlock, ok, err
	}
	return func() { unlock(); l.done <- struct{}{} }, true, nil
}

func TestRun(t *testing.T) {
	s := memory.New()
	want := seed(t, s)
	var logs syncBuffer
	locker := roundLocker{Locker: s, done: make(chan struct{})}
	j, err := janitor.New(janitor.Config{
		Store: s, Locker: locker, Interval: time.Millisecond, Batch: 500, ForgetAfter: time.Hour, Now: clock,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	stopped := make(chan struct{})
	go func() { defer close(stopped); j.Run(ctx) }()

	waitRound := func() {
		t.Helper()
		select {
		case <-locker.done:
		case <-time.After(10 * time.Second):
			t.Fatal("no round within 10s")
		}
	}
	waitRound() // the first round runs at once
	for id, gone := range want {
		if exists(t, s, id) == gone {
			t.Errorf("after the first round %s exists = %v", id, !gone)
		}
	}
	first := logs.String()
	for _, area := range []string{"tokens", "login_sessions", "flows", "counters"} {
		if !strings.Contains(first, "area="+area+" deleted=1") {
			t.Errorf("no info line for %s:\n%s", area, first)
		}
	}
	for _, area := range []string{"links", "jtis"} {
		if strings.Contains(first, "area="+area) {
			t.Errorf("a line for %s, which had nothing to delete:\n%s", area, first)
		}
	}

	// A later round finds what expired since.
	if err := s.CreateFlow(t.Context(), storage.Flow{ID: "f-later", ClientID: "app", ExpiresAt: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for exists(t, s, "f-later") {
		waitRound()
	}
	cancel()
	drained := make(chan struct{})
	go func() { // let a round in progress finish
		defer close(drained)
		for range locker.done {
		}
	}()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	close(locker.done) // no round runs any more
	<-drained
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", logs.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
