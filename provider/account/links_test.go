package account

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// upstreamAt is where the fake connectors send the browser to link.
const upstreamAt = "https://upstream.example/authorize"

// recordingUpstreams offers GitHub, WeCom and Feishu to link, and records
// each link it is asked to start, sending the browser to upstreamAt.
type recordingUpstreams struct {
	mu      sync.Mutex
	started []startedLink
}

type startedLink struct{ connector, userID string }

func (*recordingUpstreams) Linkable(context.Context) []web.UpstreamButton {
	return []web.UpstreamButton{{ID: "github", Name: "GitHub"}, {ID: "wecom", Name: "WeCom", NameZH: "企业微信"}, {ID: "feishu", Name: "Feishu", NameZH: "飞书"}}
}

func (u *recordingUpstreams) StartLink(w http.ResponseWriter, r *http.Request, id string, user storage.User) {
	u.mu.Lock()
	u.started = append(u.started, startedLink{id, user.ID})
	u.mu.Unlock()
	http.Redirect(w, r, upstreamAt+"?connector="+id, http.StatusSeeOther)
}

// links returns the links started so far.
func (u *recordingUpstreams) links() []startedLink {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.started)
}

// wantNone fails t if a link was started.
func (u *recordingUpstreams) wantNone(t *testing.T) {
	t.Helper()
	if got := u.links(); len(got) != 0 {
		t.Fatalf("links started: %+v", got)
	}
}

// noConnectors turns linking on with no connector in use.
type noConnectors struct{}

func (noConnectors) Linkable(context.Context) []web.UpstreamButton { return nil }

func (noConnectors) StartLink(http.ResponseWriter, *http.Request, string, storage.User) {
	panic("a link started with no connector in use")
}

// linking turns linking on through ups.
func linking(ups *recordingUpstreams) func(*Config) {
	return func(c *Config) { c.Upstreams = ups }
}

// Ann's identities at WeCom (used since) and at a connector no longer
// configured (never used); Bob's at GitHub.
var (
	annsWeCom = storage.LinkedIdentity{ConnectorID: "wecom", Subject: "ann.zhang", UserID: "u-ann", Email: "ann@corp.example",
		CreatedAt: t0.Add(-72 * time.Hour), LastUsedAt: t0.Add(-3 * time.Hour)}
	annsOldSSO = storage.LinkedIdentity{ConnectorID: "old-sso", Subject: "8c1d-42", UserID: "u-ann", CreatedAt: t0.Add(-24 * time.Hour)}
	bobsGitHub = storage.LinkedIdentity{ConnectorID: "github", Subject: "bob-4711", UserID: "u-bob", Email: "bob@users.example", CreatedAt: t0.Add(-24 * time.Hour)}
)

// withLinks stores the links (Bob's needs him stored: withPasskeys).
func (h *harness) withLinks(t testing.TB, links ...storage.LinkedIdentity) {
	t.Helper()
	for _, l := range links {
		if err := h.store.LinkIdentity(t.Context(), l); err != nil {
			t.Fatal(err)
		}
	}
}

// linked reports whether the link is stored, still the user's.
func (h *harness) linked(t testing.TB, l storage.LinkedIdentity) bool {
	t.Helper()
	got, err := h.store.GetLinkedIdentity(t.Context(), l.ConnectorID, l.Subject)
	return err == nil && got.UserID == l.UserID
}

