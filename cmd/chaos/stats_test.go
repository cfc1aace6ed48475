package main

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

func TestRecovery(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		secs   []second
		within int
		ok     bool
	}{
		{name: "back in the first second", secs: []second{{good: 300}, {good: 300}}, within: 1, ok: true},
		{name: "a failed request keeps a second from counting", secs: []second{{good: 299, failed: 1}, {good: 120, failed: 40}, {good: 300}}, within: 3, ok: true},
		{name: "a second without failures but slow does not count", secs: []second{{good: 100}, {good: 269}, {good: 270}}, within: 3, ok: true},
		{name: "never back", secs: []second{{good: 300, failed: 1}, {good: 10}}, ok: false},
		{name: "nothing watched", secs: nil, ok: false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			within, ok := recovery(c.secs, 300)
			if within != c.within || ok != c.ok {
				t.Errorf("recovery = %d, %v; want %d, %v", within, ok, c.within, c.ok)
			}
		})
	}
}

// ev is an event answered at t0 plus done.
func ev(k kind, done time.Duration, status int) event {
	return event{kind: k, sent: at(done - ms(5)), done: at(done), status: status}
}

func TestTallyOf(t *testing.T) {
	t.Parallel()
	unavailable := ev(grant, ms(100), http.StatusServiceUnavailable)
	unavailable.retryAfter = true
	garbled := ev(grant, ms(150), http.StatusOK)
	garbled.garbled = true
	wrong := ev(introspect, ms(200), http.StatusOK)
	wrong.judgement = judgement{verdict: wrongInactive, lost: true}
	again := ev(introspect, ms(250), http.StatusOK)
	again.judgement = judgement{verdict: wrongActive, activeAgain: true}
	late := ev(introspect, ms(260), http.StatusOK)
	late.judgement = judgement{late: true}
	swept := ev(introspect, ms(300), http.StatusOK)
	swept.sweep = true
	events := []event{
		ev(grant, -ms(1), http.StatusInternalServerError), // before the window
		unavailable,
		ev(grant, ms(110), http.StatusServiceUnavailable), // no Retry-After
		ev(revoke, ms(120), http.StatusBadGateway),
		ev(introspect, ms(130), 0),
		ev(introspect, ms(140), http.StatusUnauthorized),
		garbled, wrong, again, late, swept,
		ev(revoke, ms(400), http.StatusOK),
		ev(grant, time.Second, http.StatusInternalServerError), // at the window's end: after it
	}
	got := tallyOf(events, t0, at(time.Second))
	want := tally{
		requests:    [kinds]int{grant: 3, introspect: 5, revoke: 2},
		swept:       1,
		status5xx:   [kinds]int{grant: 2, revoke: 1},
		unavailable: 1,
		noAnswer:    1, otherStatus: 1, garbled: 1,
		wrongActive: 1, wrongInactive: 1, late: 1,
		lost: 1, activeAgain: 1,
		good: 2, // the late answer and the revocation
	}
	if got != want {
		t.Errorf("tally:\n got %+v\nwant %+v", got, want)
	}
	if got.total() != 10 || got.total5xx() != 3 || got.wrong() != 2 || !got.failing() {
		t.Errorf("total %d, 5xx %d, wrong %d, failing %v; want 10, 3, 2, true", got.total(), got.total5xx(), got.wrong(), got.failing())
	}
	if quiet := tallyOf(events[1:4], t0, at(time.Second)); quiet.failing() {
		t.Errorf("5xx alone make a window failing: %+v", quiet)
	}
}

func TestPerSecond(t *testing.T) {
	t.Parallel()
	swept := ev(introspect, ms(100), http.StatusOK)
	swept.sweep = true
	events := []event{
		ev(grant, -ms(1), http.StatusOK), // before
		ev(grant, 0, http.StatusOK),
		ev(grant, ms(999), http.StatusInternalServerError),
		swept,
		ev(revoke, ms(1000), http.StatusOK),
		ev(introspect, ms(2500), 0),
		ev(grant, ms(3000), http.StatusOK), // after the third second
	}
	got := perSecond(events, t0, 3)
	want := []second{{good: 1, failed: 1}, {good: 1}, {failed: 1}}
	if !slices.Equal(got, want) {
		t.Errorf("perSecond = %+v, want %+v", got, want)
	}
}

func TestGoodRate(t *testing.T) {
	t.Parallel()
	var events []event
	for i := range 600 {
		status := http.StatusOK
		if i%3 == 0 {
			status = http.StatusServiceUnavailable
		}
		events = append(events, ev(grant, ms(i*5), status)) // 3 s of 200 a second
	}
	if got := goodRate(events, t0, at(3*time.Second)); got < 133 || got > 134 {
		t.Errorf("goodRate = %.1f, want 133.3 (two thirds of 200 a second)", got)
	}
	if got := goodRate(events, t0, t0); got != 0 {
		t.Errorf("goodRate of an empty window = %v", got)
	}
}
