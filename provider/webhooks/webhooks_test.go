package webhooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/webhooks"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// The spec's published test vector: a receiver using any Standard
// Webhooks library computes the same signature.
func TestSignMatchesTheStandardWebhooksVector(t *testing.T) {
	t.Parallel()
	key, err := webhooks.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := webhooks.Sign([][]byte{key}, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("signature %q, want %q", got, want)
	}
	two := webhooks.Sign([][]byte{key, []byte("other")}, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if parts := strings.Split(two, " "); len(parts) != 2 || parts[0] != got {
		t.Errorf("two keys: %q, want the first key's signature then another, space-separated", two)
	}
}

func TestSecretText(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!"} {
		if _, err := webhooks.ParseSecret(bad); !errors.Is(err, webhooks.ErrSecret) {
			t.Errorf("ParseSecret(%q) = %v, want ErrSecret", bad, err)
		}
	}
}

func TestEventOf(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		action, outcome, want string
	}{
		{audit.UserCreated, "", webhooks.UserCreated},
		{audit.UpstreamJITCreated, "", webhooks.UserCreated},
		{audit.UserDisabled, "", webhooks.UserDisabled},
		{audit.UserDeleted, "", webhooks.UserDeleted},
		{audit.SignOut, "", webhooks.SessionEnded},
		{audit.SignOutEverywhere, "", webhooks.SessionEnded},
		{audit.PasswordReset, "", webhooks.SessionEnded},
		{audit.UpstreamLogout, audit.Failure, ""}, // a refused logout token ended nothing
		{audit.ConsentGranted, "", webhooks.GrantGiven},
		{audit.ConsentWithdrawn, "", webhooks.GrantWithdrawn},
		{audit.SecretRotated, "", webhooks.AppSecretRotated},
		{audit.TokenRevoked, "", webhooks.TokenFamilyRevoked},
		{audit.RefreshReuse, audit.Failure, webhooks.TokenFamilyRevoked},
		{audit.SignIn, "", ""},
		{audit.TokenIssued, "", ""},
		{audit.WebhookDelivered, "", ""},
		{audit.WebhookFailed, audit.Failure, ""},
	} {
		got, ok := webhooks.EventOf(storage.AuditRecord{Action: c.action, Outcome: cmpOr(c.outcome, audit.Success)})
		if got != c.want || ok != (c.want != "") {
			t.Errorf("EventOf(%s %s) = %q, %v; want %q", c.action, c.outcome, got, ok, c.want)
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// clock is a test's clock, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// receiver is a subscriber's endpoint: it answers with the statuses
// given, in turn (then 200), and keeps each request.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []request
}

type request struct {
	header http.Header
	body   []byte
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, request{req.Header.Clone(), body})
	status := http.StatusOK
	if len(r.statuses) > 0 {
		status, r.statuses = r.statuses[0], r.statuses[1:]
	}
	if status >= 300 && status < 400 {
		w.Header().Set("Location", "/elsewhere") // followed, this endpoint would get a second request
	}
	w.WriteHeader(status)
}

func (r *receiver) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// world is a memory store with an app, the recorder feeding the outbox,
// the service and a sender, on a clock of their own.
type world struct {
	store   storage.Store
	clock   *clock
	audit   *audit.Recorder
	service *webhooks.Service
	sender  *webhooks.Sender
	admin   audit.Actor
}

func newWorld(t *testing.T, cfg webhooks.SenderConfig) *world {
	t.Helper()
	return newWorldOn(t, memory.New(), cfg)
}

// newWorldOn is newWorld on st.
func newWorldOn(t *testing.T, st storage.Store, cfg webhooks.SenderConfig) *world {
	t.Helper()
	c := &clock{t: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)}
	sealer, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	rec := audit.NewRecorder(audit.RecorderConfig{Store: st, Now: c.Now, Outbox: webhooks.NewOutbox(st)})
	for _, id := range []string{"rp", "other"} {
		if err := st.CreateClient(t.Context(), storage.Client{ID: id, Name: id, Type: storage.ClientConfidential}); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Store, cfg.Secrets, cfg.Audit, cfg.Now = st, sealer, rec, c.Now
	return &world{
		store: st, clock: c, audit: rec,
		service: webhooks.NewService(webhooks.ServiceConfig{Store: st, Secrets: sealer, Audit: rec, Now: c.Now}),
		sender:  webhooks.NewSender(cfg),
		admin:   audit.Actor{Type: audit.ActorUser, ID: "admin"},
	}
}

