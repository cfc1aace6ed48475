package admin

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/webhooks"
	"github.com/tokenim/tokenim-auth/storage"
)

// webhookConsole is the console with the webhook service, the recorder
// queuing webhook messages.
func webhookConsole(t *testing.T) *consoleHarness {
	t.Helper()
	h := newConsole(t)
	sealer, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	h.api.cfg.Audit = audit.NewRecorder(audit.RecorderConfig{Store: h.store, Now: h.api.cfg.Now, Outbox: webhooks.NewOutbox(h.store)})
	h.api.cfg.Webhooks = webhooks.NewService(webhooks.ServiceConfig{Store: h.store, Secrets: sealer, Audit: h.api.cfg.Audit, Now: h.api.cfg.Now})
	return h
}

var shownSecret = regexp.MustCompile(`<code id="webhook-secret">(whsec_[^<]+)</code>`)

func TestConsoleWebhooks(t *testing.T) {
	t.Parallel()
	h := webhookConsole(t)
	if w := h.get(t, "/admin/webhooks"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "No webhook yet.") {
		t.Fatalf("empty list: %d", w.Code)
	}
	refused := h.post(t, "/admin/webhooks/create", url.Values{"url": {"http://crm.example.com/in"}, "event_types": {"user.created"}})
	if refused.Code != http.StatusBadRequest || !strings.Contains(refused.Body.String(), "The URL must be https") ||
		!strings.Contains(refused.Body.String(), `value="http://crm.example.com/in"`) {
		t.Fatalf("refused: %d %s", refused.Code, refused.Body)
	}
	if w := h.post(t, "/admin/webhooks/create", url.Values{"url": {"https://crm.example.com/in"}, "client_id": {"nope"}}); w.Code != http.StatusBadRequest ||
		!strings.Contains(w.Body.String(), "No app has this client ID.") {
		t.Errorf("unknown app: %d", w.Code)
	}

	made := h.post(t, "/admin/webhooks/create", url.Values{"url": {"https://crm.example.com/in"}, "client_id": {"chat"}, "description": {"CRM"}})
	m := shownSecret.FindStringSubmatch(made.Body.String())
	if made.Code != http.StatusCreated || m == nil {
		t.Fatalf("created: %d, secret shown: %v", made.Code, m != nil)
	}
	subs, err := h.store.ListWebhooks(t.Context())
	if err != nil || len(subs) != 1 || subs[0].ClientID != "chat" {
		t.Fatalf("stored %+v, %v", subs, err)
	}
	id := subs[0].ID
	page := h.get(t, "/admin/webhooks/"+id)
	if page.Code != http.StatusOK || strings.Contains(page.Body.String(), "whsec_") {
		t.Fatalf("the page again: %d, and the secret must not show", page.Code)
	}

	if w := h.post(t, "/admin/webhooks/"+id, url.Values{"url": {"https://crm.example.com/v2"}, "event_types": {"grant.withdrawn"}, "disabled": {"true"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", w.Code, w.Body)
	}
	if sub, _ := h.store.GetWebhook(t.Context(), id); sub.URL != "https://crm.example.com/v2" || !sub.Disabled || len(sub.EventTypes) != 1 {
		t.Errorf("saved %+v", sub)
	}
	if w := h.post(t, "/admin/webhooks/"+id, url.Values{"url": {"https://crm.example.com/v2"}, "event_types": {"nope"}}); w.Code != http.StatusBadRequest {
		t.Errorf("save an unknown event type: %d", w.Code)
	}
	h.post(t, "/admin/webhooks/"+id, url.Values{"url": {"https://crm.example.com/v2"}})

	if w := h.get(t, "/admin/webhooks/"+id+"/rotate"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `action="/admin/webhooks/`+id+`/rotate"`) {
		t.Fatalf("confirm rotate: %d", w.Code)
	}
	rotated := h.post(t, "/admin/webhooks/"+id+"/rotate", url.Values{})
	r := shownSecret.FindStringSubmatch(rotated.Body.String())
	if rotated.Code != http.StatusOK || r == nil || r[1] == m[1] {
		t.Fatalf("rotated: %d", rotated.Code)
	}

	// A grant withdrawn is queued for the app's webhook; once finished it
	// may be sent again.
	if w := h.post(t, "/admin/grants/u-ann/chat/revoke", url.Values{}); w.Code != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", w.Code)
	}
	ms, err := h.store.ListWebhookMessages(t.Context(), id, 10)
	if err != nil || len(ms) != 1 {
		t.Fatalf("messages %+v, %v", ms, err)
	}
	resend := "/admin/webhooks/" + id + "/deliveries/" + strconv.FormatInt(ms[0].ID, 10) + "/resend"
	if w := h.post(t, resend, url.Values{}); w.Code != http.StatusConflict {
		t.Errorf("resend a queued one: %d", w.Code)
	}
	claimed, err := h.store.ClaimWebhookMessages(t.Context(), t0, 0, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatal(err)
	}
	if err := h.store.FinishWebhookMessage(t.Context(), claimed[0].ID, storage.WebhookFailed, 10); err != nil {
		t.Fatal(err)
	}
	if w := h.get(t, "/admin/webhooks/"+id); !strings.Contains(w.Body.String(), `href="`+resend+`"`) {
		t.Errorf("the page offers no resend of a given-up delivery")
	}
	if w := h.get(t, resend); w.Code != http.StatusOK {
		t.Errorf("confirm resend: %d", w.Code)
	}
	if w := h.post(t, resend, url.Values{}); w.Code != http.StatusSeeOther {
		t.Errorf("resend: %d %s", w.Code, w.Body)
	}
	if w := h.get(t, "/admin/webhooks/"+id+"/deliveries/999/resend"); w.Code != http.StatusNotFound {
		t.Errorf("confirm resend of an unknown delivery: %d", w.Code)
	}

	if w := h.post(t, "/admin/webhooks/"+id+"/delete", url.Values{}); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/webhooks?done=webhook-deleted" {
		t.Fatalf("delete: %d %s", w.Code, w.Header().Get("Location"))
	}
	if w := h.get(t, "/admin/webhooks/"+id); w.Code != http.StatusNotFound {
		t.Errorf("deleted page: %d", w.Code)
	}
	if w := h.get(t, "/admin/webhooks/"+id+"/explode"); w.Code != http.StatusNotFound {
		t.Errorf("unknown action: %d", w.Code)
	}
	var actions []string
	for _, rec := range records(t, h.store) {
		if strings.HasPrefix(rec.Action, "webhook.") {
			actions = append(actions, rec.Action)
			if rec.ActorID != "u-admin" {
				t.Errorf("record %+v: want the admin as actor", rec)
			}
		}
	}
	if want := "webhook.deleted webhook.resent webhook.secret_rotated webhook.updated webhook.updated webhook.created"; strings.Join(actions, " ") != want {
		t.Errorf("records %v, want %s", actions, want)
	}
}
