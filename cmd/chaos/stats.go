package main

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// kind is what a request asks.
type kind int

const (
	grant      kind = iota // POST /oauth2/token, client credentials
	introspect             // POST /oauth2/introspect
	revoke                 // POST /oauth2/revoke
	kinds
)

func (k kind) String() string {
	switch k {
	case grant:
		return "grant"
	case introspect:
		return "introspect"
	case revoke:
		return "revoke"
	}
	return "unknown"
}

// event is one request and its outcome.
type event struct {
	kind kind
	// sweep: an introspection of the check after a fault, not load.
	sweep      bool
	sent, done time.Time
	// status is the HTTP status, 0 when no answer came (refused,
	// reset, timed out).
	status int
	// retryAfter: the answer had a Retry-After header.
	retryAfter bool
	// garbled: a 200 whose body could not be read as the endpoint's
	// JSON.
	garbled bool
	// judgement is the ledger's, for an introspection.
	judgement judgement
}

// failed says whether the request went wrong in any way: no answer, a
// status other than 200, a body that made no sense or a wrong answer.
func (e event) failed() bool {
	v := e.judgement.verdict
	return e.status != http.StatusOK || e.garbled || v == wrongActive || v == wrongInactive
}

// recorder keeps every event. It is safe for concurrent use.
type recorder struct {
	mu     sync.Mutex
	events []event
}

func (r *recorder) add(e event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// all is a copy of the events so far.
func (r *recorder) all() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// tally sums the events of a window.
type tally struct {
	// requests counts the load's requests by kind; swept the sweeps'
	// introspections.
	requests [kinds]int
	swept    int
	// status5xx counts answers 500 to 599 by kind; unavailable those of
	// them that were 503 with Retry-After.
	status5xx   [kinds]int
	unavailable int
	// noAnswer: refused, reset or timed out; otherStatus: any other
	// status but 200; garbled: a 200 that made no sense.
	noAnswer, otherStatus, garbled int
	// wrongActive and wrongInactive count wrong introspection answers;
	// late the revoked tokens answered active within the grace period.
	wrongActive, wrongInactive, late int
	// lost and activeAgain count tokens, each once, in the window where
	// it was first seen.
	lost, activeAgain int
	// good counts the load's requests that did not fail.
	good int
}

// tallyOf sums the events whose answer came in [from, to).
func tallyOf(events []event, from, to time.Time) tally {
	var t tally
	for _, e := range events {
		if e.done.Before(from) || !e.done.Before(to) {
			continue
		}
		if e.sweep {
			t.swept++
		} else {
			t.requests[e.kind]++
			if !e.failed() {
				t.good++
			}
		}
		switch {
		case e.status == 0:
			t.noAnswer++
		case e.status >= 500 && e.status <= 599:
			t.status5xx[e.kind]++
			if e.status == http.StatusServiceUnavailable && e.retryAfter {
				t.unavailable++
			}
		case e.status != http.StatusOK:
			t.otherStatus++
		case e.garbled:
			t.garbled++
		}
		switch e.judgement.verdict {
		case wrongActive:
			t.wrongActive++
		case wrongInactive:
			t.wrongInactive++
		}
		if e.judgement.late {
			t.late++
		}
		if e.judgement.lost {
			t.lost++
		}
		if e.judgement.activeAgain {
			t.activeAgain++
		}
	}
	return t
}

// total is the number of load requests.
func (t tally) total() int {
	n := 0
	for _, r := range t.requests {
		n += r
	}
	return n
}

// total5xx is the number of answers 500 to 599.
func (t tally) total5xx() int {
	n := 0
	for _, r := range t.status5xx {
		n += r
	}
	return n
}

// wrong is the number of wrong introspection answers.
func (t tally) wrong() int {
	return t.wrongActive + t.wrongInactive
}

// failing says whether the window shows what makes the run fail: a wrong
// answer, a lost grant or a revoked token active again. Errors during an
// outage do not.
func (t tally) failing() bool {
	return t.wrong() > 0 || t.lost > 0 || t.activeAgain > 0
}

// goodRate is the load's requests that did not fail, per second, over
// [from, to).
func goodRate(events []event, from, to time.Time) float64 {
	if !to.After(from) {
		return 0
	}
	return float64(tallyOf(events, from, to).good) / to.Sub(from).Seconds()
}

// second is one second of load: requests that did not fail, and the
// others.
type second struct {
	good, failed int
}

// perSecond counts the load's requests second by second over n whole
// seconds from from, by when their answer came.
func perSecond(events []event, from time.Time, n int) []second {
	secs := make([]second, n)
	for _, e := range events {
		if e.sweep || e.done.Before(from) {
			continue
		}
		i := int(e.done.Sub(from) / time.Second)
		if i >= n {
			continue
		}
		if e.failed() {
			secs[i].failed++
		} else {
			secs[i].good++
		}
	}
	return secs
}

// normalShare is the share of the steady rate a second must reach to
// count as normal throughput.
const normalShare = 0.9

// recovery is how long after the fault's end the load was back: the end
// of the first second with no failed request and at least normalShare of
// the steady rate, in whole seconds ("within N s"). ok is false when no
// second of secs qualifies.
func recovery(secs []second, steady float64) (within int, ok bool) {
	for i, s := range secs {
		if s.failed == 0 && float64(s.good) >= normalShare*steady {
			return i + 1, true
		}
	}
	return 0, false
}
