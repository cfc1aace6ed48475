package login

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

const expiredActivation = "This activation link has expired or was already used."

func TestActivationTakesAPress(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	dana := h.addUser(t, "dana@example.com", "violet-harbour-42", func(u *storage.User) { u.Status, u.EmailVerified = storage.UserPending, false })
	if err := h.store.CreateClient(t.Context(), storage.Client{ID: "chat", Name: "Chat"}); err != nil {
		t.Fatal(err)
	}
	flow := storage.Flow{ID: "flow-8c1d", ClientID: "chat", Query: "ui_locales=zh-CN", ExpiresAt: t0.Add(time.Hour)}
	if err := h.store.CreateFlow(t.Context(), flow); err != nil {
		t.Fatal(err)
	}
	token := h.addLink(t, dana.ID, storage.LinkActivate)
	open := "/activate?" + url.Values{"token": {token}, "flow": {flow.ID}}.Encode()

	status := func() storage.UserStatus {
		t.Helper()
		u, err := h.store.GetUser(t.Context(), dana.ID)
		if err != nil {
			t.Fatal(err)
		}
		return u.Status
	}
	t.Run("opening the link shows a button and changes nothing", func(t *testing.T) {
		for range 2 { // a mail scanner, then the user
			w := h.get(t, open)
			wantPage(t, w, http.StatusOK, `action="/activate"`, `name="token" value="`+token+`"`, `name="flow" value="flow-8c1d"`, "激活账号")
		}
		if s := status(); s != storage.UserPending {
			t.Fatalf("opening the link made the account %s", s)
		}
	})
	t.Run("an unknown link shows the link-expired page", func(t *testing.T) {
		wantPage(t, h.get(t, "/activate?token=bm9wZQ"), http.StatusBadRequest, expiredActivation, `action="/activate/resend"`, `href="/login"`)
		wantPage(t, h.post(t, "/activate", url.Values{"token": {"bm9wZQ"}}), http.StatusBadRequest, expiredActivation)
	})
	t.Run("the button activates the account, once, and leads back to the app", func(t *testing.T) {
		w := h.post(t, "/activate", url.Values{"token": {token}, "flow": {flow.ID}})
		wantPage(t, w, http.StatusOK, "您的账号已激活", `href="/login?flow=flow-8c1d"`)
		if s := status(); s != storage.UserActive {
			t.Fatalf("after the press the account is %s", s)
		}
		wantPage(t, h.post(t, "/activate", url.Values{"token": {token}}), http.StatusBadRequest, expiredActivation)
		wantPage(t, h.get(t, open), http.StatusBadRequest)
	})
}
