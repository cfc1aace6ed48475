package main

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// t0 is when the test's token was requested.
var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// at is t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// ms is d milliseconds.
func ms(d int) time.Duration { return time.Duration(d) * time.Millisecond }

func TestLedgerJudge(t *testing.T) {
	t.Parallel()
	// Each case starts from one token requested at t0, valid for an
	// hour, sets its history, then judges the last answer.
	type step struct {
		// revokeSent, revoked: when the revocation was sent, answered 200
		revokeSent, revoked time.Duration
		// earlier are answers judged before the last one
		earlier []ans
	}
	cases := []struct {
		name    string
		history step
		last    ans
		want    judgement
	}{
		{name: "a valid token answered active is right",
			last: ans{sent: ms(100), done: ms(110), active: true}, want: judgement{verdict: right}},
		{name: "a valid token answered inactive is wrong, not yet lost",
			last: ans{sent: ms(100), done: ms(110)}, want: judgement{verdict: wrongInactive}},
		{name: "a valid token a sweep answers inactive is a lost grant",
			last: ans{sent: ms(100), done: ms(110), sweep: true}, want: judgement{verdict: wrongInactive, lost: true}},
		{name: "a lost grant counts once",
			history: step{earlier: []ans{{sent: ms(100), done: ms(110), sweep: true}}},
			last:    ans{sent: ms(200), done: ms(210), sweep: true}, want: judgement{verdict: wrongInactive}},
		{name: "an answer that arrived before the revocation was sent must be active",
			history: step{revokeSent: ms(500)},
			last:    ans{sent: ms(100), done: ms(400)}, want: judgement{verdict: wrongInactive}},
		{name: "a revocation without an answer: active is not judged",
			history: step{revokeSent: ms(100)},
			last:    ans{sent: ms(5000), done: ms(5010), active: true}, want: judgement{verdict: unjudged}},
		{name: "a revocation without an answer: inactive is right",
			history: step{revokeSent: ms(100)},
			last:    ans{sent: ms(150), done: ms(160)}, want: judgement{verdict: right}},
		{name: "a revocation without an answer, then inactive, then active after the grace: active again",
			history: step{revokeSent: ms(100), earlier: []ans{{sent: ms(150), done: ms(160)}}},
			last:    ans{sent: ms(1200), done: ms(1210), active: true}, want: judgement{verdict: wrongActive, activeAgain: true}},
		{name: "a revoked token answered active within the grace is tolerated",
			history: step{revokeSent: ms(100), revoked: ms(200)},
			last:    ans{sent: ms(700), done: ms(710), active: true}, want: judgement{verdict: unjudged, late: true}},
		{name: "a request sent before the revocation was answered is not judged",
			history: step{revokeSent: ms(100), revoked: ms(200)},
			last:    ans{sent: ms(150), done: ms(250), active: true}, want: judgement{verdict: unjudged}},
		{name: "a revoked token answered active after the grace is wrong",
			history: step{revokeSent: ms(100), revoked: ms(200)},
			last:    ans{sent: ms(1300), done: ms(1310), active: true}, want: judgement{verdict: wrongActive}},
		{name: "a revoked token answered inactive, then active after the grace, is active again",
			history: step{revokeSent: ms(100), revoked: ms(200), earlier: []ans{{sent: ms(300), done: ms(310)}}},
			last:    ans{sent: ms(2000), done: ms(2010), active: true}, want: judgement{verdict: wrongActive, activeAgain: true}},
		{name: "active again counts once",
			history: step{revokeSent: ms(100), revoked: ms(200), earlier: []ans{{sent: ms(300), done: ms(310)}, {sent: ms(2000), done: ms(2010), active: true}}},
			last:    ans{sent: ms(3000), done: ms(3010), active: true}, want: judgement{verdict: wrongActive}},
		{name: "a revoked token answered inactive is right",
			history: step{revokeSent: ms(100), revoked: ms(200)},
			last:    ans{sent: ms(300), done: ms(310)}, want: judgement{verdict: right}},
		{name: "an answer near the token's expiry is not judged",
			last: ans{sent: time.Hour - 4*time.Second, done: time.Hour - 4*time.Second + ms(10)}, want: judgement{verdict: unjudged}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l := newLedger(time.Second)
			id := l.add("tok", t0, time.Hour)
			if c.history.revokeSent != 0 {
				// pickRevoke marks the one token sent
				if got, _, ok := l.pickRevoke(rand.New(rand.NewPCG(1, 2)), at(c.history.revokeSent)); !ok || got != id {
					t.Fatalf("pickRevoke = %d, %v; want %d, true", got, ok, id)
				}
			}
			if c.history.revoked != 0 {
				l.revoked(id, at(c.history.revoked))
			}
			for _, a := range c.history.earlier {
				l.judge(id, a.answer())
			}
			if got := l.judge(id, c.last.answer()); got != c.want {
				t.Errorf("judge = %+v, want %+v", got, c.want)
			}
		})
	}
}

// ans is an answer whose times are offsets from t0.
type ans struct {
	sent, done    time.Duration
	active, sweep bool
}

func (a ans) answer() answer {
	return answer{sent: at(a.sent), done: at(a.done), active: a.active, sweep: a.sweep}
}

func TestLedgerPickRevokeNeverTwice(t *testing.T) {
	t.Parallel()
	l := newLedger(time.Second)
	for range 3 {
		l.add("tok", t0, time.Hour)
	}
	r := rand.New(rand.NewPCG(3, 4))
	var picked []int
	for range 50 {
		if id, _, ok := l.pickRevoke(r, t0); ok {
			picked = append(picked, id)
		}
	}
	slices.Sort(picked)
	if !slices.Equal(picked, []int{0, 1, 2}) {
		t.Errorf("tokens picked for revocation: %v, want each of 0, 1, 2 once", picked)
	}
}

func TestLedgerSample(t *testing.T) {
	t.Parallel()
	l := newLedger(time.Second)
	old := l.add("old", t0, time.Hour)
	suspect := l.add("suspect", t0, time.Hour)
	newer := l.add("new", at(10*time.Second), time.Hour)
	revokedLately := l.add("revoked lately", t0, time.Hour)
	l.entries[revokedLately].revokeSent = at(11 * time.Second)
	l.judge(suspect, ans{sent: time.Second, done: time.Second}.answer()) // valid, answered inactive
	r := rand.New(rand.NewPCG(5, 6))
	since := at(5 * time.Second)
	got := l.sample(r, since, 10)
	if len(got) != 4 || got[0] != suspect || !sameSet(got[1:3], []int{newer, revokedLately}) || got[3] != old {
		t.Errorf("sample = %v, want the suspect %d, then %d and %d touched since, then the old %d", got, suspect, newer, revokedLately, old)
	}
	if got := l.sample(r, since, 1); !slices.Equal(got, []int{suspect}) {
		t.Errorf("sample of 1 = %v, want only the suspect %d", got, suspect)
	}
}

func sameSet(a, b []int) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
