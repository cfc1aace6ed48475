package consent_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/authzdetails"
	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/storage"
)

// launchAndOps asks to read and send in conv:launch and to read in
// chan:ops.
const launchAndOps = `[{"type":"im_conversation","actions":["messages.read","messages.send"],"locations":["conv:launch"]},` +
	`{"type":"im_channel","actions":["messages.read"],"locations":["chan:ops"]}]`

// namesServer is the IM platform's lookup callback on loopback, called
// with timeout: short where the test waits for it to pass, long enough
// elsewhere that a busy machine does not turn an answer into a fallback.
func namesServer(t *testing.T, h http.HandlerFunc, timeout time.Duration) *consent.Lookup {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	l, err := consent.NewLookup(consent.LookupConfig{URL: srv.URL, Timeout: timeout, Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func naming(t *testing.T, names map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Locations []string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			t.Errorf("lookup body: %v", err)
		}
		out := map[string]string{}
		for _, l := range in.Locations {
			if n, ok := names[l]; ok {
				out[l] = n
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"names": out})
	}
}

func TestDetailsShownByName(t *testing.T) {
	t.Parallel()
	lookup := namesServer(t, naming(t, map[string]string{"conv:launch": "#launch-team", "chan:ops": "<b>ops</b>"}), 10*time.Second)
	h := newHarness(t, func(c *consent.Config) {
		c.Names = lookup
		c.RoleScopes["member"] = append(c.RoleScopes["member"], "im:messages.send")
	})
	if _, err := h.store.UpdateClient(t.Context(), chat, func(c storage.Client) (storage.Client, error) {
		c.Scopes = append(c.Scopes, "im:messages.send")
		return c, nil
	}); err != nil {
		t.Fatal(err)
	}
	flow := h.flow(t, "scope", "openid", "authorization_details", launchAndOps)
	wantPage(t, h.show(t, flow), http.StatusOK, "Only in these conversations", "Read messages in #launch-team<br>Send messages in #launch-team",
		`name="detail" value="0" checked`, `name="detail" value="1" checked`, "(conv:launch)", html.EscapeString("Read messages in <b>ops</b>"))
	wantPage(t, h.show(t, flow, "Accept-Language", "zh-CN"), http.StatusOK, "查看 #launch-team 中的消息<br>在 #launch-team 中发送消息")

	t.Run("a guest is offered only reading", func(t *testing.T) {
		h.browser.signIn(h.gus)
		w := h.show(t, flow)
		wantPage(t, w, http.StatusOK, "Read messages in #launch-team")
		if strings.Contains(w.Body.String(), "Send messages") {
			t.Fatalf("a guest is offered sending:\n%s", w.Body)
		}
		h.browser.signIn(h.ann)
	})
}

// TestDetailsLookupFallsBackToIDs: a lookup that does not answer in time
// (the handler waits for the request to be given up), or answers badly,
// leaves the IDs on the page.
func TestDetailsLookupFallsBackToIDs(t *testing.T) {
	t.Parallel()
	for name, handler := range map[string]http.HandlerFunc{
		"times out": func(w http.ResponseWriter, r *http.Request) {
			// Once the body is read the server notices the client going
			// away, which ends the request's context.
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		},
		"fails":    func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusBadGateway) },
		"not JSON": func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>")) },
		"too long": func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"names":{"conv:launch":"` + strings.Repeat("x", 70<<10) + `"}}`))
		},
		"control characters": naming(t, map[string]string{"conv:launch": "launch\x00team"}),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(c *consent.Config) { c.Names = namesServer(t, handler, 200*time.Millisecond) })
			flow := h.flow(t, "scope", "openid", "authorization_details", launchAndOps)
			wantPage(t, h.show(t, flow), http.StatusOK, "Read messages in conv:launch", "Read messages in chan:ops")
		})
	}
}

func TestLookupCaches(t *testing.T) {
	t.Parallel()
	calls := 0
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		naming(t, map[string]string{"conv:1": "one"})(w, r)
	}))
	t.Cleanup(srv.Close)
	l, err := consent.NewLookup(consent.LookupConfig{URL: srv.URL, CacheTTL: time.Minute, Client: srv.Client(), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if got := l.Names(t.Context(), []string{"conv:1"}); got["conv:1"] != "one" {
			t.Fatalf("names %v", got)
		}
	}
	if calls != 1 {
		t.Fatalf("%d calls within the TTL, want 1", calls)
	}
	now = now.Add(2 * time.Minute)
	l.Names(t.Context(), []string{"conv:1"})
	if calls != 2 {
		t.Fatalf("%d calls after the TTL, want 2", calls)
	}
}

// TestUntickedDetailIsNotGranted: the flow's request keeps only the
// ticked details, and only those are remembered.
func TestUntickedDetailIsNotGranted(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	flow := h.flow(t, "scope", "openid im:messages.read", "authorization_details", launchAndOps)
	form := decide(flow, "allow", true)
	form.Add("detail", "1")
	form.Add("detail", "7") // no such detail: ignored
	wantResume(t, h.post(t, form), flow)
	q, _ := url.ParseQuery(h.stored(t, flow).Query)
	got, err := authzdetails.Parse(q.Get("authorization_details"))
	want := authzdetails.List{{Type: "im_channel", Actions: []string{"messages.read"}, Locations: []string{"chan:ops"}}}
	if err != nil || !got.Covers(want) || !want.Covers(got) {
		t.Fatalf("the flow asks for %v (%v), want %v", got, err, want)
	}
	gs, err := h.store.ListDetailGrants(t.Context(), h.ann.ID, chat)
	if err != nil || len(gs) != 1 || gs[0].Location != "chan:ops" || !slices.Equal(gs[0].Actions, []string{"messages.read"}) {
		t.Fatalf("remembered %+v (%v)", gs, err)
	}
	if recs := h.records(t); len(recs) != 1 || recs[0].Detail["authorization_details"] != want.String() {
		t.Fatalf("records %+v", recs)
	}

	t.Run("unticking all leaves no details", func(t *testing.T) {
		flow := h.flow(t, "scope", "openid", "authorization_details", launchAndOps)
		wantResume(t, h.post(t, decide(flow, "allow", false)), flow)
		if q, _ := url.ParseQuery(h.stored(t, flow).Query); q.Has("authorization_details") {
			t.Fatalf("the flow still asks for %q", q.Get("authorization_details"))
		}
	})
	t.Run("remembering more keeps what was remembered", func(t *testing.T) {
		flow := h.flow(t, "scope", "openid", "authorization_details", launchAndOps)
		form := decide(flow, "allow", true)
		form.Add("detail", "0")
		wantResume(t, h.post(t, form), flow)
		gs, err := h.store.ListDetailGrants(t.Context(), h.ann.ID, chat)
		if err != nil || len(gs) != 2 {
			t.Fatalf("remembered %+v (%v), want chan:ops and conv:launch", gs, err)
		}
	})
}