// withoutPassword stores Ann with no password, as an account created at
// an upstream sign-in is.
func (h *harness) withoutPassword(t *testing.T) {
	t.Helper()
	if _, err := h.store.UpdateUser(t.Context(), h.user.ID, func(u storage.User) (storage.User, error) {
		u.PasswordHash = ""
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
}

// unlink posts the removal of the link of connector with subject.
func (h *harness) unlink(t *testing.T, connector, subject string, header ...string) *http.Response {
	t.Helper()
	w := h.post(t, "/account/links/"+connector+"/remove", url.Values{"subject": {subject}}, header...)
	res := w.Result()
	res.Body = nil
	return res
}

func TestLinksListed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1), linking(&recordingUpstreams{}))
	h.withPasskeys(t)
	h.withLinks(t, annsWeCom, annsOldSSO, bobsGitHub)

	w := h.get(t, "/account")
	says(t, w, http.StatusOK, "Sign-in providers", "WeCom", "ann@corp.example", "2026-11-22 09:30 UTC", "2026-11-25 06:30 UTC",
		`<h3 id="link-old-sso">old-sso</h3>`, "Never", `action="/account/links/wecom/remove"`, `name="subject" value="ann.zhang"`,
		`action="/account/links/old-sso/remove"`, "Link GitHub", `action="/account/links/github"`, "Link Feishu")
	for _, hidden := range []string{"Link WeCom", `action="/account/links/wecom"`, "bob-4711", "bob@users.example"} {
		if strings.Contains(w.Body.String(), hidden) {
			t.Errorf("the page shows %s:\n%s", hidden, w.Body)
		}
	}
	says(t, h.get(t, "/account", "Accept-Language", "zh-CN"), http.StatusOK, "登录方式", "企业微信", "解除关联", "从未使用", "关联 GitHub", "关联 飞书")

	t.Run("linking off: the links are listed, by their IDs, with nothing to link", func(t *testing.T) {
		t.Parallel()
		off := newHarness(t, password.NewPool(1, 1))
		off.withLinks(t, annsWeCom)
		w := off.get(t, "/account")
		says(t, w, http.StatusOK, "Sign-in providers", `<h3 id="link-wecom">wecom</h3>`, `action="/account/links/wecom/remove"`)
		if strings.Contains(w.Body.String(), "Link GitHub") {
			t.Fatalf("linking off offers a provider to link:\n%s", w.Body)
		}
	})
	t.Run("linking off and nothing linked: no section", func(t *testing.T) {
		t.Parallel()
		if w := newHarness(t, password.NewPool(1, 1)).get(t, "/account"); strings.Contains(w.Body.String(), "Sign-in providers") {
			t.Fatalf("a sign-in providers section with linking off and no links:\n%s", w.Body)
		}
	})
	t.Run("no connector in use and nothing linked: no section", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1), func(c *Config) { c.Upstreams = noConnectors{} })
		if w := h.get(t, "/account"); strings.Contains(w.Body.String(), "Sign-in providers") {
			t.Fatalf("a sign-in providers section with no connector in use and no links:\n%s", w.Body)
		}
	})
	t.Run("linking on and nothing linked: the section says so and offers every provider", func(t *testing.T) {
		t.Parallel()
		says(t, newHarness(t, password.NewPool(1, 1), linking(&recordingUpstreams{})).get(t, "/account"), http.StatusOK,
			"No sign-in provider is linked to your account.", "Link GitHub", "Link WeCom", "Link Feishu")
	})
}

func TestStartLink(t *testing.T) {
	t.Parallel()
	t.Run("a sign-in that is not fresh is sent to sign in again, and nothing starts", func(t *testing.T) {
		t.Parallel()
		ups := &recordingUpstreams{}
		h := newHarness(t, password.NewPool(1, 1), linking(ups), signedInWith(staleTwoFactor))
		w := h.post(t, "/account/links/github", nil)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?next=/account" {
			t.Fatalf("status %d, Location %q; want 303 to /login?next=/account", w.Code, w.Header().Get("Location"))
		}
		ups.wantNone(t)
	})
	t.Run("a fresh sign-in is handed to the connector, with the account", func(t *testing.T) {
		t.Parallel()
		ups := &recordingUpstreams{}
		h := newHarness(t, password.NewPool(1, 1), linking(ups), signedInWith(freshPassword))
		w := h.post(t, "/account/links/feishu", nil)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != upstreamAt+"?connector=feishu" {
			t.Fatalf("status %d, Location %q; want 303 to the upstream", w.Code, w.Header().Get("Location"))
		}
		if got := ups.links(); !slices.Equal(got, []startedLink{{"feishu", "u-ann"}}) {
			t.Fatalf("links started: %+v", got)
		}
	})
	t.Run("a connector not in use is refused, in both languages", func(t *testing.T) {
		t.Parallel()
		ups := &recordingUpstreams{}
		h := newHarness(t, password.NewPool(1, 1), linking(ups), signedInWith(freshPassword))
		h.withLinks(t, annsOldSSO)
		for _, id := range []string{"gitlab", "old-sso", "GitHub", "%00", strings.Repeat("a", 2000)} {
			says(t, h.post(t, "/account/links/"+id, nil), http.StatusBadRequest, "That sign-in provider is not offered here.")
		}
		says(t, h.post(t, "/account/links/gitlab", nil, "Accept-Language", "zh-CN"), http.StatusBadRequest, "此处未提供该登录方式。")
		ups.wantNone(t)
	})
	t.Run("a connector the account has a link with already is refused", func(t *testing.T) {
		t.Parallel()
		ups := &recordingUpstreams{}
		h := newHarness(t, password.NewPool(1, 1), linking(ups), signedInWith(freshPassword))
		h.withLinks(t, annsWeCom)
		says(t, h.post(t, "/account/links/wecom", nil), http.StatusConflict, "That sign-in provider is already linked to your account.")
		says(t, h.post(t, "/account/links/wecom", nil, "Accept-Language", "zh-CN"), http.StatusConflict, "您的账号已关联该登录方式。")
		ups.wantNone(t)
	})
	t.Run("a form without its CSRF token is refused", func(t *testing.T) {
		t.Parallel()
		ups := &recordingUpstreams{}
		h := newHarness(t, password.NewPool(1, 1), linking(ups), func(c *Config) {
			m, err := session.New(session.Config{Store: c.Store.(session.Store), Issuer: "https://id.example"})
			if err != nil {
				t.Fatal(err)
			}
			c.Sessions = protected{signedIn{c.Store.(storage.Users), "u-ann", freshPassword}, m}
		})
		if w := h.post(t, "/account/links/github", nil, "Origin", "https://id.example"); w.Code != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", w.Code)
		}
		ups.wantNone(t)
	})
	t.Run("linking off, there is nothing to start", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1), signedInWith(freshPassword))
		if w := h.post(t, "/account/links/github", nil); w.Code != http.StatusNotFound {
			t.Fatalf("status %d, want 404", w.Code)
		}
	})
}

