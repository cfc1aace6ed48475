package login

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

const annPassword = "violet-harbour-42"

// records returns the authorization records of action, newest first.
func (h *harness) records(t *testing.T, action string) []storage.AuditRecord {
	t.Helper()
	recs, err := h.store.ListAudit(t.Context(), storage.AuditFilter{Actions: []string{action}}, storage.AuditCursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// addFlow parks an authorization request of the app Chat with the given
// parameters (ui_locales, login_hint, acr_values, ...) and returns its ID.
func (h *harness) addFlow(t *testing.T, params ...string) string {
	t.Helper()
	if _, err := h.store.GetClient(t.Context(), "chat"); err != nil {
		if err := h.store.CreateClient(t.Context(), storage.Client{ID: "chat", Name: "Chat", CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	q := url.Values{"client_id": {"chat"}, "scope": {"openid"}}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	f := storage.Flow{ID: uuid.NewString(), ClientID: "chat", Query: q.Encode(), CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)}
	if err := h.store.CreateFlow(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	return f.ID
}

// signInForm is the sign-in form with the given fields (email, password,
// flow, next).
func signInForm(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// wantRedirect checks that the answer sends the browser to location.
func wantRedirect(t *testing.T, w *httptest.ResponseRecorder, location string) {
	t.Helper()
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != location {
		t.Fatalf("status %d to %q, want 303 to %q:\n%s", w.Code, w.Header().Get("Location"), location, w.Body)
	}
}

// whoIsSignedIn returns the browser's signed-in user's email, or "".
func (h *harness) whoIsSignedIn(t *testing.T) string {
	t.Helper()
	s, ok, err := h.browser.Current(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return ""
	}
	return s.User.Email
}

// reasons keeps the refused sign-ins the observer is told of.
type reasons struct {
	mu  sync.Mutex
	got []string
}

func (r *reasons) SignInFailed(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, reason)
}

func (r *reasons) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

func TestSignInPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	t.Run("on its own", func(t *testing.T) {
		w := h.get(t, "/login")
		wantPage(t, w, http.StatusOK, "Sign in to TokenIM", `name="email"`, `name="password"`, `name="csrf_token"`, `href="/register"`, "Forgot password?")
		wantPage(t, h.get(t, "/login", "Accept-Language", "zh-CN"), http.StatusOK, "登录 TokenIM", "忘记密码？")
	})
	t.Run("for an app: its name, the hinted email, the app's language", func(t *testing.T) {
		flow := h.addFlow(t, "login_hint", "ann@example.com")
		wantPage(t, h.get(t, "/login?flow="+flow), http.StatusOK, "Sign in to continue to Chat", `value="ann@example.com"`,
			`name="flow" value="`+flow+`"`, `href="`+html.EscapeString("/register?flow="+flow)+`"`)
		zh := h.addFlow(t, "ui_locales", "zh-CN")
		wantPage(t, h.get(t, "/login?flow="+zh), http.StatusOK, "登录以继续使用 Chat")
	})
	t.Run("a return address is kept only if it is the provider's own", func(t *testing.T) {
		wantPage(t, h.get(t, "/login?next=%2Fdevice%3Fuser_code%3DBDFG-HJKL"), http.StatusOK, `name="next" value="/device?user_code=BDFG-HJKL"`)
		// (The language switcher carries the page's own address, escaped,
		// to GET /lang, which returns to this site only.)
		if w := h.get(t, "/login?next=https%3A%2F%2Fevil.example%2F"); strings.Contains(w.Body.String(), "https://evil.example") {
			t.Fatalf("the page keeps a foreign return address:\n%s", w.Body)
		}
	})
	t.Run("an unknown or expired flow", func(t *testing.T) {
		flow := h.addFlow(t)
		h.advance(10 * time.Minute)
		defer h.advance(-10 * time.Minute)
		for _, id := range []string{"no-such-flow", flow} {
			wantPage(t, h.get(t, "/login?flow="+id), http.StatusBadRequest, "This sign-in took too long. Go back to the app and try again.")
			wantPage(t, h.post(t, "/login", signInForm("flow", id, "email", "ann@example.com", "password", annPassword)), http.StatusBadRequest, "This sign-in took too long.")
		}
		wantPage(t, h.get(t, "/login?flow=no-such-flow", "Accept-Language", "zh-CN"), http.StatusBadRequest, "登录已超时，请返回应用重新登录。")
	})
	t.Run("without registration there is no link to it", func(t *testing.T) {
		closed := newHarness(t, func(c *Config) { c.Registration = false })
		if w := closed.get(t, "/login"); w.Code != http.StatusOK || strings.Contains(w.Body.String(), "/register") {
			t.Fatalf("status %d, links to registration:\n%s", w.Code, w.Body)
		}
	})
}

func TestNotYouSignsOutAndAsksAgain(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ann := h.addUser(t, "ann@example.com", annPassword)
	h.browser.current = storage.LoginSession{ID: "s1", UserID: ann.ID, AMR: []string{"pwd"}, ACR: "1", AuthTime: t0}
	flow := h.addFlow(t)
	wantRedirect(t, h.get(t, "/login?flow="+flow+"&switch=1"), "/login?flow="+flow)
	if who := h.whoIsSignedIn(t); who != "" {
		t.Fatalf("still signed in as %s", who)
	}
	wantRedirect(t, h.get(t, "/login?"+url.Values{"next": {"/device?user_code=BDFG-HJKL"}, "switch": {"1"}}.Encode()),
		"/login?"+url.Values{"next": {"/device?user_code=BDFG-HJKL"}}.Encode())
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, next, want string
	}{
		{"to the account page by default", "", "/account"},
		{"back to an admin page with its filter", "/admin/records?action=signin", "/admin/records?action=signin"},
		{"back to the device page with its code", "/device?user_code=BDFG-HJKL", "/device?user_code=BDFG-HJKL"},
		{"never to another site", "https://evil.example/", "/account"},
		{"never to a scheme-relative address", "//evil.example/account", "/account"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.addUser(t, "ann@example.com", annPassword)
			wantRedirect(t, h.post(t, "/login", signInForm("email", " ann@example.com ", "password", annPassword, "next", tc.next)), tc.want)
			if who := h.whoIsSignedIn(t); who != "ann@example.com" {
				t.Fatalf("signed in as %q", who)
			}
		})
	}
	t.Run("to an app: the flow records who and how", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		ann := h.addUser(t, "ann@example.com", annPassword)
		flow := h.addFlow(t)
		wantRedirect(t, h.post(t, "/login", signInForm("flow", flow, "email", ann.Email, "password", annPassword)), "/oauth2/auth?flow="+flow)
		f, err := h.store.GetFlow(t.Context(), flow)
		if err != nil || f.UserID != ann.ID || !slices.Equal(f.AMR, []string{"pwd"}) || !f.AuthTime.Equal(t0) {
			t.Fatalf("the flow after sign-in: %+v (%v)", f, err)
		}
		recs := h.records(t, audit.SignIn)
		if len(recs) != 1 || recs[0].Outcome != audit.Success || recs[0].Subject != ann.ID || recs[0].ClientID != "chat" || recs[0].Detail["acr"] != session.ACRPassword {
			t.Fatalf("sign-in records %+v, want one success to chat", recs)
		}
	})
}

func TestSignInRefusals(t *testing.T) {
	t.Parallel()
	seen := &reasons{}
	h := newHarness(t, func(c *Config) { c.Observer = seen })
	ann := h.addUser(t, "ann@example.com", annPassword)
	pending := h.addUser(t, "pat@example.com", annPassword, func(u *storage.User) { u.Status, u.EmailVerified = storage.UserPending, false })
	disabled := h.addUser(t, "dis@example.com", annPassword, func(u *storage.User) { u.Status = storage.UserDisabled })
	for _, tc := range []struct {
		name       string
		form       url.Values
		status     int
		en, zh     string
		reason     string
		subject    string
		notPresent string
	}{
		{"no password", signInForm("email", ann.Email), http.StatusBadRequest, "Enter your email and password.", "请输入邮箱和密码。", "", "", ""},
		{"no email", signInForm("password", annPassword), http.StatusBadRequest, "Enter your email and password.", "请输入邮箱和密码。", "", "", ""},
		{"an unknown account", signInForm("email", "nobody@example.com", "password", annPassword), http.StatusUnauthorized,
			"Incorrect email or password.", "邮箱或密码错误。", ReasonUnknownAccount, "", "Resend activation email"},
		{"a wrong password", signInForm("email", ann.Email, "password", "wrong-password-1"), http.StatusUnauthorized,
			"Incorrect email or password.", "邮箱或密码错误。", ReasonWrongPassword, ann.ID, "Resend activation email"},
		{"an account not activated", signInForm("email", pending.Email, "password", annPassword), http.StatusForbidden,
			"This account is not activated yet.", "账号尚未激活", ReasonAccountPending, pending.ID, ""},
		{"a disabled account", signInForm("email", disabled.Email, "password", annPassword), http.StatusForbidden,
			"This account has been disabled. Contact your administrator.", "该账号已被停用，请联系管理员。", ReasonAccountDisabled, disabled.ID, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen.take()
			before := len(h.records(t, audit.SignIn))
			w := h.post(t, "/login", tc.form)
			wantPage(t, w, tc.status, tc.en)
			if tc.notPresent != "" && strings.Contains(w.Body.String(), tc.notPresent) {
				t.Fatalf("the page offers %q:\n%s", tc.notPresent, w.Body)
			}
			wantPage(t, h.post(t, "/login", tc.form, "Accept-Language", "zh-CN"), tc.status, tc.zh)
			if who := h.whoIsSignedIn(t); who != "" {
				t.Fatalf("signed in as %s", who)
			}
			recs := h.records(t, audit.SignIn)
			if tc.reason == "" {
				if len(recs) != before || len(seen.take()) != 0 {
					t.Fatal("an incomplete form was counted as a refused sign-in")
				}
				return
			}
			if got := seen.take(); !slices.Equal(got, []string{tc.reason, tc.reason}) {
				t.Fatalf("the observer was told %q, want %s twice", got, tc.reason)
			}
			if len(recs) != before+2 || recs[0].Outcome != audit.Failure || recs[0].Reason != tc.reason || recs[0].Subject != tc.subject ||
				recs[0].Detail["email"] != tc.form.Get("email") {
				t.Fatalf("sign-in records %+v, want a failure %s of %q", recs[:len(recs)-before], tc.reason, tc.subject)
			}
		})
	}
	t.Run("an account not activated may ask for its link again", func(t *testing.T) {
		wantPage(t, h.post(t, "/login", signInForm("email", pending.Email, "password", annPassword)), http.StatusForbidden,
			`action="/activate/resend"`, "Resend activation email")
		noMail := newHarness(t, func(c *Config) { c.Mail = nil })
		noMail.addUser(t, pending.Email, annPassword, func(u *storage.User) { u.Status = storage.UserPending })
		if w := noMail.post(t, "/login", signInForm("email", pending.Email, "password", annPassword)); strings.Contains(w.Body.String(), "/activate/resend") {
			t.Fatalf("without mail the page offers to resend:\n%s", w.Body)
		}
	})
}

