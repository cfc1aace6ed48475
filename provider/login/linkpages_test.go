package login

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// linkPage is what an emailed link's page says, in one language.
type linkPage struct {
	form    []string // a live link's form
	expired []string // an unknown, expired or used link's page
}

// TestLinkPagesSayUpFront: opening a reset or activation link that is
// unknown, expired or already used says so at once, with the form asking
// for a new link, rather than a form that fails after typing; a live link
// gets its form. In both languages.
func TestLinkPagesSayUpFront(t *testing.T) {
	t.Parallel()
	kinds := []struct {
		name    string
		purpose storage.LinkPurpose
		path    string
		// use spends a live link as its form does.
		use   func(h *harness, t *testing.T, token string)
		pages map[string]linkPage
	}{
		{
			name: "reset", purpose: storage.LinkPasswordReset, path: "/password/reset",
			use: func(h *harness, t *testing.T, token string) {
				wantPage(t, h.post(t, "/password/reset", resetForm(token, "new-secret-pass-1")), http.StatusOK)
			},
			pages: map[string]linkPage{
				"en": {
					form:    []string{"Choose a new password", `name="password"`, `action="/password/reset"`},
					expired: []string{"This link can no longer be used", expiredReset, `action="/password/forgot"`, `name="email"`, "Send reset link"},
				},
				"zh-CN": {
					form:    []string{"设置新密码", `name="password"`},
					expired: []string{"此链接已无法使用", "此重置链接已过期或已被使用。请输入您的邮箱地址以重新获取。", `action="/password/forgot"`, "发送重置链接"},
				},
			},
		},
		{
			name: "activation", purpose: storage.LinkActivate, path: "/activate",
			use: func(h *harness, t *testing.T, token string) {
				wantPage(t, h.post(t, "/activate", url.Values{"token": {token}}), http.StatusOK)
			},
			pages: map[string]linkPage{
				"en": {
					form:    []string{"Activate your account", `action="/activate"`, "Activate account"},
					expired: []string{"This link can no longer be used", expiredActivation, `action="/activate/resend"`, `name="email"`, "Send the activation link again", `href="/login"`},
				},
				"zh-CN": {
					form:    []string{"激活您的账号", `action="/activate"`},
					expired: []string{"此链接已无法使用", "此激活链接已过期或已被使用。", `action="/activate/resend"`, "重新发送激活链接", "已激活？前往登录"},
				},
			},
		},
	}
	for _, k := range kinds {
		for lang, want := range k.pages {
			check := func(t *testing.T, h *harness, token string, status int, texts []string, not ...string) {
				t.Helper()
				w := h.get(t, k.path+"?"+url.Values{"token": {token}}.Encode(), "Accept-Language", lang)
				wantPage(t, w, status, texts...)
				if got := w.Header().Get("Content-Language"); got != lang {
					t.Errorf("page in %q, want %q", got, lang)
				}
				for _, s := range not {
					if strings.Contains(w.Body.String(), s) {
						t.Errorf("the page has %s", s)
					}
				}
			}
			pending := func(h *harness, t *testing.T) string {
				u := h.addUser(t, "dana@example.com", "violet-harbour-42", func(u *storage.User) { u.Status, u.EmailVerified = storage.UserPending, false })
				return h.addLink(t, u.ID, k.purpose)
			}
			t.Run(k.name+" in "+lang+": a live link shows its form, and opening it spends nothing", func(t *testing.T) {
				t.Parallel()
				h := newHarness(t)
				token := pending(h, t)
				for range 2 {
					check(t, h, token, http.StatusOK, want.form, "/activate/resend", `action="/password/forgot"`)
				}
				k.use(h, t, token)
			})
			t.Run(k.name+" in "+lang+": an unknown link says so before anything is typed", func(t *testing.T) {
				t.Parallel()
				h := newHarness(t)
				for _, token := range []string{"bm9wZQ", "", strings.Repeat("x", 4096)} {
					check(t, h, token, http.StatusBadRequest, want.expired, `name="token"`, `name="password"`)
				}
			})
			t.Run(k.name+" in "+lang+": an expired link says so before anything is typed", func(t *testing.T) {
				t.Parallel()
				h := newHarness(t)
				token := pending(h, t)
				h.advance(time.Hour + time.Second) // addLink's links live an hour
				check(t, h, token, http.StatusBadRequest, want.expired, `name="token"`, `name="password"`)
			})
			t.Run(k.name+" in "+lang+": a used link says so before anything is typed", func(t *testing.T) {
				t.Parallel()
				h := newHarness(t)
				token := pending(h, t)
				k.use(h, t, token)
				check(t, h, token, http.StatusBadRequest, want.expired, `name="token"`, `name="password"`)
			})
		}
	}
}

// The language chosen with the pages' switcher is the link page's too: the
// mail's link carries no language.
func TestLinkPagesFollowTheSwitcher(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ann := h.addUser(t, "ann@example.com", "violet-harbour-42")
	token := h.addLink(t, ann.ID, storage.LinkPasswordReset)
	w := h.get(t, "/password/reset?"+url.Values{"token": {token}}.Encode(), "Accept-Language", "en", "Cookie", "tokenim_lang=zh-CN")
	wantPage(t, w, http.StatusOK, "设置新密码")
	wantPage(t, h.get(t, "/password/reset?token=bm9wZQ", "Accept-Language", "en", "Cookie", "tokenim_lang=zh-CN"), http.StatusBadRequest, "此重置链接已过期或已被使用")
}

// An expired activation link's page goes on with the app's sign-in while
// its flow lives, in the app's language; a dead flow is not offered.
func TestExpiredActivationKeepsALiveFlow(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if err := h.store.CreateClient(t.Context(), storage.Client{ID: "chat", Name: "Chat"}); err != nil {
		t.Fatal(err)
	}
	flow := storage.Flow{ID: "flow-8c1d", ClientID: "chat", Query: "ui_locales=zh-CN", ExpiresAt: t0.Add(time.Hour)}
	if err := h.store.CreateFlow(t.Context(), flow); err != nil {
		t.Fatal(err)
	}
	open := "/activate?" + url.Values{"token": {"bm9wZQ"}, "flow": {flow.ID}}.Encode()
	wantPage(t, h.get(t, open, "Accept-Language", "en"), http.StatusBadRequest,
		"此激活链接已过期或已被使用", `name="flow" value="flow-8c1d"`, `href="/login?flow=flow-8c1d"`)
	// The POST that finds the link gone since its page was shown says the same.
	wantPage(t, h.post(t, "/activate", url.Values{"token": {"bm9wZQ"}, "flow": {flow.ID}}), http.StatusBadRequest,
		"此激活链接已过期或已被使用", `name="flow" value="flow-8c1d"`)
	h.advance(2 * time.Hour)
	w := h.get(t, open, "Accept-Language", "en")
	wantPage(t, w, http.StatusBadRequest, expiredActivation, `href="/login"`)
	if strings.Contains(w.Body.String(), `name="flow"`) {
		t.Errorf("the page offers an expired flow:\n%s", w.Body)
	}
	wantPage(t, h.get(t, "/activate?token=bm9wZQ&flow=no-such-flow"), http.StatusBadRequest, expiredActivation, `href="/login"`)
}