func TestUnlink(t *testing.T) {
	t.Parallel()
	for name, open := range stores() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			t.Run("a link goes, with its record, and the page shows it gone", func(t *testing.T) {
				t.Parallel()
				h := newHarnessOn(t, open(t), password.NewPool(1, 1), linking(&recordingUpstreams{}))
				h.withLinks(t, annsWeCom)
				w := h.post(t, "/account/links/wecom/remove", url.Values{"subject": {annsWeCom.Subject}})
				says(t, w, http.StatusOK, "Sign-in provider unlinked. It no longer signs in to your account.", "Link WeCom")
				if strings.Contains(w.Body.String(), annsWeCom.Email) {
					t.Fatalf("the page still lists the link:\n%s", w.Body)
				}
				if h.linked(t, annsWeCom) {
					t.Fatal("the link was kept")
				}
				recs := h.records(t, audit.UpstreamUnlinked)
				if len(recs) != 1 || recs[0].Subject != h.user.ID || recs[0].ActorType != audit.ActorUser || recs[0].ActorID != h.user.ID ||
					recs[0].Detail["connector"] != "wecom" || recs[0].Detail["subject"] != annsWeCom.Subject {
					t.Fatalf("upstream.unlinked records %+v", recs)
				}
				says(t, h.post(t, "/account/links/wecom/remove", url.Values{"subject": {annsWeCom.Subject}}, "Accept-Language", "zh-CN"),
					http.StatusNotFound, "您的账号未关联该登录方式，或已解除关联。")
			})
			t.Run("the last way in is kept: no password, no passkey, one link", func(t *testing.T) {
				t.Parallel()
				h := newHarnessOn(t, open(t), password.NewPool(1, 1))
				h.withoutPassword(t)
				h.withLinks(t, annsWeCom)
				says(t, h.post(t, "/account/links/wecom/remove", url.Values{"subject": {annsWeCom.Subject}}), http.StatusConflict,
					"This is the only way left to sign in to your account, so it stays.")
				says(t, h.post(t, "/account/links/wecom/remove", url.Values{"subject": {annsWeCom.Subject}}, "Accept-Language", "zh-CN"), http.StatusConflict,
					"这是您登录账号仅剩的方式")
				if !h.linked(t, annsWeCom) || len(h.records(t, audit.UpstreamUnlinked)) != 0 {
					t.Fatal("the last way in was unlinked")
				}
			})
			t.Run("with a passkey and no password, it may go", func(t *testing.T) {
				t.Parallel()
				h := newHarnessOn(t, open(t), password.NewPool(1, 1))
				h.withoutPassword(t)
				h.withPasskeys(t, annsPhone)
				h.withLinks(t, annsWeCom)
				says(t, h.post(t, "/account/links/wecom/remove", url.Values{"subject": {annsWeCom.Subject}}), http.StatusOK, "Sign-in provider unlinked.")
				if h.linked(t, annsWeCom) {
					t.Fatal("the link was kept")
				}
			})
			t.Run("with another link and no password, it may go, and the other is then the last", func(t *testing.T) {
				t.Parallel()
				h := newHarnessOn(t, open(t), password.NewPool(1, 1))
				h.withoutPassword(t)
				h.withLinks(t, annsWeCom, annsOldSSO)
				if res := h.unlink(t, "old-sso", annsOldSSO.Subject); res.StatusCode != http.StatusOK || h.linked(t, annsOldSSO) {
					t.Fatalf("status %d, the link kept %v", res.StatusCode, h.linked(t, annsOldSSO))
				}
				if res := h.unlink(t, "wecom", annsWeCom.Subject); res.StatusCode != http.StatusConflict || !h.linked(t, annsWeCom) {
					t.Fatalf("the last link: status %d, kept %v", res.StatusCode, h.linked(t, annsWeCom))
				}
			})
			t.Run("another account's link, or none, is not found and stays", func(t *testing.T) {
				t.Parallel()
				h := newHarnessOn(t, open(t), password.NewPool(1, 1))
				h.withPasskeys(t)
				h.withLinks(t, annsWeCom, bobsGitHub)
				says(t, h.post(t, "/account/links/github/remove", url.Values{"subject": {bobsGitHub.Subject}}), http.StatusNotFound,
					"That sign-in provider is not linked to your account, or it was already unlinked.")
				for _, tc := range []struct{ connector, subject string }{
					{"wecom", bobsGitHub.Subject}, {"github", annsWeCom.Subject}, {"wecom", ""}, {"wecom", "ann.zhang\x00"},
					{"wecom", "ann.zhang\xff"}, {"gitlab", "x"}, {"%00", annsWeCom.Subject}, {"wecom", strings.Repeat("a", 5000)},
				} {
					if res := h.unlink(t, tc.connector, tc.subject); res.StatusCode != http.StatusNotFound {
						t.Errorf("%s %.20q: status %d, want 404", tc.connector, tc.subject, res.StatusCode)
					}
				}
				if !h.linked(t, bobsGitHub) || !h.linked(t, annsWeCom) || len(h.records(t, audit.UpstreamUnlinked)) != 0 {
					t.Fatal("a link was removed")
				}
			})
		})
	}
}