func TestSignInThrottle(t *testing.T) {
	t.Parallel()
	t.Run("an account's failures, then even the right password waits", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		ann := h.addUser(t, "ann@example.com", annPassword)
		wrong := signInForm("email", ann.Email, "password", "wrong-password-1")
		for range accountPolicy.Free {
			wantPage(t, h.post(t, "/login", wrong), http.StatusUnauthorized, "Incorrect email or password.")
		}
		locks := h.records(t, audit.Lockout)
		if len(locks) != 1 || locks[0].Subject != ann.ID || locks[0].Reason != "too_many_failures" || locks[0].Detail["wait_seconds"] != "30" {
			t.Fatalf("lockout records %+v, want one of Ann for 30 s", locks)
		}
		right := signInForm("email", ann.Email, "password", annPassword)
		wantPage(t, h.post(t, "/login", right), http.StatusTooManyRequests, "Too many attempts. Try again in 30 seconds.")
		wantPage(t, h.post(t, "/login", right, "Accept-Language", "zh-CN"), http.StatusTooManyRequests, "尝试次数过多，请在 30 秒后重试。")
		if who := h.whoIsSignedIn(t); who != "" {
			t.Fatalf("signed in during the wait as %s", who)
		}
		if recs := h.records(t, audit.SignIn); recs[0].Reason != ReasonThrottled {
			t.Fatalf("the last sign-in record: %+v, want throttled", recs[0])
		}
		h.advance(29 * time.Second)
		wantPage(t, h.post(t, "/login", right), http.StatusTooManyRequests, "Try again in 1 second.")
		h.advance(time.Second)
		wantRedirect(t, h.post(t, "/login", right), "/account")
		// The right password cleared the count: one failure costs no wait.
		wantPage(t, h.post(t, "/login", wrong), http.StatusUnauthorized)
		wantRedirect(t, h.post(t, "/login", right), "/account")
	})
	t.Run("an unknown email waits alike", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		nobody := signInForm("email", "nobody@example.com", "password", "wrong-password-1")
		for range accountPolicy.Free {
			wantPage(t, h.post(t, "/login", nobody), http.StatusUnauthorized, "Incorrect email or password.")
		}
		wantPage(t, h.post(t, "/login", nobody), http.StatusTooManyRequests, "Too many attempts. Try again in 30 seconds.")
		if locks := h.records(t, audit.Lockout); len(locks) != 1 || locks[0].Subject != "" || locks[0].Detail["email"] != "nobody@example.com" {
			t.Fatalf("lockout records %+v, want one of the email", locks)
		}
	})
	t.Run("an address's failures across accounts", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, func(c *Config) { c.IPs = c.Registrations })
		ann := h.addUser(t, "ann@example.com", annPassword)
		for _, email := range []string{"a@example.com", "b@example.com"} {
			wantPage(t, h.post(t, "/login", signInForm("email", email, "password", "wrong-password-1")), http.StatusUnauthorized)
		}
		wantPage(t, h.post(t, "/login", signInForm("email", ann.Email, "password", annPassword)), http.StatusTooManyRequests, "Too many attempts. Try again in 60 seconds.")
	})
}

