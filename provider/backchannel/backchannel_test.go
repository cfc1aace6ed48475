package backchannel_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/backchannel"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// signer numbers the tokens it signs, so a test can tell attempts apart.
type signer struct {
	mu sync.Mutex
	n  int
}

func (s *signer) LogoutToken(_ context.Context, clientID, subject, sid string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return fmt.Sprintf("token-%d-for-%s-%s-%s", s.n, clientID, subject, sid), nil
}

// client is a relying party's back-channel logout endpoint answering with
// the statuses given, in turn (then 200), and keeping what it received.
type client struct {
	mu       sync.Mutex
	statuses []int
	got      []string
	types    []string
}

func (c *client) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, r.PostFormValue("logout_token"))
	c.types = append(c.types, r.Method+" "+r.Header.Get("Content-Type"))
	status := http.StatusOK
	if len(c.statuses) > 0 {
		status, c.statuses = c.statuses[0], c.statuses[1:]
	}
	if status >= 300 && status < 400 {
		// Were it followed, this same endpoint would get a second request.
		w.Header().Set("Location", "/elsewhere")
	}
	w.WriteHeader(status)
}

func (c *client) received() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.got...)
}

// observer keeps the outcomes reported to it, in turn.
type observer struct {
	mu   sync.Mutex
	seen []string
}

func (o *observer) BackchannelDelivery(outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen = append(o.seen, outcome)
}

func (o *observer) outcomes() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.seen...)
}

// world is a store where user u1 signed in to client rp through session
// s1, a sender over it with a settable clock, and rp's endpoint.
type world struct {
	store  *memory.Store
	sender *backchannel.Sender
	rp     *client
	seen   *observer
	now    time.Time
}

