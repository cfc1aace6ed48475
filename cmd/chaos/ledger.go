package main

import (
	"math/rand/v2"
	"sync"
	"time"
)

// verdict is the ledger's judgement of one introspection answer.
type verdict int

const (
	// unjudged: the ledger cannot say what the answer should be (a
	// revocation whose outcome is unknown, a token near its expiry, a
	// revocation within the grace period).
	unjudged verdict = iota
	// right: the answer is the one the ledger expects.
	right
	// wrongActive: a revoked token answered active.
	wrongActive
	// wrongInactive: a valid, unexpired token whose revocation was
	// never asked for answered inactive.
	wrongInactive
)

// expiryMargin: answers this close to a token's expiry are not judged.
const expiryMargin = 5 * time.Second

// entry is what the ledger knows of one token.
type entry struct {
	token string
	// requested is when its grant was sent; expires is requested plus
	// expires_in, the earliest it can expire.
	requested, expires time.Time
	// revokeSent is when its revocation was sent; revoked is when a
	// revocation was answered 200. A revocation sent and not answered 200
	// may or may not have happened.
	revokeSent, revoked time.Time
	// inactiveSeen is when an answer inactive came back after the
	// revocation was sent: the revocation has happened by then.
	inactiveSeen time.Time
	// suspect: an answer about the token was wrong; the sweep after a
	// fault checks it first.
	suspect bool
	// lost: a sweep answered the token inactive while valid.
	lost bool
	// activeAgain: the token was answered active after it had been
	// answered inactive following its revocation.
	activeAgain bool
}

// judgement is a verdict and what it newly shows of the token.
type judgement struct {
	verdict verdict
	// lost: the first sweep answer showing this valid token inactive:
	// its grant is lost, not just answered wrong while a service was
	// down.
	lost bool
	// activeAgain: the first answer showing this revoked token active
	// again.
	activeAgain bool
	// late: a revoked token answered active within the grace period,
	// tolerated.
	late bool
}

// ledger records every token obtained and revoked and judges
// introspection answers against it. It is safe for concurrent use.
type ledger struct {
	// grace is how long after a revocation another answer active is
	// tolerated: the time every node has to forget a cached token
	// (redis.local_ttl).
	grace time.Duration
	mu    sync.Mutex
	// entries are in the order obtained; a token's id is its index.
	entries []entry
}

func newLedger(grace time.Duration) *ledger {
	return &ledger{grace: grace}
}

// add records a token granted: its grant was sent at requested and said
// it expires in expiresIn. It returns the token's id.
func (l *ledger) add(token string, requested time.Time, expiresIn time.Duration) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, entry{token: token, requested: requested, expires: requested.Add(expiresIn)})
	return len(l.entries) - 1
}

// len is how many tokens the ledger holds.
func (l *ledger) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// token is token id itself.
func (l *ledger) token(id int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.entries[id].token
}

// recent is how many of the newest tokens pickIntrospect favours: a new
// token and a new revocation are where a cache would be wrong.
const recent = 200

// pickIntrospect chooses a token to introspect: half the time among the
// newest, otherwise among all. ok is false while the ledger is empty.
func (l *ledger) pickIntrospect(r *rand.Rand) (id int, token string, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.entries)
	if n == 0 {
		return 0, "", false
	}
	if r.IntN(2) == 0 {
		id = n - 1 - r.IntN(min(n, recent))
	} else {
		id = r.IntN(n)
	}
	return id, l.entries[id].token, true
}

// pickRevoke chooses a token whose revocation was never asked for,
// favouring new ones, and marks it sent at now. ok is false when a few
// tries found none.
func (l *ledger) pickRevoke(r *rand.Rand, now time.Time) (id int, token string, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.entries)
	for range 8 {
		if n == 0 {
			return 0, "", false
		}
		id := n - 1 - r.IntN(min(n, recent))
		if e := &l.entries[id]; e.revokeSent.IsZero() {
			e.revokeSent = now
			return id, e.token, true
		}
	}
	return 0, "", false
}

// revoked records that the revocation of token id was answered 200 at
// done.
func (l *ledger) revoked(id int, done time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := &l.entries[id]; e.revoked.IsZero() {
		e.revoked = done
	}
}

// answer is one introspection's outcome: sent and done are when it was
// sent and when its answer arrived; sweep says it checks the ledger
// after a fault, when every service is back.
type answer struct {
	sent, done time.Time
	active     bool
	sweep      bool
}

// judge judges an answer about token id and records what it shows.
//
// A token whose revocation was never sent (or was sent after the answer
// arrived) must be active until near its expiry. Once a revocation was
// answered 200, or the token was answered inactive after its revocation
// was sent, every answer to a request sent more than grace later must be
// inactive; an answer active after an inactive one is a revoked token
// active again. Nothing is said of a token whose revocation's outcome is
// unknown until an answer shows it. A valid token a sweep answers
// inactive is a lost grant.
func (l *ledger) judge(id int, a answer) judgement {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := &l.entries[id]
	if !a.done.Before(e.expires.Add(-expiryMargin)) {
		return judgement{}
	}
	if e.revokeSent.IsZero() || a.done.Before(e.revokeSent) {
		if a.active {
			return judgement{verdict: right}
		}
		j := judgement{verdict: wrongInactive, lost: a.sweep && !e.lost}
		e.lost = e.lost || a.sweep
		e.suspect = true
		return j
	}
	since := e.revoked
	if !e.inactiveSeen.IsZero() && (since.IsZero() || e.inactiveSeen.Before(since)) {
		since = e.inactiveSeen
	}
	if !a.active {
		if e.inactiveSeen.IsZero() {
			e.inactiveSeen = a.done
		}
		return judgement{verdict: right}
	}
	switch {
	case since.IsZero() || a.sent.Before(since):
		// sent before the revocation is known to have happened
		return judgement{}
	case a.sent.Before(since.Add(l.grace)):
		return judgement{late: true}
	}
	e.suspect = true
	j := judgement{verdict: wrongActive}
	if !e.inactiveSeen.IsZero() && e.inactiveSeen.Before(a.sent) && !e.activeAgain {
		e.activeAgain = true
		j.activeAgain = true
	}
	return j
}

// sample chooses up to n tokens to check after a fault: first every
// token an answer was wrong about, then those obtained or whose
// revocation was sent at or after since, then others, at random within
// each group.
func (l *ledger) sample(r *rand.Rand, since time.Time, n int) []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	var groups [3][]int
	for id, e := range l.entries {
		switch {
		case e.suspect:
			groups[0] = append(groups[0], id)
		case !e.requested.Before(since) || !e.revokeSent.Before(since):
			groups[1] = append(groups[1], id)
		default:
			groups[2] = append(groups[2], id)
		}
	}
	var ids []int
	for _, g := range groups {
		r.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
		ids = append(ids, g...)
	}
	return ids[:min(n, len(ids))]
}