func TestSecondFactorRequired(t *testing.T) {
	t.Parallel()
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	t.Run("set up: the password leads to the second step", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		ann := h.addUser(t, "ann@example.com", annPassword, h.withTOTP(secret, "BCDFG-HJKLM"))
		flow := h.addFlow(t)
		wantRedirect(t, h.post(t, "/login", signInForm("flow", flow, "email", ann.Email, "password", annPassword)), "/login/mfa?flow="+flow)
		wantRedirect(t, h.post(t, "/login", signInForm("next", "/admin", "email", ann.Email, "password", annPassword)), "/login/mfa?next=%2Fadmin")
		if who := h.whoIsSignedIn(t); who != "" {
			t.Fatalf("the password alone signed in %s", who)
		}
	})
	for _, tc := range []struct {
		name  string
		role  string
		flow  []string
		roles []string
	}{
		{"by the role, not set up: only the account page, to set it up", "admin", nil, []string{"admin"}},
		{"by the app (acr_values), not set up: only the account page", "member", []string{"acr_values", "2"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(c *Config) { c.MFARoles = tc.roles })
			ann := h.addUser(t, "ann@example.com", annPassword, func(u *storage.User) { u.Role = tc.role })
			flow := h.addFlow(t, tc.flow...)
			wantRedirect(t, h.post(t, "/login", signInForm("flow", flow, "email", ann.Email, "password", annPassword)), "/account?setup=mfa")
			if f, _ := h.store.GetFlow(t.Context(), flow); f.UserID != "" {
				t.Fatalf("the flow was signed in to without a second factor: %+v", f)
			}
		})
	}
}