// FuzzLinkForms posts any connector and subject to the link and unlink
// forms: the answer is never a server error, a link starts only for a
// connector in use the account has no link with, and only the exact link
// of the account goes.
func FuzzLinkForms(f *testing.F) {
	f.Add("wecom", "ann.zhang")
	f.Add("github", "bob-4711")
	f.Add("feishu", "")
	f.Add("we%com", "ann.zhang\x00")
	f.Add("a/b", "\xff")
	ups := &recordingUpstreams{}
	h := newHarness(f, password.NewPool(1, 1), linking(ups), signedInWith(freshPassword))
	h.withPasskeys(f)
	h.withLinks(f, annsWeCom, bobsGitHub)
	f.Fuzz(func(t *testing.T, id, subject string) {
		path := "/account/links/" + url.PathEscape(id)
		before := len(ups.links())
		if w := h.post(t, path, nil); w.Code >= http.StatusInternalServerError {
			t.Fatalf("link %q: status %d", id, w.Code)
		}
		if started := ups.links()[before:]; len(started) > 0 && (len(started) != 1 || started[0] != (startedLink{id, "u-ann"}) || (id != "github" && id != "feishu")) {
			t.Fatalf("link %q started %+v", id, started)
		}
		if w := h.post(t, path+"/remove", url.Values{"subject": {subject}}); w.Code >= http.StatusInternalServerError {
			t.Fatalf("unlink %q %q: status %d", id, subject, w.Code)
		}
		if !h.linked(t, bobsGitHub) {
			t.Fatal("Bob's link was removed")
		}
		if !h.linked(t, annsWeCom) {
			if id != annsWeCom.ConnectorID || subject != annsWeCom.Subject {
				t.Fatalf("unlink %q %q removed Ann's link", id, subject)
			}
			h.withLinks(t, annsWeCom) // for the next input
		}
	})
}

// provider/login comes back to /account?linked={id} after a link: the
// page says it is done, with the new link listed; not for a connector the
// account has no link with.
func TestLinkedNotice(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1), linking(&recordingUpstreams{}))
	h.withLinks(t, annsWeCom)
	says(t, h.get(t, "/account?linked=wecom"), http.StatusOK, `role="status"`, "Sign-in provider linked. You can now sign in with it.", "ann@corp.example")
	says(t, h.get(t, "/account?linked=wecom", "Accept-Language", "zh-CN"), http.StatusOK, "已关联，现在可以用该登录方式登录了。")
	for _, path := range []string{"/account", "/account?linked=github", "/account?linked="} {
		if w := h.get(t, path); w.Code != http.StatusOK || strings.Contains(w.Body.String(), `role="status"`) {
			t.Fatalf("%s: status %d, with a notice:\n%s", path, w.Code, w.Body)
		}
	}
}
