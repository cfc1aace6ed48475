package login

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/passkey"
	"github.com/tokenim/tokenim-auth/provider/passkey/passkeytest"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// withPasskeys turns passkeys on, for the test issuer's origin.
func withPasskeys(t *testing.T) func(*Config) {
	return func(cfg *Config) {
		sealer, err := secret.NewSealer(bytes.Repeat([]byte{7}, 32))
		if err != nil {
			t.Fatal(err)
		}
		c, err := passkey.New(passkey.Config{RPID: "auth.tokenim.example", Origins: []string{testIssuer},
			Store: cfg.Store.(*memory.Store), Sealer: sealer, Now: cfg.Now})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Passkeys = c
	}
}

// addPasskey registers a passkey made by a to u's account, as the account
// page would.
func (h *harness) addPasskey(t *testing.T, a *passkeytest.Authenticator, u storage.User) *passkeytest.Credential {
	t.Helper()
	c := h.handler.cfg.Passkeys.(*passkey.Ceremonies)
	opts, err := c.BeginRegistration(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	resp, cred := a.Create(t, opts.PublicKey)
	if _, err := c.FinishRegistration(t.Context(), u, opts.State, resp, "Phone"); err != nil {
		t.Fatal(err)
	}
	return cred
}

// postJSON posts v as the passkey script does.
func (h *harness) postJSON(t *testing.T, path string, v any, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return h.serve(t, req, header...)
}

// passkeySignIn runs the passkey script's ceremony: options from
// optionsPath, the authenticator's answer with cred, posted to
// finishPath with where (flow, next). It returns the final response.
func (h *harness) passkeySignIn(t *testing.T, a *passkeytest.Authenticator, cred *passkeytest.Credential, optionsPath, finishPath string, where map[string]string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	w := h.postJSON(t, optionsPath, where, header...)
	if w.Code != http.StatusOK {
		t.Fatalf("%s: %d %s", optionsPath, w.Code, w.Body)
	}
	var opts struct {
		PublicKey map[string]any `json:"publicKey"`
		State     string         `json:"state"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &opts); err != nil || opts.State == "" {
		t.Fatalf("options %s: %v", w.Body, err)
	}
	body := map[string]any{"state": opts.State, "credential": json.RawMessage(a.Get(t, opts.PublicKey, cred))}
	for k, v := range where {
		body[k] = v
	}
	return h.postJSON(t, finishPath, body, header...)
}

// wantJSON checks a JSON answer's status and one of its fields.
func wantJSON(t *testing.T, w *httptest.ResponseRecorder, status int, field, want string) {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("status %d, body %q: %v", w.Code, w.Body, err)
	}
	if w.Code != status || !strings.Contains(m[field], want) {
		t.Fatalf("status %d %s %q, want %d with %q", w.Code, field, m[field], status, want)
	}
}

func TestPasswordlessSignIn(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withPasskeys(t))
	ann := h.addUser(t, "ann@example.com", annPassword)
	phone := &passkeytest.Authenticator{Origin: testIssuer, Verify: true, Synced: true}
	cred := h.addPasskey(t, phone, ann)

	flow := h.addFlow(t)
	// The page offers the passkey and lists passkeys in the email
	// field's autofill.
	wantPage(t, h.get(t, "/login?flow="+flow), http.StatusOK, "Sign in with a passkey", `autocomplete="username webauthn"`, `data-passkey="signin"`, "/static/passkey.js?v=")

	w := h.passkeySignIn(t, phone, cred, "/login/passkey/options", "/login/passkey", map[string]string{"flow": flow})
	wantJSON(t, w, http.StatusOK, "redirect", "/oauth2/auth?flow="+flow)
	f, _ := h.store.GetFlow(t.Context(), flow)
	if f.UserID != ann.ID || !slices.Equal(f.AMR, []string{"swk", "user", "pin", "mfa"}) {
		t.Fatalf("the flow after a passkey sign-in: %+v", f)
	}
	if who := h.whoIsSignedIn(t); who != ann.Email {
		t.Fatalf("signed in: %q", who)
	}
	recs := h.records(t, audit.SignIn)
	if len(recs) != 1 || recs[0].Detail["acr"] != session.ACRPasskey || recs[0].Detail["passkey"] != passkey.ShortRef(cred.ID) || recs[0].ClientID != "chat" {
		t.Fatalf("sign-in records %+v", recs)
	}
	if p, _ := h.store.GetPasskey(t.Context(), cred.ID); !p.LastUsedAt.Equal(t0) || p.SignCount != 1 {
		t.Fatalf("the passkey's use not recorded: %+v", p)
	}

	// The device page and the console are reached the same way.
	w = h.passkeySignIn(t, phone, cred, "/login/passkey/options", "/login/passkey", map[string]string{"next": "/device?user_code=WDJB-MJHT"})
	wantJSON(t, w, http.StatusOK, "redirect", "/device?user_code=WDJB-MJHT")
	w = h.passkeySignIn(t, phone, cred, "/login/passkey/options", "/login/passkey", map[string]string{"next": "https://evil.example/"})
	wantJSON(t, w, http.StatusOK, "redirect", "/account")
}

func TestPasskeySignInRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withPasskeys(t))
	ann := h.addUser(t, "ann@example.com", annPassword)
	key := &passkeytest.Authenticator{Origin: testIssuer, Verify: true}
	cred := h.addPasskey(t, key, ann)
	const opts, finish = "/login/passkey/options", "/login/passkey"

	t.Run("an answer made on another site", func(t *testing.T) {
		phishing := &passkeytest.Authenticator{Origin: "https://auth.tokenim.example.evil.test", Verify: true}
		wantJSON(t, h.passkeySignIn(t, phishing, cred, opts, finish, nil), http.StatusUnauthorized, "error", "not TokenIM's sign-in page")
		wantJSON(t, h.passkeySignIn(t, phishing, cred, opts, finish, nil, "Accept-Language", "zh-CN"), http.StatusUnauthorized, "error", "非 TokenIM 登录页面")
		if recs := h.records(t, audit.SignIn); recs[0].Reason != ReasonPasskeyWrongOrigin {
			t.Fatalf("record %+v", recs[0])
		}
	})
	t.Run("the same answer twice", func(t *testing.T) {
		w := h.postJSON(t, opts, map[string]string{})
		var o struct {
			PublicKey any    `json:"publicKey"`
			State     string `json:"state"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &o); err != nil {
			t.Fatal(err)
		}
		body := map[string]any{"state": o.State, "credential": json.RawMessage(key.Get(t, o.PublicKey, cred))}
		wantJSON(t, h.postJSON(t, finish, body), http.StatusOK, "redirect", "/account")
		wantJSON(t, h.postJSON(t, finish, body), http.StatusBadRequest, "error", "already used")
	})
	t.Run("a cloned authenticator", func(t *testing.T) {
		clone := *cred
		clone.Count = 0
		wantJSON(t, h.passkeySignIn(t, key, &clone, opts, finish, nil), http.StatusUnauthorized, "error", "copy of the original")
		if recs := h.records(t, audit.PasskeyCloned); len(recs) != 1 || recs[0].Subject != ann.ID || recs[0].Detail["passkey"] != passkey.ShortRef(cred.ID) {
			t.Fatalf("cloned-passkey records %+v", recs)
		}
		if recs := h.records(t, audit.SignIn); recs[0].Reason != ReasonPasskeyCloned {
			t.Fatalf("record %+v", recs[0])
		}
	})
	t.Run("a disabled account", func(t *testing.T) {
		if _, err := h.store.UpdateUser(t.Context(), ann.ID, func(u storage.User) (storage.User, error) {
			u.Status = storage.UserDisabled
			return u, nil
		}); err != nil {
			t.Fatal(err)
		}
		defer h.store.UpdateUser(t.Context(), ann.ID, func(u storage.User) (storage.User, error) {
			u.Status = storage.UserActive
			return u, nil
		})
		wantJSON(t, h.passkeySignIn(t, key, cred, opts, finish, nil), http.StatusForbidden, "error", "disabled")
	})
	t.Run("not JSON, too large, an expired flow", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, finish, strings.NewReader("state=x"))
		wantJSON(t, h.serve(t, req), http.StatusBadRequest, "error", "")
		big := map[string]string{"state": strings.Repeat("a", 70<<10)}
		wantJSON(t, h.postJSON(t, finish, big), http.StatusBadRequest, "error", "")
		wantJSON(t, h.postJSON(t, finish, map[string]string{"flow": "no-such-flow", "state": "x"}), http.StatusBadRequest, "error", "took too long")
		wantJSON(t, h.postJSON(t, finish, map[string]string{"state": "\xff\xfe", "credential": "{}"}), http.StatusBadRequest, "error", "")
	})
	t.Run("no passkey routes when passkeys are off", func(t *testing.T) {
		off := newHarness(t)
		if w := off.postJSON(t, opts, map[string]string{}); w.Code != http.StatusNotFound && w.Code != http.StatusMethodNotAllowed {
			t.Fatalf("passkeys off: %d", w.Code)
		}
		wantPage(t, off.get(t, "/login"), http.StatusOK, `autocomplete="username"`)
	})
}