func newWorld(t *testing.T, uri func(srv *httptest.Server) string, statuses ...int) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{store: memory.New(), rp: &client{statuses: statuses}, seen: &observer{}, now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	srv := httptest.NewServer(w.rp)
	t.Cleanup(srv.Close)
	must(t, w.store.CreateClient(ctx, storage.Client{ID: "rp", Name: "RP", Type: storage.ClientConfidential, BackchannelLogoutURI: uri(srv)}))
	must(t, w.store.CreateUser(ctx, storage.User{ID: "u1", Email: "ann@example.com", Status: storage.UserActive}))
	must(t, w.store.CreateLoginSession(ctx, storage.LoginSession{ID: "s1", UserID: "u1", ExpiresAt: w.now.Add(time.Hour)}))
	must(t, w.store.RecordSessionSignIn(ctx, storage.SessionSignIn{SessionID: "s1", ClientID: "rp", SID: "sid-1"}))
	w.sender = backchannel.New(backchannel.Config{
		Store: w.store, Signer: &signer{}, Attempts: 3, Observer: w.seen,
		Audit: audit.NewRecorder(audit.RecorderConfig{Store: w.store}),
		Now:   func() time.Time { return w.now },
	})
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// round runs one round of the sender and returns how many it took.
func (w *world) round(t *testing.T) int {
	t.Helper()
	n, err := w.sender.Once(t.Context())
	must(t, err)
	return n
}

// records lists the logout records, oldest first, as "action outcome
// reason attempts status".
func (w *world) records(t *testing.T) []string {
	t.Helper()
	recs, err := w.store.ListAudit(t.Context(), storage.AuditFilter{Actions: []string{audit.LogoutNotified, audit.LogoutFailed}}, storage.AuditCursor{}, 100)
	must(t, err)
	var out []string
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		if r.Subject != "u1" || r.ClientID != "rp" || r.ActorType != audit.ActorSystem || r.Detail["sid"] != "sid-1" {
			t.Errorf("record %+v: want subject u1, client rp, actor system, sid sid-1", r)
		}
		out = append(out, fmt.Sprintf("%s %s %s attempts=%s status=%s", r.Action, r.Outcome, r.Reason, r.Detail["attempts"], r.Detail["http_status"]))
	}
	return out
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func serverURL(srv *httptest.Server) string { return srv.URL + "/backchannel" }

func TestSender(t *testing.T) {
	t.Run("a sign-out is delivered once, as a form POST of a fresh token, and recorded", func(t *testing.T) {
		w := newWorld(t, serverURL)
		must(t, w.store.DeleteLoginSession(t.Context(), "s1"))
		if n := w.round(t); n != 1 {
			t.Fatalf("took %d, want 1", n)
		}
		same(t, "received", w.rp.received(), []string{"token-1-for-rp-u1-sid-1"})
		same(t, "request", w.rp.types, []string{"POST application/x-www-form-urlencoded"})
		same(t, "records", w.records(t), []string{"logout.notified success  attempts=1 status=200"})
		same(t, "outcomes", w.seen.outcomes(), []string{backchannel.OutcomeDelivered})
		w.now = w.now.Add(time.Hour)
		if n := w.round(t); n != 0 {
			t.Fatalf("a later round took %d, want none", n)
		}
	})

	t.Run("a failure is retried after 5s, then 10s, with a new token each time", func(t *testing.T) {
		w := newWorld(t, serverURL, http.StatusInternalServerError, http.StatusServiceUnavailable)
		must(t, w.store.DeleteLoginSession(t.Context(), "s1"))
		w.round(t)
		w.now = w.now.Add(4 * time.Second)
		if n := w.round(t); n != 0 {
			t.Fatalf("retried after 4s (%d)", n)
		}
		w.now = w.now.Add(time.Second)
		if n := w.round(t); n != 1 {
			t.Fatalf("not retried after 5s (%d)", n)
		}
		w.now = w.now.Add(9 * time.Second)
		if n := w.round(t); n != 0 {
			t.Fatalf("retried 9s after the second failure (%d)", n)
		}
		w.now = w.now.Add(time.Second)
		w.round(t)
		same(t, "received", w.rp.received(), []string{"token-1-for-rp-u1-sid-1", "token-2-for-rp-u1-sid-1", "token-3-for-rp-u1-sid-1"})
		same(t, "records", w.records(t), []string{"logout.notified success  attempts=3 status=200"})
		same(t, "outcomes", w.seen.outcomes(), []string{backchannel.OutcomeRetried, backchannel.OutcomeRetried, backchannel.OutcomeDelivered})
	})

	t.Run("a client that keeps failing is given up after the last attempt", func(t *testing.T) {
		w := newWorld(t, serverURL, 500, 500, 500, 500)
		must(t, w.store.DeleteLoginSession(t.Context(), "s1"))
		for range 5 {
			w.round(t)
			w.now = w.now.Add(time.Hour)
		}
		if got := len(w.rp.received()); got != 3 {
			t.Fatalf("%d attempts, want 3", got)
		}
		same(t, "records", w.records(t), []string{"logout.failed failure http_status attempts=3 status=500"})
		same(t, "outcomes", w.seen.outcomes(), []string{backchannel.OutcomeRetried, backchannel.OutcomeRetried, backchannel.OutcomeFailed})
	})

	t.Run("a redirect is not followed and counts as a failure", func(t *testing.T) {
		w := newWorld(t, serverURL, http.StatusFound, http.StatusFound, http.StatusFound)
		must(t, w.store.DeleteLoginSession(t.Context(), "s1"))
		w.round(t)
		same(t, "received", w.rp.received(), []string{"token-1-for-rp-u1-sid-1"})
	})

	t.Run("an unreachable endpoint is a network failure", func(t *testing.T) {
		w := newWorld(t, func(srv *httptest.Server) string {
			srv.Close()
			return serverURL(srv)
		})
		must(t, w.store.DeleteLoginSession(t.Context(), "s1"))
		for range 3 {
			w.round(t)
			w.now = w.now.Add(time.Hour)
		}
		same(t, "records", w.records(t), []string{"logout.failed failure network attempts=3 status="})
	})

	t.Run("a client that removed its URI since is given up at once", func(t *testing.T) {
		w := newWorld(t, serverURL)
		must(t, w.store.DeleteLoginSession(t.Context(), "s1"))
		_, err := w.store.UpdateClient(t.Context(), "rp", func(c storage.Client) (storage.Client, error) {
			c.BackchannelLogoutURI = ""
			return c, nil
		})
		must(t, err)
		w.round(t)
		same(t, "received", w.rp.received(), nil)
		same(t, "records", w.records(t), []string{"logout.failed failure not_registered attempts=1 status="})
		same(t, "outcomes", w.seen.outcomes(), []string{backchannel.OutcomeFailed})
	})
}
