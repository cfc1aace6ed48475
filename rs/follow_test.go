package rs_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/rs"
)

// revocationFeed is a revocation stream on the fake provider: each
// connection is answered once the test has a subscriber for it, then
// streams what the test sends on events; closing a connection's events
// ends it.
type revocationFeed struct {
	// conns receives, for each connection, its Last-Event-ID and the
	// channel of the events to stream on it.
	conns chan feedConn
}

type feedConn struct {
	lastEventID string
	events      chan<- string
}

func (p *fakeProvider) revocationFeed(t *testing.T) *revocationFeed {
	t.Helper()
	f := &revocationFeed{conns: make(chan feedConn)}
	p.mux.HandleFunc("GET /oauth2/revocations", func(w http.ResponseWriter, r *http.Request) {
		if id, _, ok := r.BasicAuth(); !ok || id != rsID {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		events := make(chan string)
		select {
		case f.conns <- feedConn{lastEventID: r.Header.Get("Last-Event-ID"), events: events}:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		for {
			select {
			case e, ok := <-events:
				if !ok {
					return
				}
				fmt.Fprint(w, e)
				w.(http.Flusher).Flush()
			case <-r.Context().Done():
				return
			}
		}
	})
	return f
}

// next waits for the verifier's next connection.
func (f *revocationFeed) next(t *testing.T) feedConn {
	t.Helper()
	select {
	case c := <-f.conns:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("the verifier did not connect to the revocation stream")
		return feedConn{}
	}
}

// waitSignal waits for a value on ch.
func waitSignal[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10s", what)
		var zero T
		return zero
	}
}

func TestFollowRevocationsSignalsEachSubscription(t *testing.T) {
	const tok = "ory_at_ann.sig"
	p, c := newFakeProvider(t), newClock()
	feed := p.revocationFeed(t)
	p.set(tok, map[string]any{
		"active": true, "sub": "user-ann", "client_id": "chat-bot", "scope": "im:messages.read", "token_type": "Bearer",
		"token_use": "access_token", "jti": "family-1", "exp": c.Now().Add(time.Hour).Unix(), "iss": p.srv.URL,
	})
	subscribed := make(chan struct{}, 2)
	v := newVerifier(t, p, c, rs.Config{CacheTTL: time.Hour, OnSubscribed: func() { subscribed <- struct{}{} }})
	if _, err := v.Verify(t.Context(), tok); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	events := make(chan rs.Event, 10)
	done := make(chan error, 1)
	go func() { done <- v.FollowRevocations(ctx, func(e rs.Event) { events <- e }) }()
	t.Cleanup(func() { cancel(); <-done })

	first := feed.next(t)
	waitSignal(t, subscribed, "subscription signal")
	if first.lastEventID != "" {
		t.Fatalf("the first connection resumes after %q, want from now on", first.lastEventID)
	}
	first.events <- "id: 7\nevent: revocation\ndata: {\"seq\":7,\"kind\":\"token\",\"client_id\":\"chat-bot\",\"token_family\":\"family-1\"}\n\n"
	if e := waitSignal(t, events, "revocation event"); e.Seq != 7 || e.TokenFamily != "family-1" {
		t.Fatalf("event %+v, want seq 7 of family-1", e)
	}
	// The provider now says inactive: the token is asked again only if
	// the event dropped it from the cache.
	p.revoke(tok)
	if _, err := v.Verify(t.Context(), tok); !errors.Is(err, rs.ErrInvalidToken) {
		t.Fatalf("after its revocation event the token verifies: %v", err)
	}

	t.Run("a reconnection resumes after the last event and signals again", func(t *testing.T) {
		close(first.events)
		second := feed.next(t)
		if second.lastEventID != "7" {
			t.Fatalf("the reconnection resumes after %q, want 7", second.lastEventID)
		}
		waitSignal(t, subscribed, "second subscription signal")
	})
}

func TestFollowRevocationsDoesNotSignalARefusedSubscription(t *testing.T) {
	p, c := newFakeProvider(t), newClock()
	refused := make(chan struct{}, 1)
	v := newVerifier(t, p, c, rs.Config{OnSubscribed: func() { refused <- struct{}{} }})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	// The fake provider has no stream: the first attempt gets a 404, and
	// the next one would come after the context's end.
	if err := v.FollowRevocations(ctx, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("FollowRevocations returned %v, want the context's end", err)
	}
	select {
	case <-refused:
		t.Fatal("OnSubscribed was called for a 404")
	default:
	}
}

// A workspace event drops the cached tokens of its subject for that
// workspace (a member removed, an app uninstalled), or, with no subject,
// of its client there (an installation narrowed); the same user's token
// of another workspace stays cached.
func TestFollowRevocationsDropsAWorkspacesTokens(t *testing.T) {
	p, c := newFakeProvider(t), newClock()
	feed := p.revocationFeed(t)
	answer := func(sub, client, org string) map[string]any {
		return map[string]any{"active": true, "sub": sub, "client_id": client, "scope": "im:messages.read", "token_type": "Bearer",
			"token_use": "access_token", "exp": c.Now().Add(time.Hour).Unix(), "iss": p.srv.URL, "org_id": org, "org_handle": org}
	}
	tokens := map[string]map[string]any{
		"ory_at_acme.sig":     answer("user-ann", "chat", "w-acme"),
		"ory_at_beta.sig":     answer("user-ann", "chat", "w-beta"),
		"ory_at_bot.sig":      answer("inst-1", "bot", "w-beta"),
		"ory_at_bot-ann.sig":  answer("user-ann", "bot", "w-beta"),
		"ory_at_bot-gone.sig": answer("user-bob", "bot", "w-acme"),
	}
	for raw, a := range tokens {
		p.set(raw, a)
	}
	v := newVerifier(t, p, c, rs.Config{CacheTTL: time.Hour})
	for raw := range tokens {
		if _, err := v.Verify(t.Context(), raw); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	events := make(chan rs.Event, 10)
	done := make(chan error, 1)
	go func() { done <- v.FollowRevocations(ctx, func(e rs.Event) { events <- e }) }()
	t.Cleanup(func() { cancel(); <-done })
	conn := feed.next(t)
	// The provider now says every token is inactive: a token is asked
	// again only if an event dropped it from the cache.
	for raw := range tokens {
		p.revoke(raw)
	}
	conn.events <- "id: 8\nevent: revocation\ndata: {\"seq\":8,\"kind\":\"workspace\",\"subject\":\"user-ann\",\"workspace_id\":\"w-acme\"}\n\n"
	conn.events <- "id: 9\nevent: revocation\ndata: {\"seq\":9,\"kind\":\"workspace\",\"client_id\":\"bot\",\"workspace_id\":\"w-beta\"}\n\n"
	if e := waitSignal(t, events, "first event"); e.WorkspaceID != "w-acme" {
		t.Fatalf("event %+v", e)
	}
	waitSignal(t, events, "second event")
	for raw, dropped := range map[string]bool{
		"ory_at_acme.sig": true, "ory_at_beta.sig": false, "ory_at_bot.sig": true, "ory_at_bot-ann.sig": true, "ory_at_bot-gone.sig": false,
	} {
		_, err := v.Verify(t.Context(), raw)
		if got := errors.Is(err, rs.ErrInvalidToken); got != dropped {
			t.Errorf("%s: dropped %v (%v), want %v", raw, got, err, dropped)
		}
	}
}

// A revocation of a token family also drops the tokens exchanged from it
// (introspection's exchanged_from, RFC 8693), and a grant's revocation
// drops the user's exchanged tokens whatever client got them.
func TestFollowRevocationsDropsExchangedTokens(t *testing.T) {
	p, c := newFakeProvider(t), newClock()
	feed := p.revocationFeed(t)
	answer := func(sub, client string, from ...string) map[string]any {
		a := map[string]any{"active": true, "sub": sub, "client_id": client, "scope": "im:messages.read", "token_type": "Bearer",
			"token_use": "access_token", "exp": c.Now().Add(time.Hour).Unix(), "iss": p.srv.URL, "jti": "fam-" + client + "-" + sub}
		if len(from) > 0 {
			a["exchanged_from"] = from
		}
		return a
	}
	tokens := map[string]map[string]any{
		"ory_at_exchanged.sig":  answer("user-ann", "gateway", "fam-app-user-ann"),
		"ory_at_other.sig":      answer("user-ann", "gateway", "fam-other"),
		"ory_at_bo-derived.sig": answer("user-bo", "gateway", "fam-app-user-bo"),
		"ory_at_bo.sig":         answer("user-bo", "mail"),
	}
	for raw, a := range tokens {
		p.set(raw, a)
	}
	v := newVerifier(t, p, c, rs.Config{CacheTTL: time.Hour})
	for raw := range tokens {
		if _, err := v.Verify(t.Context(), raw); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	events := make(chan rs.Event, 10)
	done := make(chan error, 1)
	go func() { done <- v.FollowRevocations(ctx, func(e rs.Event) { events <- e }) }()
	t.Cleanup(func() { cancel(); <-done })
	conn := feed.next(t)
	for raw := range tokens {
		p.revoke(raw)
	}
	conn.events <- "id: 8\nevent: revocation\ndata: {\"seq\":8,\"kind\":\"token\",\"token_family\":\"fam-app-user-ann\"}\n\n"
	conn.events <- "id: 9\nevent: revocation\ndata: {\"seq\":9,\"kind\":\"grant\",\"subject\":\"user-bo\",\"client_id\":\"app\"}\n\n"
	waitSignal(t, events, "first event")
	waitSignal(t, events, "second event")
	for raw, dropped := range map[string]bool{
		"ory_at_exchanged.sig": true, "ory_at_other.sig": false, "ory_at_bo-derived.sig": true, "ory_at_bo.sig": false,
	} {
		_, err := v.Verify(t.Context(), raw)
		if got := errors.Is(err, rs.ErrInvalidToken); got != dropped {
			t.Errorf("%s: dropped %v (%v), want %v", raw, got, err, dropped)
		}
	}
}
