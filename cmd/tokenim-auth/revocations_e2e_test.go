package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// sseEvent is one event of a Server-Sent Events stream.
type sseEvent struct {
	id, event string
	data      map[string]any
}

// subscription reads the revocation stream of one node.
type subscription struct {
	events chan sseEvent
	cancel context.CancelFunc
}

// subscribe opens the revocation stream at base as the IM gateway,
// resuming after lastID when it is not empty.
func subscribe(t *testing.T, base, lastID string) *subscription {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/oauth2/revocations", nil)
	req.SetBasicAuth("im-gateway", gatewaySecret)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		t.Fatalf("subscribe: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &subscription{events: make(chan sseEvent, 100), cancel: cancel}
	t.Cleanup(cancel)
	go func() {
		defer resp.Body.Close()
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if e.event != "" {
					s.events <- e
				}
				e = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				e.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				e.event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &e.data)
			}
		}
	}()
	return s
}

// eventDeadline bounds the wait for an event the test expects: a deadline
// after which the test fails, not a measure of the stream's latency (one
// poll of the chain, measured by make loadtest, not here).
const eventDeadline = 15 * time.Second

// next returns the next event, failing the test if none comes before
// eventDeadline.
func (s *subscription) next(t *testing.T) sseEvent {
	t.Helper()
	select {
	case e, ok := <-s.events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return e
	case <-time.After(eventDeadline):
		t.Fatalf("no event within %s", eventDeadline)
		return sseEvent{}
	}
}

// TestRevocationStream: a gateway subscribed on one node sees revocations
// made on another, and nothing else; resuming with Last-Event-ID it gets
// what it missed, and nothing twice. That nothing came in between is shown
// by order: the stream is ordered, so the next event being the one the
// test caused means none came before it.
func TestRevocationStream(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 2, "")
	a := newApp(t, c.nodes[0])
	opsToken := func(node int) *oauth2.Token {
		t.Helper()
		cc := clientcredentials.Config{ClientID: "ops", ClientSecret: gatewaySecret, TokenURL: c.at(node, "/oauth2/token"), Scopes: []string{"admin"}, AuthStyle: oauth2.AuthStyleInHeader}
		tok, err := cc.Token(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	revoke := func(node int, token string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, c.at(node, "/oauth2/revoke"), strings.NewReader(url.Values{"token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("ops", gatewaySecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("revoke on node %d: %v %v", node, resp, err)
		}
		resp.Body.Close()
	}

	t.Run("only resource servers may subscribe", func(t *testing.T) {
		for name, setAuth := range map[string]func(*http.Request){
			"no credentials":        func(*http.Request) {},
			"a wrong secret":        func(r *http.Request) { r.SetBasicAuth("im-gateway", "wrong") },
			"not a resource server": func(r *http.Request) { r.SetBasicAuth("chat-web", webSecret) },
		} {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, c.at(1, "/oauth2/revocations"), nil)
			setAuth(req)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body map[string]string
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			want := http.StatusUnauthorized
			if name == "not a resource server" {
				want = http.StatusForbidden
			}
			if resp.StatusCode != want || body["error"] == "" {
				t.Errorf("%s: %d %v, want %d with an error", name, resp.StatusCode, body, want)
			}
		}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, c.at(1, "/oauth2/revocations"), nil)
		req.SetBasicAuth("im-gateway", gatewaySecret)
		req.Header.Set("Last-Event-ID", "yesterday")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a Last-Event-ID that is not a number: %d", resp.StatusCode)
		}
	})

	sub := subscribe(t, c.nodes[1].issuer, "")
	first := opsToken(0)
	jti, _ := introspect(t, c.nodes[1], first.AccessToken)["jti"].(string)
	if jti == "" {
		t.Fatal("introspection names no jti")
	}
	revoke(0, first.AccessToken)
	e := sub.next(t)
	if e.event != "revocation" || e.data["kind"] != "token" || e.data["action"] != "token.revoked" || e.data["client_id"] != "ops" || e.data["token_family"] != jti || e.id == "" {
		t.Fatalf("event %+v", e)
	}
	lastID := e.id

	// A grant withdrawn through the account page of node 0.
	b := newBrowser(t, c.nodes[0].issuer, webCallback)
	a.login(t, b, c.nodes[0])
	// Signing in and issuing revoke nothing: the next event is the grant's.
	b.submitTo(b.get(c.at(0, "/account")), "/account/apps/revoke", map[string]string{"client_id": "chat-web"})
	e = sub.next(t)
	if e.data["kind"] != "grant" || e.data["client_id"] != "chat-web" || e.data["subject"] == "" {
		t.Fatalf("grant event %+v", e)
	}
	grantID := e.id

	t.Run("a gateway that reconnects gets what it missed, nothing twice", func(t *testing.T) {
		sub.cancel()
		missed := opsToken(1)
		revoke(1, missed.AccessToken)
		resumed := subscribe(t, c.nodes[0].issuer, grantID)
		e := resumed.next(t)
		if n, g := atoi(t, e.id), atoi(t, grantID); e.data["kind"] != "token" || n <= g {
			t.Fatalf("first event after resuming: %+v (resumed after %s)", e, grantID)
		}
		// Nothing twice: the next event is a revocation made after.
		later := opsToken(0)
		revoke(0, later.AccessToken)
		if n := resumed.next(t); n.data["kind"] != "token" || atoi(t, n.id) <= atoi(t, e.id) {
			t.Fatalf("after the missed revocation the resumed stream gave %+v, want the later one", n)
		}

		again := subscribe(t, c.nodes[1].issuer, lastID)
		if e := again.next(t); e.id != grantID {
			t.Fatalf("resuming after %s gave %+v first, want the grant event %s", lastID, e, grantID)
		}
		if e := again.next(t); e.data["kind"] != "token" {
			t.Fatalf("then %+v, want the missed token revocation", e)
		}
	})
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("event ID %q: %v", s, err)
	}
	return n
}
