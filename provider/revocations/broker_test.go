package revocations_test

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/revocations"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// fixture is a memory store with a recorder and a sealer, and the stream
// served over HTTP.
type fixture struct {
	store  *memory.Store
	rec    *audit.Recorder
	sealer *audit.Sealer
	stream *revocations.Handler
	url    string
}

func newFixture(t *testing.T) *fixture {
	store := memory.New()
	sealer := audit.NewSealer(audit.SealerConfig{Store: store, Chain: audit.NewChain([]byte("0123456789abcdef0123456789abcdef"))})
	f := &fixture{store: store, sealer: sealer, rec: audit.NewRecorder(audit.RecorderConfig{Store: store})}
	f.stream = revocations.New(revocations.Config{Store: store, Poll: 20 * time.Millisecond,
		Authenticate: func(_ context.Context, r *http.Request) (string, error) {
			switch id, _, _ := r.BasicAuth(); id {
			case "gateway":
				return id, nil
			case "web":
				return id, revocations.ErrForbidden
			}
			return "", errors.New("unknown client")
		}})
	mux := http.NewServeMux()
	f.stream.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(f.stream.Close)
	f.url = srv.URL + "/oauth2/revocations"
	return f
}

// revoke records and seals a revocation of user's grant to app.
func (f *fixture) revoke(t *testing.T, user string) {
	t.Helper()
	if err := f.rec.Record(t.Context(), audit.Event{Action: audit.ConsentWithdrawn, Subject: user, ClientID: "chat"}); err != nil {
		t.Fatal(err)
	}
	if err := f.rec.Record(t.Context(), audit.Event{Action: audit.TokenIssued, Subject: user, ClientID: "chat"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sealer.SealAll(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// open subscribes and returns the IDs and subjects of the events, as they
// come.
func (f *fixture) open(t *testing.T, lastID string) (<-chan [2]string, *http.Response) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, f.url, nil)
	req.SetBasicAuth("gateway", "x")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan [2]string, 100)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var id string
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "id: "); ok {
				id = v
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok {
				i := strings.Index(v, `"subject":"`)
				subject := v[i+len(`"subject":"`):]
				out <- [2]string{id, subject[:strings.Index(subject, `"`)]}
			}
		}
	}()
	return out, resp
}

func next(t *testing.T, events <-chan [2]string) [2]string {
	t.Helper()
	select {
	case e, ok := <-events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return e
	case <-time.After(2 * time.Second):
		t.Fatal("no event")
	}
	return [2]string{}
}

func TestStream(t *testing.T) {
	f := newFixture(t)
	f.revoke(t, "before")
	live, resp := f.open(t, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("subscribe: %d", resp.StatusCode)
	}
	f.revoke(t, "u1")
	f.revoke(t, "u2")
	e1, e2 := next(t, live), next(t, live)
	if e1[1] != "u1" || e2[1] != "u2" {
		t.Fatalf("live events %v %v, want u1 then u2 (nothing from before subscribing, no token issued)", e1, e2)
	}

	t.Run("resuming gets what came after the ID, from the chain then the feed", func(t *testing.T) {
		resumed, _ := f.open(t, "0")
		for _, want := range []string{"before", "u1", "u2"} {
			if e := next(t, resumed); e[1] != want {
				t.Fatalf("resumed event %v, want %s", e, want)
			}
		}
		f.revoke(t, "u3")
		if e := next(t, resumed); e[1] != "u3" {
			t.Fatalf("then %v, want u3", e)
		}
		if e := next(t, live); e[1] != "u3" {
			t.Fatalf("the first subscriber got %v, want u3", e)
		}
	})

	t.Run("who may subscribe", func(t *testing.T) {
		for user, want := range map[string]int{"web": http.StatusForbidden, "nobody": http.StatusUnauthorized} {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, f.url, nil)
			req.SetBasicAuth(user, "x")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("%s: %d, want %d", user, resp.StatusCode, want)
			}
		}
	})

	t.Run("closing ends the open streams", func(t *testing.T) {
		f.stream.Close()
		select {
		case _, ok := <-live:
			for ok {
				_, ok = <-live
			}
		case <-time.After(2 * time.Second):
			t.Fatal("the stream stayed open after Close")
		}
	})
}

func TestStreamIgnoresOtherRecordsInItsPosition(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for range 1200 { // more than a page of records that revoke nothing
		if err := f.rec.Record(ctx, audit.Event{Action: audit.TokenIssued, ClientID: "bot"}); err != nil {
			t.Fatal(err)
		}
	}
	f.revoke(t, "u9")
	if _, err := f.sealer.SealAll(ctx); err != nil {
		t.Fatal(err)
	}
	events, _ := f.open(t, "1")
	e := next(t, events)
	if e[1] != "u9" || e[0] != "1201" {
		t.Fatalf("event %v, want u9 at 1201", e)
	}
}