// subscribe makes a subscription to the receiver's URL and returns it with
// its secret.
func (w *world) subscribe(t *testing.T, url string, in webhooks.Input) (storage.WebhookSubscription, string) {
	t.Helper()
	in.URL = url
	sub, sec, err := w.service.Create(t.Context(), w.admin, in)
	if err != nil {
		t.Fatalf("create subscription: %v", err)
	}
	return sub, sec
}

func (w *world) once(t *testing.T) int {
	t.Helper()
	n, err := w.sender.Once(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *world) record(t *testing.T, e audit.Event) {
	t.Helper()
	if err := w.audit.Record(t.Context(), e); err != nil {
		t.Fatal(err)
	}
}

func (w *world) messages(t *testing.T, sub string) []storage.WebhookMessage {
	t.Helper()
	ms, err := w.store.ListWebhookMessages(t.Context(), sub, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func (w *world) records(t *testing.T, action string) []storage.AuditRecord {
	t.Helper()
	rs, err := w.store.ListAudit(t.Context(), storage.AuditFilter{Actions: []string{action}}, storage.AuditCursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func types(ms []storage.WebhookMessage) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.EventType)
	}
	return out
}

// eachStore runs fn on a memory store and on a Postgres schema.
func eachStore(t *testing.T, fn func(t *testing.T, st storage.Store)) {
	t.Run("memory", func(t *testing.T) { t.Parallel(); fn(t, memory.New()) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, pgtest.Open(t)) })
}

// A record queues one message per subscription that takes it: a platform
// one every event, an app's only those naming the app, a filtered one its
// types, a disabled one nothing; a record rolled back queues nothing.
func TestOutboxQueuesWithTheRecord(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, st storage.Store) {
		outboxQueuesWithTheRecord(t, newWorldOn(t, st, webhooks.SenderConfig{}))
	})
}

func outboxQueuesWithTheRecord(t *testing.T, w *world) {
	const url = "https://hooks.example/in"
	platform, _ := w.subscribe(t, url, webhooks.Input{})
	app, _ := w.subscribe(t, url, webhooks.Input{ClientID: "rp"})
	other, _ := w.subscribe(t, url, webhooks.Input{ClientID: "other"})
	grants, _ := w.subscribe(t, url, webhooks.Input{EventTypes: []string{webhooks.GrantGiven}})
	off, _ := w.subscribe(t, url, webhooks.Input{Disabled: true})

	w.record(t, audit.Event{Action: audit.UserCreated, Subject: "u1"}.ByUser("admin"))
	w.record(t, audit.Event{Action: audit.ConsentGranted, Subject: "u1", ClientID: "rp", Scopes: []string{"openid"}}.ByUser("u1"))
	w.record(t, audit.Event{Action: audit.SignIn, Subject: "u1"}.ByUser("u1"))
	err := w.audit.InTx(t.Context(), w.store, func(context.Context) ([]audit.Event, error) {
		return []audit.Event{{Action: audit.UserDisabled, Subject: "u1"}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	errSample := errors.New("sample")
	err = w.audit.InTx(t.Context(), w.store, func(ctx context.Context) ([]audit.Event, error) {
		if err := w.audit.Record(ctx, audit.Event{Action: audit.UserCreated, Subject: "u2"}); err != nil {
			return nil, err
		}
		return nil, errSample
	})
	if !errors.Is(err, errSample) {
		t.Fatalf("rolled-back transaction: %v", err)
	}

	for _, c := range []struct {
		sub  storage.WebhookSubscription
		want []string
	}{
		{platform, []string{webhooks.UserDisabled, webhooks.GrantGiven, webhooks.UserCreated}},
		{app, []string{webhooks.GrantGiven}},
		{other, nil},
		{grants, []string{webhooks.GrantGiven}},
		{off, nil},
	} {
		if got := types(w.messages(t, c.sub.ID)); !slices.Equal(got, c.want) {
			t.Errorf("subscription %+v queued %v, want %v", c.sub.EventTypes, got, c.want)
		}
	}

	m := w.messages(t, app.ID)[0]
	var p map[string]any
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		t.Fatal(err)
	}
	data, _ := p["data"].(map[string]any)
	if p["type"] != webhooks.GrantGiven || p["timestamp"] != "2026-12-05T09:00:00Z" || data["subject"] != "u1" ||
		data["client_id"] != "rp" || data["action"] != audit.ConsentGranted {
		t.Errorf("payload %s", m.Payload)
	}
	if !strings.HasPrefix(m.MessageID, "msg_") || m.MessageID == w.messages(t, platform.ID)[1].MessageID {
		t.Errorf("message ID %q: want msg_… and one per subscription", m.MessageID)
	}
}

// A 500 is retried after the backoff, with the same webhook-id and a
// fresh timestamp and signature; each attempt is logged, and the
// delivery is an authorization record that itself queues nothing.
func TestSenderRetriesAfterA500(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, st storage.Store) {
		senderRetriesAfterA500(t, newWorldOn(t, st, webhooks.SenderConfig{Retry: time.Minute}))
	})
}

