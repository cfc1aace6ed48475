package account

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/storage"
)

// TestRevokeConversation: the page lists an app's per-conversation
// grants; withdrawing one revokes the app's tokens for the user, keeps
// the rest of the grant, and is recorded.
func TestRevokeConversation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1))
	ctx := t.Context()
	if err := h.store.CreateClient(ctx, storage.Client{ID: "launch-bot", Name: "Launch Bot", Scopes: []string{"openid", "im:messages.send"}}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.SaveConsent(ctx, storage.Consent{UserID: h.user.ID, ClientID: "launch-bot", Scopes: []string{"openid"}, GrantedAt: t0}); err != nil {
		t.Fatal(err)
	}
	launch := storage.DetailGrant{Type: "im_conversation", Location: "conv:launch", Actions: []string{"messages.send"}, GrantedAt: t0}
	ops := storage.DetailGrant{Type: "im_channel", Location: "chan:ops", Actions: []string{"messages.read"}, GrantedAt: t0}
	if err := h.store.SaveDetailGrants(ctx, h.user.ID, "launch-bot", []storage.DetailGrant{launch, ops}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.CreateToken(ctx, storage.Token{Kind: storage.KindAccessToken, Signature: "at-bot", RequestID: "r-bot", ClientID: "launch-bot",
		Subject: h.user.ID, Active: true, RequestedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	says(t, h.get(t, "/account"), http.StatusOK, "Only in these conversations:", "Send messages in conv:launch", "Read messages in chan:ops",
		`action="/account/apps/conversations/revoke"`, `name="location" value="conv:launch"`, "Revoke for this conversation")
	says(t, h.get(t, "/account", "Accept-Language", "zh-CN"), http.StatusOK, "在 conv:launch 中发送消息", "撤销此会话的授权")

	w := h.post(t, "/account/apps/conversations/revoke", url.Values{"client_id": {"launch-bot"}, "type": {"im_conversation"}, "location": {"conv:launch"}})
	says(t, w, http.StatusOK, "Access revoked", "Read messages in chan:ops")
	if tok, err := h.store.GetToken(ctx, storage.KindAccessToken, "at-bot"); err != nil || tok.Active {
		t.Fatalf("the app's token: %+v, %v; want revoked", tok, err)
	}
	left, err := h.store.ListDetailGrants(ctx, h.user.ID, "launch-bot")
	if err != nil || len(left) != 1 || left[0].Location != "chan:ops" {
		t.Fatalf("left %+v, %v", left, err)
	}
	if c, err := h.store.GetConsent(ctx, h.user.ID, "launch-bot"); err != nil || !slices.Equal(c.Scopes, []string{"openid"}) {
		t.Fatalf("the consent: %+v, %v; want it kept", c, err)
	}
	recs := h.records(t, audit.ConsentWithdrawn)
	if len(recs) != 1 || recs[0].Detail["location"] != "conv:launch" || recs[0].Detail["tokens_revoked"] != "1" || recs[0].ActorID != h.user.ID {
		t.Fatalf("records %+v", recs)
	}

	t.Run("a grant not remembered revokes nothing", func(t *testing.T) {
		for _, form := range []url.Values{
			{"client_id": {"launch-bot"}, "type": {"im_conversation"}, "location": {"conv:launch"}},
			{"client_id": {"launch-bot"}, "type": {"im_channel"}, "location": {"chan:\x00"}},
			{"client_id": {"someone-else"}, "type": {"im_channel"}, "location": {"chan:ops"}},
		} {
			says(t, h.post(t, "/account/apps/conversations/revoke", form), http.StatusOK, "Read messages in chan:ops")
		}
		if recs := h.records(t, audit.ConsentWithdrawn); len(recs) != 1 {
			t.Fatalf("%d records, want 1", len(recs))
		}
		if _, err := h.store.GetConsent(ctx, h.user.ID, "launch-bot"); errors.Is(err, storage.ErrNotFound) {
			t.Fatal("the consent is gone")
		}
	})
}
