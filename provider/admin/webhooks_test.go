package admin

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/webhooks"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// webhookFixture is fixture with the webhook service, the recorder
// queuing webhook messages.
func webhookFixture(t *testing.T) (*API, *memory.Store) {
	t.Helper()
	a, store := fixture(t)
	sealer, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	a.cfg.Audit = audit.NewRecorder(audit.RecorderConfig{Store: store, Now: a.cfg.Now, Outbox: webhooks.NewOutbox(store)})
	a.cfg.Webhooks = webhooks.NewService(webhooks.ServiceConfig{Store: store, Secrets: sealer, Audit: a.cfg.Audit, Now: a.cfg.Now})
	return a, store
}

func TestWebhooksThroughTheAPI(t *testing.T) {
	t.Parallel()
	a, store := webhookFixture(t)
	const base = "/admin/api/v1/webhooks"

	made := decodeBody[webhookJSON](t, call(t, a, "POST", base, `{"url":"https://hooks.example/in","event_types":["user.created"],"description":"CRM"}`), http.StatusCreated)
	if !strings.HasPrefix(made.Secret, "whsec_") || made.ID == "" || made.ClientID != "" || made.EventTypes[0] != "user.created" {
		t.Fatalf("made %+v", made)
	}
	app := decodeBody[webhookJSON](t, call(t, a, "POST", base, `{"url":"http://127.0.0.1:8080/in","client_id":"chat"}`), http.StatusCreated)
	if app.ClientID != "chat" || len(app.EventTypes) != 0 {
		t.Fatalf("app's %+v", app)
	}

	list := call(t, a, "GET", base, "")
	if list.Code != http.StatusOK || strings.Contains(list.Body.String(), "whsec_") || !strings.Contains(list.Body.String(), made.ID) {
		t.Fatalf("list: %d %s; want both, never a secret", list.Code, list.Body)
	}
	only := decodeBody[struct {
		Webhooks []webhookJSON `json:"webhooks"`
	}](t, call(t, a, "GET", base+"?client_id=chat", ""), http.StatusOK)
	if len(only.Webhooks) != 1 || only.Webhooks[0].ID != app.ID {
		t.Errorf("the app's list: %+v", only.Webhooks)
	}

	for _, body := range []string{`{"url":"http://hooks.example/in"}`, `{"url":"https://hooks.example/in","event_types":["nope"]}`, `{}`} {
		w := call(t, a, "POST", base, body)
		if w.Code != http.StatusBadRequest {
			t.Errorf("POST %s: %d %s, want 400", body, w.Code, w.Body)
		}
	}
	wantRefused(t, call(t, a, "POST", base, `{"url":"https://hooks.example/in","client_id":"nope"}`), "client_id")
	wantRefused(t, call(t, a, "PATCH", base+"/"+made.ID, `{"client_id":"chat"}`), "client_id")
	if w := call(t, a, "POST", base, `{"url":"https://hooks.example/in","secret":"mine"}`); w.Code != http.StatusBadRequest {
		t.Errorf("a secret in the body: %d, want 400", w.Code)
	}

	patched := decodeBody[webhookJSON](t, call(t, a, "PATCH", base+"/"+made.ID, `{"disabled":true}`), http.StatusOK)
	if !patched.Disabled || patched.URL != "https://hooks.example/in" || patched.Description != "CRM" {
		t.Errorf("patched %+v: want disabled, the rest kept", patched)
	}
	rotated := decodeBody[webhookJSON](t, call(t, a, "POST", base+"/"+made.ID+"/rotate-secret", ""), http.StatusOK)
	if rotated.Secret == made.Secret || !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.PreviousSecretUntil == nil {
		t.Errorf("rotated %+v", rotated)
	}

	// A grant withdrawn through the API reaches the app's subscription.
	if w := call(t, a, "DELETE", "/admin/api/v1/grants/u-ann/chat", ""); w.Code != http.StatusNoContent {
		t.Fatalf("withdraw: %d %s", w.Code, w.Body)
	}
	got := decodeBody[struct {
		Deliveries []deliveryJSON `json:"deliveries"`
		Attempts   []attemptJSON  `json:"attempts"`
	}](t, call(t, a, "GET", base+"/"+app.ID+"/deliveries", ""), http.StatusOK)
	if len(got.Deliveries) != 1 || got.Deliveries[0].EventType != webhooks.GrantWithdrawn || got.Deliveries[0].State != storage.WebhookPending ||
		!strings.Contains(got.Deliveries[0].Payload, `"client_id":"chat"`) {
		t.Fatalf("deliveries %+v", got.Deliveries)
	}
	resend := base + "/" + app.ID + "/deliveries/" + strconv.FormatInt(got.Deliveries[0].ID, 10) + "/resend"
	if w := call(t, a, "POST", resend, ""); w.Code != http.StatusConflict {
		t.Errorf("resend a pending one: %d %s, want 409", w.Code, w.Body)
	}
	for _, path := range []string{base + "/" + app.ID + "/deliveries/x/resend", base + "/" + made.ID + "/deliveries/" + strconv.FormatInt(got.Deliveries[0].ID, 10) + "/resend"} {
		if w := call(t, a, "POST", path, ""); w.Code != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, w.Code)
		}
	}

	if w := call(t, a, "DELETE", base+"/"+made.ID, ""); w.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	for _, c := range []struct{ method, path string }{
		{"GET", base + "/" + made.ID}, {"DELETE", base + "/" + made.ID}, {"POST", base + "/" + made.ID + "/rotate-secret"},
		{"GET", base + "/" + made.ID + "/deliveries"},
	} {
		if w := call(t, a, c.method, c.path, ""); w.Code != http.StatusNotFound {
			t.Errorf("%s %s after the delete: %d, want 404", c.method, c.path, w.Code)
		}
	}
	var actions []string
	for _, r := range records(t, store) {
		if strings.HasPrefix(r.Action, "webhook.") {
			actions = append(actions, r.Action)
			if r.ActorID != "ops-bot" || strings.Contains(strings.Join(mapValues(r.Detail), " "), "whsec_") {
				t.Errorf("record %+v", r)
			}
		}
	}
	if want := "webhook.deleted webhook.secret_rotated webhook.updated webhook.created webhook.created"; strings.Join(actions, " ") != want {
		t.Errorf("records %v, want %s", actions, want)
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// Without the webhook service configured, the routes answer 404.
func TestWebhooksOff(t *testing.T) {
	t.Parallel()
	a, _ := fixture(t)
	if w := call(t, a, "GET", "/admin/api/v1/webhooks", ""); w.Code != http.StatusNotFound {
		t.Errorf("GET: %d, want 404", w.Code)
	}
}