func senderRetriesAfterA500(t *testing.T, w *world) {
	rcv := &receiver{statuses: []int{http.StatusInternalServerError}}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	sub, sec := w.subscribe(t, srv.URL+"/hook", webhooks.Input{})
	w.record(t, audit.Event{Action: audit.UserCreated, Subject: "u1"})

	if n := w.once(t); n != 1 {
		t.Fatalf("first round took %d, want 1", n)
	}
	if n := w.once(t); n != 0 {
		t.Fatalf("a round before the backoff took %d, want 0", n)
	}
	w.clock.Add(time.Hour) // far past the tolerance of the first attempt's timestamp
	if n := w.once(t); n != 1 {
		t.Fatalf("round after the backoff took %d, want 1", n)
	}
	got := rcv.requests()
	if len(got) != 2 {
		t.Fatalf("receiver got %d requests, want 2", len(got))
	}
	if err := verify(sec, got[1].header, got[1].body, w.clock.Now()); err != nil {
		t.Errorf("retry does not verify: %v", err)
	}
	if err := verify(sec, got[0].header, got[0].body, w.clock.Now()); err == nil {
		t.Error("the first attempt, an hour old, verified: the timestamp tolerance does not hold")
	}
	if got[0].header.Get("webhook-id") != got[1].header.Get("webhook-id") || got[0].header.Get("webhook-timestamp") == got[1].header.Get("webhook-timestamp") {
		t.Errorf("attempts' headers %v and %v: want the same id, another timestamp", got[0].header, got[1].header)
	}
	if ct := got[1].header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	ms := w.messages(t, sub.ID)
	if len(ms) != 1 || ms[0].State != storage.WebhookDelivered || ms[0].Attempts != 2 {
		t.Fatalf("messages %+v, want one delivered after 2 attempts", ms)
	}
	log, err := w.store.ListWebhookAttempts(t.Context(), sub.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[0].Status != 200 || log[0].ErrorClass != "" || log[1].Status != 500 || log[1].ErrorClass != webhooks.ClassStatus {
		t.Errorf("log %+v, want the 200 then the 500", log)
	}
	if rs := w.records(t, audit.WebhookDelivered); len(rs) != 1 || rs[0].Detail["attempts"] != "2" || rs[0].Detail["webhook"] != sub.ID {
		t.Errorf("delivered records %+v", rs)
	}
	if n := w.once(t); n != 0 {
		t.Errorf("the delivery's record queued %d messages", n)
	}
}

// After Attempts failures the message is given up, recorded as
// webhook.failed; a redirect is a failure, never followed.
func TestSenderGivesUpAfterTheCap(t *testing.T) {
	t.Parallel()
	w := newWorld(t, webhooks.SenderConfig{Retry: time.Second, Attempts: 3})
	rcv := &receiver{statuses: []int{http.StatusFound, 503, 500, 500}}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	sub, _ := w.subscribe(t, srv.URL, webhooks.Input{})
	w.record(t, audit.Event{Action: audit.TokenRevoked, Subject: "u1", ClientID: "rp"})
	for range 3 {
		if n := w.once(t); n != 1 {
			t.Fatalf("round took %d, want 1", n)
		}
		w.clock.Add(time.Hour)
	}
	if n := w.once(t); n != 0 {
		t.Errorf("a round after the cap took %d", n)
	}
	if n := len(rcv.requests()); n != 3 {
		t.Errorf("receiver got %d requests, want 3 (a redirect is not followed)", n)
	}
	ms := w.messages(t, sub.ID)
	if len(ms) != 1 || ms[0].State != storage.WebhookFailed {
		t.Fatalf("messages %+v, want one failed", ms)
	}
	rs := w.records(t, audit.WebhookFailed)
	if len(rs) != 1 || rs[0].Reason != webhooks.ClassStatus || rs[0].Detail["http_status"] != "503" && rs[0].Detail["http_status"] != "500" {
		t.Errorf("failed records %+v", rs)
	}
}

// After a rotation both secrets sign until the grace ends: a receiver
// holding either accepts; then only the new one does.
func TestRotationSignsWithBothSecrets(t *testing.T) {
	t.Parallel()
	w := newWorld(t, webhooks.SenderConfig{})
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	sub, oldSecret := w.subscribe(t, srv.URL, webhooks.Input{})
	rotated, newSecret, err := w.service.RotateSecret(t.Context(), w.admin, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if newSecret == oldSecret || !strings.HasPrefix(newSecret, "whsec_") {
		t.Fatalf("new secret %q", newSecret)
	}
	if key, _ := webhooks.ParseSecret(newSecret); len(key) != 32 {
		t.Errorf("new secret holds %d bytes, want 32", len(key))
	}
	if !rotated.PreviousUntil.Equal(w.clock.Now().Add(24 * time.Hour)) {
		t.Errorf("previous secret until %v", rotated.PreviousUntil)
	}
	w.record(t, audit.Event{Action: audit.UserCreated, Subject: "u1"})
	w.once(t)
	w.clock.Add(25 * time.Hour)
	w.record(t, audit.Event{Action: audit.UserCreated, Subject: "u2"})
	w.once(t)
	got := rcv.requests()
	if len(got) != 2 {
		t.Fatalf("receiver got %d requests", len(got))
	}
	during, after := got[0], got[1]
	if n := len(strings.Split(during.header.Get("webhook-signature"), " ")); n != 2 {
		t.Errorf("during the grace: %d signatures, want 2", n)
	}
	sentAt := w.clock.Now().Add(-25 * time.Hour)
	for name, sec := range map[string]string{"old": oldSecret, "new": newSecret} {
		if err := verify(sec, during.header, during.body, sentAt); err != nil {
			t.Errorf("during the grace, a receiver with the %s secret refuses: %v", name, err)
		}
	}
	if err := verify(newSecret, after.header, after.body, w.clock.Now()); err != nil {
		t.Errorf("after the grace, the new secret refuses: %v", err)
	}
	if err := verify(oldSecret, after.header, after.body, w.clock.Now()); err == nil {
		t.Error("after the grace, the old secret still verifies")
	}
}

// A finished message sent again keeps its webhook-id; a pending one is
// refused.
func TestResend(t *testing.T) {
	t.Parallel()
	w := newWorld(t, webhooks.SenderConfig{})
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	sub, _ := w.subscribe(t, srv.URL, webhooks.Input{})
	w.record(t, audit.Event{Action: audit.UserCreated, Subject: "u1"})
	m := w.messages(t, sub.ID)[0]
	if err := w.service.Resend(t.Context(), w.admin, sub.ID, m.ID); !errors.Is(err, webhooks.ErrStillQueued) {
		t.Errorf("resend pending: %v, want ErrStillQueued", err)
	}
	w.once(t)
	if err := w.service.Resend(t.Context(), w.admin, sub.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.service.Resend(t.Context(), w.admin, sub.ID, m.ID+100); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("resend unknown: %v, want ErrNotFound", err)
	}
	w.once(t)
	got := rcv.requests()
	if len(got) != 2 || got[0].header.Get("webhook-id") != got[1].header.Get("webhook-id") || string(got[0].body) != string(got[1].body) {
		t.Errorf("resent %d requests; want the same message twice", len(got))
	}
	if rs := w.records(t, audit.WebhookResent); len(rs) != 1 {
		t.Errorf("resent records %+v", rs)
	}
}

func TestServiceRefusesBadInput(t *testing.T) {
	t.Parallel()
	w := newWorld(t, webhooks.SenderConfig{})
	for _, c := range []struct {
		in    webhooks.Input
		field string
	}{
		{webhooks.Input{}, "url"},
		{webhooks.Input{URL: "http://hooks.example/in"}, "url"},
		{webhooks.Input{URL: "ftp://hooks.example/in"}, "url"},
		{webhooks.Input{URL: "https://hooks.example/in#x"}, "url"},
		{webhooks.Input{URL: "https://u:p@hooks.example/in"}, "url"},
		{webhooks.Input{URL: "https://hooks.example/" + strings.Repeat("a", 2000)}, "url"},
		{webhooks.Input{URL: "https://hooks.example/in", EventTypes: []string{"user.created", "nope"}}, "event_types"},
		{webhooks.Input{URL: "https://hooks.example/in", Description: "a\x00b"}, "description"},
	} {
		_, _, err := w.service.Create(t.Context(), w.admin, c.in)
		var p *webhooks.Problem
		if !errors.As(err, &p) || p.Field != c.field {
			t.Errorf("Create(%+v) = %v, want a problem with %s", c.in, err, c.field)
		}
	}
	if _, _, err := w.service.Create(t.Context(), w.admin, webhooks.Input{URL: "https://hooks.example/in", ClientID: "nope"}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown app: %v, want ErrNotFound", err)
	}
	sub, _, err := w.service.Create(t.Context(), w.admin, webhooks.Input{URL: "http://127.0.0.1:9/in", EventTypes: []string{"grant.given", "grant.given"}})
	if err != nil {
		t.Fatalf("loopback http: %v", err)
	}
	if !slices.Equal(sub.EventTypes, []string{"grant.given"}) {
		t.Errorf("event types %v, want one grant.given", sub.EventTypes)
	}
	if rs := w.records(t, audit.WebhookCreated); len(rs) != 1 || strings.Contains(rs[0].Detail["url"], "whsec_") {
		t.Errorf("created records %+v", rs)
	}
}

func FuzzServiceInput(f *testing.F) {
	f.Add("https://hooks.example/in", "user.created", "note")
	f.Add("http://[::1]:80/x", "", "")
	f.Add("https://h\x00/", "grant.given,grant.given", "\xff")
	st := memory.New()
	sealer, _ := secret.NewSealer(make([]byte, 32))
	svc := webhooks.NewService(webhooks.ServiceConfig{Store: st, Secrets: sealer})
	f.Fuzz(func(t *testing.T, url, events, description string) {
		var types []string
		if events != "" {
			types = strings.Split(events, ",")
		}
		sub, sec, err := svc.Create(context.Background(), audit.Actor{}, webhooks.Input{URL: url, EventTypes: types, Description: description})
		var p *webhooks.Problem
		if err != nil && !errors.As(err, &p) {
			t.Fatalf("Create: %v, want nil or a Problem", err)
		}
		if err == nil {
			if _, perr := webhooks.ParseSecret(sec); perr != nil || len(sub.URL) > webhooks.MaxURL {
				t.Fatalf("accepted %+v with secret error %v", sub, perr)
			}
			for _, typ := range sub.EventTypes {
				if !slices.Contains(webhooks.EventTypes(), typ) {
					t.Fatalf("accepted unknown type %q", typ)
				}
			}
		}
	})
}