func TestPasskeyAsSecondStep(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withPasskeys(t))
	ann := h.addUser(t, "ann@example.com", annPassword, h.withTOTP(totpSecret, recoveryCode))
	key := &passkeytest.Authenticator{Origin: testIssuer}
	cred := h.addPasskey(t, key, ann)
	flow := h.addFlow(t)
	h.passwordStep(t, url.Values{"flow": {flow}})
	wantPage(t, h.get(t, "/login/mfa?flow="+flow), http.StatusOK, "Use a passkey", `name="code"`,
		"Use one of your passkeys, or enter the 6-digit code")
	w := h.passkeySignIn(t, key, cred, "/login/mfa/passkey/options", "/login/mfa/passkey", map[string]string{"flow": flow})
	wantJSON(t, w, http.StatusOK, "redirect", "/oauth2/auth?flow="+flow)
	f, _ := h.store.GetFlow(t.Context(), flow)
	if !slices.Equal(f.AMR, []string{"pwd", "hwk", "user", "mfa"}) {
		t.Fatalf("amr after password and security key: %q", f.AMR)
	}
	// Another account's passkey is no second step for Ann.
	bob := h.addUser(t, "bob@example.com", annPassword)
	bobKey := h.addPasskey(t, key, bob)
	h.passwordStep(t, url.Values{"flow": {flow}})
	wantJSON(t, h.passkeySignIn(t, key, bobKey, "/login/mfa/passkey/options", "/login/mfa/passkey", map[string]string{"flow": flow}),
		http.StatusUnauthorized, "error", "could not be verified")
	if who := h.whoIsSignedIn(t); who != "" {
		t.Fatalf("another account's passkey signed in %s", who)
	}
}

func TestStepUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withPasskeys(t))
	ann := h.addUser(t, "ann@example.com", annPassword, h.withTOTP(totpSecret, recoveryCode))
	signedInAt := func(at time.Time, amr ...string) {
		h.browser.mu.Lock()
		h.browser.current = storage.LoginSession{ID: "s1", UserID: ann.ID, AMR: amr, ACR: session.ACR(amr), AuthTime: at}
		h.browser.mu.Unlock()
	}
	signedIn := func(amr ...string) { signedInAt(t0, amr...) }

	t.Run("a second factor is all a fresh sign-in lacks", func(t *testing.T) {
		signedIn("pwd")
		flow := h.addFlow(t, "acr_values", "2")
		wantRedirect(t, h.get(t, "/login?flow="+flow), "/login/mfa?flow="+flow)
		wantPage(t, h.get(t, "/login/mfa?flow="+flow), http.StatusOK, `name="code"`)
		wantRedirect(t, h.post(t, "/login/mfa", url.Values{"flow": {flow}, "code": {h.totpCode(t)}}), "/oauth2/auth?flow="+flow)
		if f, _ := h.store.GetFlow(t.Context(), flow); !slices.Equal(f.AMR, []string{"pwd", "otp", "mfa"}) {
			t.Fatalf("amr after the step-up: %q", f.AMR)
		}
	})
	t.Run("an app that asks for a passkey, of an account with none", func(t *testing.T) {
		signedIn("pwd", "otp")
		flow := h.addFlow(t, "acr_values", "3")
		wantRedirect(t, h.get(t, "/login?flow="+flow), "/login/mfa?flow="+flow)
		w := h.get(t, "/login/mfa?flow="+flow)
		wantPage(t, w, http.StatusOK, "asks you to confirm with a passkey")
		if strings.Contains(w.Body.String(), `name="code"`) {
			t.Fatal("a code is offered where it cannot reach the level asked")
		}
	})
	t.Run("a sign-in older than max_age signs in again", func(t *testing.T) {
		signedInAt(t0.Add(-2*time.Hour), "pwd")
		flow := h.addFlow(t, "max_age", "600", "acr_values", "2")
		wantPage(t, h.get(t, "/login?flow="+flow), http.StatusOK, `value="ann@example.com"`, `name="password"`)
	})
}

func TestRoleRequiringTwoFactorsAcceptsAPasskey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withPasskeys(t), func(cfg *Config) { cfg.MFARoles = []string{"admin"} })
	root := h.addUser(t, "root@example.com", annPassword, func(u *storage.User) { u.Role = "admin" })
	key := &passkeytest.Authenticator{Origin: testIssuer}
	cred := h.addPasskey(t, key, root)
	// No authenticator app, but a passkey: the second step asks for it,
	// not for setting up two-step verification.
	wantRedirect(t, h.post(t, "/login", url.Values{"email": {root.Email}, "password": {annPassword}, "next": {"/admin"}}), "/login/mfa?next=%2Fadmin")
	w := h.get(t, "/login/mfa?next=/admin")
	wantPage(t, w, http.StatusOK, "Confirm it is you with one of your passkeys.", "Use a passkey")
	if strings.Contains(w.Body.String(), `name="code"`) {
		t.Fatal("a code is asked of an account without an authenticator app")
	}
	wantJSON(t, h.passkeySignIn(t, key, cred, "/login/mfa/passkey/options", "/login/mfa/passkey", map[string]string{"next": "/admin"}), http.StatusOK, "redirect", "/admin")
	recs := h.records(t, audit.SignIn)
	if recs[0].Detail["acr"] != session.ACRPasskey || recs[0].Detail["amr"] != "pwd hwk user mfa" {
		t.Fatalf("the sign-in record %+v", recs[0])
	}
}
