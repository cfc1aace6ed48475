package login

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/session"
)

// hints verifies the ID tokens it knows, returning their payload.
type hints map[string]string

func (k hints) Verify(_ context.Context, compact string) ([]byte, error) {
	if p, ok := k[compact]; ok {
		return []byte(p), nil
	}
	return nil, errors.New("not signed by us")
}

func withHints(c *Config) {
	c.Keys = hints{"hint-chat": `{"aud":"chat-web"}`, "hint-both": `{"aud":["chat-web","other"]}`, "hint-no-aud": `{"sub":"u"}`}
}

func TestLogoutPage(t *testing.T) {
	t.Parallel()
	t.Run("on its own: asks, then signs out and says so", func(t *testing.T) {
		t.Parallel()
		h := signedInWithApp(t)
		wantPage(t, h.get(t, "/oauth2/logout"), http.StatusOK, "Sign out of TokenIM?", "You will be signed out of TokenIM in this browser.", `name="csrf_token"`)
		wantPage(t, h.get(t, "/oauth2/logout?ui_locales=zh-CN"), http.StatusOK, "确定要退出登录吗？")
		if !h.signedIn(t) {
			t.Fatal("showing the page signed the user out")
		}
		wantPage(t, h.post(t, "/oauth2/logout", url.Values{session.CSRFField: {"t"}, "ui_locales": {"zh-CN"}}), http.StatusOK, "您已退出登录")
		if h.signedIn(t) {
			t.Fatal("the confirmation did not sign out")
		}
		if recs := h.records(t, audit.SignOut); len(recs) != 1 || recs[0].Outcome != audit.Success || recs[0].Subject == "" {
			t.Fatalf("sign-out records %+v, want one", recs)
		}
		// Signed out already: nothing to ask.
		wantPage(t, h.get(t, "/oauth2/logout"), http.StatusOK, "You have signed out")
	})
	t.Run("an ID token hint names the app", func(t *testing.T) {
		t.Parallel()
		h := signedInWithApp(t, withHints)
		for _, hint := range []string{"hint-chat", "hint-both"} {
			q := url.Values{"id_token_hint": {hint}, "client_id": {"chat-web"}, "post_logout_redirect_uri": {chatBye}}
			if hint == "hint-chat" {
				q.Del("client_id")
			}
			wantPage(t, h.get(t, "/oauth2/logout?"+q.Encode()), http.StatusOK, "Acme Chat asked to sign you out.", `value="`+html.EscapeString(chatBye)+`"`)
		}
	})
	for _, tc := range []struct {
		name, en, zh string
		q            url.Values
	}{
		{"a return address not registered for the app", "The address to return to after signing out is not registered for this app.", "该应用未登记此退出登录后的返回地址。",
			url.Values{"client_id": {"chat-web"}, "post_logout_redirect_uri": {evilSite + "/"}}},
		{"a return address without an app", "The address to return to after signing out is not registered", "该应用未登记此退出登录后的返回地址。",
			url.Values{"post_logout_redirect_uri": {chatBye}}},
		{"an unknown app", "The app that sent you here is not registered with TokenIM.", "发起请求的应用未在 TokenIM 注册",
			url.Values{"client_id": {"nope"}}},
		{"an ID token hint not ours", "This sign-in link is not valid.", "此登录链接无效", url.Values{"id_token_hint": {"forged"}}},
		{"an ID token hint without an audience", "This sign-in link is not valid.", "此登录链接无效", url.Values{"id_token_hint": {"hint-no-aud"}}},
		{"an ID token hint of another app", "This sign-in link is not valid.", "此登录链接无效",
			url.Values{"id_token_hint": {"hint-chat"}, "client_id": {"other"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := signedInWithApp(t, withHints)
			wantPage(t, h.get(t, "/oauth2/logout?"+tc.q.Encode()), http.StatusBadRequest, tc.en)
			wantPage(t, h.get(t, "/oauth2/logout?"+tc.q.Encode(), "Accept-Language", "zh-CN"), http.StatusBadRequest, tc.zh)
			confirmed := url.Values{session.CSRFField: {"t"}}
			for k, v := range tc.q {
				confirmed[k] = v
			}
			wantPage(t, h.post(t, "/oauth2/logout", confirmed), http.StatusBadRequest, tc.en)
			if !h.signedIn(t) {
				t.Fatal("a refused request signed the user out")
			}
		})
	}
}
