package device_test

import (
	"bytes"
	"context"
	"errors"
	"html"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	qr "github.com/piglig/go-qr"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/device"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

func TestCodeForm(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signIn(t, h.ann, session.ACRPassword)
	w := h.get(t, "/device")
	wantPage(t, w, http.StatusOK, "Enter the code your device shows.", `name="user_code"`, "Signed in as ann@example.com.")
	// "Not you?" signs this browser out and comes back to the form.
	if !strings.Contains(w.Body.String(), `href="`+html.EscapeString("/login?next=%2Fdevice&switch=1")+`"`) {
		t.Fatalf("no \"Not you?\" link back to the form:\n%s", w.Body)
	}
	wantPage(t, h.get(t, "/device", "Accept-Language", "zh-CN"), http.StatusOK, "请输入设备上显示的代码。", "当前账号：ann@example.com")
}

func TestNotSignedInIsSentToSignIn(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code, sig := h.request(t, "openid", "im:messages.read")
	wantSignIn(t, h.get(t, "/device"), "/device")
	wantSignIn(t, h.get(t, show(code)), "/device?user_code="+code)
	wantSignIn(t, h.post(t, decide(code, "allow")), "/device?user_code="+code)
	if d := h.stored(t, sig); d.Status != storage.DevicePending {
		t.Fatalf("a post without a sign-in decided the request: %s", d.Status)
	}
}

func TestSecondFactorRequiredByRole(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code, sig := h.request(t, "openid", "im:messages.read")
	h.signIn(t, h.ada, session.ACRPassword)
	// With a password alone an admin signs in again, with the second
	// factor, and comes back to the code.
	wantSignIn(t, h.get(t, show(code)), "/device?user_code="+code)
	wantSignIn(t, h.post(t, decide(code, "allow")), "/device?user_code="+code)
	if d := h.stored(t, sig); d.Status != storage.DevicePending {
		t.Fatalf("a password-only admin decided the request: %s", d.Status)
	}
	ls := h.signIn(t, h.ada, session.ACRTwoFactor)
	wantPage(t, h.get(t, show(code)), http.StatusOK, "Sign in to TokenIM Desktop on this device?")
	wantPage(t, h.post(t, decide(code, "allow")), http.StatusOK, "You approved the sign-in.")
	if d := h.stored(t, sig); d.Status != storage.DeviceApproved || d.ACR != session.ACRTwoFactor || d.LoginSessionID != ls.ID ||
		!slices.Equal(d.AMR, []string{"pwd", "otp"}) {
		t.Fatalf("approved by a two-factor session: %+v", d)
	}
}

func TestConfirmationPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code, _ := h.request(t, "openid", "offline_access", "im:messages.read")
	h.signIn(t, h.ann, session.ACRPassword)
	// Typed in lower case with a space: still the code.
	typed := strings.ToLower(strings.Replace(code, "-", " ", 1))
	w := h.get(t, show(typed))
	wantPage(t, w, http.StatusOK, "Sign in to TokenIM Desktop on this device?", "App ID: chat-desktop", `<dd class="code">`+code+`</dd>`,
		"198.51.100.23", "TokenIM-Desktop/3.1 (Windows)", "2 minutes ago", "Never approve a code someone sent you.",
		"<li>im:messages.read</li>", `name="csrf_token"`, `value="`+code+`"`, "Signed in as ann@example.com.")
	// "Not you?" comes back to this code once someone else signs in.
	if !strings.Contains(w.Body.String(), html.EscapeString("/login?"+url.Values{"next": {"/device?user_code=" + code}, "switch": {"1"}}.Encode())) {
		t.Fatalf("no \"Not you?\" link back to the code:\n%s", w.Body)
	}
	wantPage(t, h.get(t, show(code), "Accept-Language", "zh-CN"), http.StatusOK, "在此设备上登录 TokenIM Desktop？", "2 分钟前", "切勿批准他人发给您的代码。")
}

func TestApproveIsRecorded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code, sig := h.request(t, "openid", "offline_access", "im:messages.read")
	ls := h.signIn(t, h.ann, session.ACRPassword)
	wantPage(t, h.post(t, decide(code, "allow")), http.StatusOK, "Device signed in", "You approved the sign-in. Your device continues on its own")

	d := h.stored(t, sig)
	want := []string{"openid", "offline_access", "im:messages.read"}
	if d.Status != storage.DeviceApproved || d.UserID != h.ann.ID || !slices.Equal(d.GrantedScopes, want) || d.LoginSessionID != ls.ID ||
		d.ACR != session.ACRPassword || !d.AuthTime.Equal(t0) || !d.DecidedAt.Equal(t0) {
		t.Fatalf("the stored request after approval: %+v", d)
	}
	// The grant is remembered, so the account page lists it.
	c, err := h.store.GetConsent(t.Context(), h.ann.ID, desktop)
	if err != nil || !slices.Equal(c.Scopes, want) || !c.ExpiresAt.Equal(t0.Add(consentLifespan)) {
		t.Fatalf("remembered grant %+v (%v), want %q until %s", c, err, want, t0.Add(consentLifespan))
	}
	recs := h.records(t)
	if len(recs) != 1 || recs[0].Outcome != audit.Success || recs[0].ActorID != h.ann.ID || recs[0].Subject != h.ann.ID || recs[0].ClientID != desktop ||
		!slices.Equal(recs[0].Scopes, want) || recs[0].Detail["grant"] != "device_code" || recs[0].Detail["device_ip"] != "198.51.100.23" {
		t.Fatalf("consent records %+v, want one success by Ann", recs)
	}
	// Ending the session that approved tells the app (back-channel
	// logout), with the sid its ID token carries.
	if err := h.store.DeleteLoginSession(t.Context(), ls.ID); err != nil {
		t.Fatal(err)
	}
	out, err := h.store.ClaimLogoutDeliveries(t.Context(), t0, time.Minute, 10)
	if err != nil || len(out) != 1 || out[0].ClientID != desktop || out[0].SID != session.SID(ls.ID) {
		t.Fatalf("logout deliveries %+v (%v), want one to %s for the session", out, err, desktop)
	}
	// A decided code is no longer offered.
	wantPage(t, h.get(t, show(code)), http.StatusBadRequest, "This code is not valid")
	wantPage(t, h.post(t, decide(code, "allow")), http.StatusBadRequest, "This code is not valid")
	if len(h.records(t)) != 1 {
		t.Fatal("a used code was decided again")
	}
}

func TestDenyIsRecorded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code, sig := h.request(t, "openid", "im:messages.read")
	h.signIn(t, h.ann, session.ACRPassword)
	wantPage(t, h.post(t, decide(code, "deny")), http.StatusOK, "Sign-in denied", "You denied the sign-in: the device gets no access to your account.")
	if d := h.stored(t, sig); d.Status != storage.DeviceDenied || d.UserID != h.ann.ID || d.GrantedScopes != nil || d.LoginSessionID != "" {
		t.Fatalf("the stored request after denial: %+v", d)
	}
	if _, err := h.store.GetConsent(t.Context(), h.ann.ID, desktop); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a denial remembered a grant: %v", err)
	}
	recs := h.records(t)
	if len(recs) != 1 || recs[0].Outcome != audit.Failure || recs[0].Reason != "denied_by_user" || recs[0].ActorID != h.ann.ID || recs[0].Scopes != nil {
		t.Fatalf("consent records %+v, want one failure denied_by_user", recs)
	}

	code, _ = h.request(t, "openid", "im:messages.read")
	wantPage(t, h.post(t, decide(code, "deny"), "Accept-Language", "zh-CN"), http.StatusOK, "已拒绝登录", "您已拒绝登录，该设备无法访问您的账号。")
	code, _ = h.request(t, "openid", "im:messages.read")
	wantPage(t, h.post(t, decide(code, "allow"), "Accept-Language", "zh-CN"), http.StatusOK, "设备已登录", "您已批准登录")
}

func TestNoDecisionAsksAgain(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code, sig := h.request(t, "openid", "im:messages.read")
	h.signIn(t, h.ann, session.ACRPassword)
	for _, decision := range []string{"", "maybe"} {
		wantPage(t, h.post(t, decide(code, decision)), http.StatusBadRequest, "Your decision could not be saved. Please try again.",
			"Sign in to TokenIM Desktop on this device?", `value="allow"`)
	}
	if d := h.stored(t, sig); d.Status != storage.DevicePending || len(h.records(t)) != 0 {
		t.Fatalf("a form without a decision decided: %s", d.Status)
	}
}

func TestUnknownExpiredAndMalformedCodes(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"unknown", "expired"} {
		t.Run(name+" codes are not valid, and show no request", func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.signIn(t, h.ann, session.ACRPassword)
			code := "BCDF-GHJK"
			if name == "expired" {
				code, _ = h.request(t, "openid", "im:messages.read")
				h.clock.advance(8 * time.Minute)
			}
			for _, w := range []*httptest.ResponseRecorder{h.get(t, show(code)), h.post(t, decide(code, "allow"))} {
				wantPage(t, w, http.StatusBadRequest, "This code is not valid: it may have expired or been used already.", `value="`+code+`"`)
				if strings.Contains(w.Body.String(), "TokenIM Desktop") {
					t.Fatalf("a code not valid shows the request:\n%s", w.Body)
				}
			}
			wantPage(t, h.get(t, show(code), "Accept-Language", "zh-CN"), http.StatusBadRequest, "此代码无效：可能已过期或已被使用。")
			if len(h.records(t)) != 0 {
				t.Fatal("a code not valid was recorded as a decision")
			}
		})
	}
	t.Run("a malformed code is told apart, and not counted", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.signIn(t, h.ann, session.ACRPassword)
		for _, typed := range []string{"12345678", "BCDF-GHJK-L", "bcdf-ghjé", "BCDF", "BCDF-GHJK<script>"} {
			wantPage(t, h.get(t, show(typed)), http.StatusBadRequest, "That is not a code: a code is 8 letters, like BDFG-HJKL.")
			wantPage(t, h.post(t, decide(typed, "allow")), http.StatusBadRequest, "That is not a code")
		}
		wantPage(t, h.get(t, show("12345678"), "Accept-Language", "zh-CN"), http.StatusBadRequest, "代码格式不正确")
	})
}

func TestDisabledAppsCodeIsNotValid(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code, sig := h.request(t, "openid", "im:messages.read")
	h.signIn(t, h.ann, session.ACRPassword)
	if _, err := h.store.UpdateClient(t.Context(), desktop, func(c storage.Client) (storage.Client, error) { c.Disabled = true; return c, nil }); err != nil {
		t.Fatal(err)
	}
	wantPage(t, h.get(t, show(code)), http.StatusBadRequest, "This code is not valid")
	wantPage(t, h.post(t, decide(code, "allow")), http.StatusBadRequest, "This code is not valid")
	if d := h.stored(t, sig); d.Status != storage.DevicePending {
		t.Fatalf("a disabled app's request was decided: %s", d.Status)
	}
}

func TestWrongCodesAreThrottled(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code, _ := h.request(t, "openid", "im:messages.read")
	h.signIn(t, h.ann, session.ACRPassword)
	// Three wrong codes are free; malformed ones do not count.
	wantPage(t, h.get(t, show("1234")), http.StatusBadRequest, "That is not a code")
	for _, wrong := range []string{"BCDF-GHJK", "BCDF-GHJL", "BCDF-GHJM"} {
		wantPage(t, h.get(t, show(wrong)), http.StatusBadRequest, "This code is not valid")
	}
	// Then even the right code waits, on the page and in the form.
	wantPage(t, h.get(t, show(code)), http.StatusTooManyRequests, "Too many wrong codes. Try again in 30 seconds.")
	wantPage(t, h.post(t, decide(code, "allow")), http.StatusTooManyRequests, "Too many wrong codes. Try again in 30 seconds.")
	wantPage(t, h.get(t, show(code), "Accept-Language", "zh-CN"), http.StatusTooManyRequests, "错误次数过多，请在 30 秒后重试。")
	h.clock.advance(29 * time.Second)
	wantPage(t, h.get(t, show(code)), http.StatusTooManyRequests, "Too many wrong codes. Try again in 1 second.")
	// Another user is not held back by Ann's guesses.
	h.signIn(t, h.gus, session.ACRPassword)
	wantPage(t, h.get(t, show(code)), http.StatusOK, "Sign in to TokenIM Desktop on this device?")
	h.signIn(t, h.ann, session.ACRPassword)
	h.clock.advance(time.Second)
	wantPage(t, h.get(t, show(code)), http.StatusOK, "Sign in to TokenIM Desktop on this device?")
}

func TestRoleThatMayNotGrant(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signIn(t, h.gus, session.ACRPassword)
	t.Run("a scope the role lacks is left out", func(t *testing.T) {
		code, sig := h.request(t, "openid", "offline_access", "im:messages.read")
		w := h.get(t, show(code))
		wantPage(t, w, http.StatusOK, "<li>im:messages.read</li>")
		if strings.Contains(w.Body.String(), "offline_access") {
			t.Fatalf("a guest is offered a scope the role does not allow:\n%s", w.Body)
		}
		wantPage(t, h.post(t, decide(code, "allow")), http.StatusOK, "You approved the sign-in.")
		if d := h.stored(t, sig); !slices.Equal(d.GrantedScopes, []string{"openid", "im:messages.read"}) {
			t.Fatalf("granted %q", d.GrantedScopes)
		}
	})
	t.Run("none of the IM scopes: refused and recorded, on the page and in the form", func(t *testing.T) {
		for _, open := range []func(code string) *httptest.ResponseRecorder{
			func(code string) *httptest.ResponseRecorder { return h.get(t, show(code)) },
			func(code string) *httptest.ResponseRecorder { return h.post(t, decide(code, "allow")) },
		} {
			before := len(h.records(t))
			code, sig := h.request(t, "openid", "im:calls.read")
			wantPage(t, open(code), http.StatusForbidden, "Your role does not allow you to give this app: im:calls.read.")
			if d := h.stored(t, sig); d.Status != storage.DeviceDenied || d.UserID != h.gus.ID || d.GrantedScopes != nil {
				t.Fatalf("the refused request: %+v", d)
			}
			recs := h.records(t)
			if len(recs) != before+1 || recs[0].Outcome != audit.Failure || recs[0].Reason != "role_does_not_allow" || recs[0].ActorID != h.gus.ID {
				t.Fatalf("consent records %+v, want a failure role_does_not_allow first", recs)
			}
		}
		code, _ := h.request(t, "openid", "im:calls.read")
		wantPage(t, h.get(t, show(code), "Accept-Language", "zh-CN"), http.StatusForbidden, "您的角色不允许向该应用授予以下权限：im:calls.read。")
	})
	if _, err := h.store.GetConsent(t.Context(), h.gus.ID, desktop); err != nil {
		t.Fatalf("the approved grant is not remembered: %v", err)
	}
}

func TestDecidedInAnotherTab(t *testing.T) {
	t.Parallel()
	var other *harness
	h := newHarness(t, func(c *device.Config) {
		c.Store = racing{Store: c.Store, decide: func(sig string) { other.decideElsewhere(t, sig) }}
	})
	other = h
	code, sig := h.request(t, "openid", "im:messages.read")
	h.signIn(t, h.ann, session.ACRPassword)
	wantPage(t, h.post(t, decide(code, "allow")), http.StatusConflict, "This code is not valid")
	if d := h.stored(t, sig); d.Status != storage.DeviceDenied || len(h.records(t)) != 0 {
		t.Fatalf("the other tab's decision was overwritten: %+v", d)
	}
	if _, err := h.store.GetConsent(t.Context(), h.ann.ID, desktop); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a lost race remembered a grant: %v", err)
	}
}

// racing is a store where another tab decides a device request right
// after the page has looked it up.
type racing struct {
	device.Store
	decide func(signature string)
}

func (r racing) GetDeviceAuthorizationByUserCode(ctx context.Context, sig string) (storage.DeviceAuthorization, error) {
	d, err := r.Store.GetDeviceAuthorizationByUserCode(ctx, sig)
	if err == nil {
		r.decide(d.DeviceCodeSignature)
	}
	return d, err
}

func (h *harness) decideElsewhere(t *testing.T, sig string) {
	if _, err := h.store.UpdateDeviceAuthorization(t.Context(), sig, func(d storage.DeviceAuthorization) (storage.DeviceAuthorization, error) {
		d.Status = storage.DeviceDenied
		return d, nil
	}); err != nil {
		t.Error(err)
	}
}

// TestCSRF uses the real session middleware: a decision posted without
// the page's token is refused and decides nothing.
func TestCSRF(t *testing.T) {
	t.Parallel()
	var m *session.Manager
	h := newHarness(t, func(c *device.Config) {
		var err error
		m, err = session.New(session.Config{Store: c.Store.(session.Store), Issuer: testIssuer, Secure: true, Lifespan: time.Hour, Now: c.Now,
			OnForgery: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "forged", http.StatusForbidden) })})
		if err != nil {
			t.Fatal(err)
		}
		c.Sessions = m
	})
	code, sig := h.request(t, "openid", "im:messages.read")
	started := httptest.NewRecorder()
	if _, err := m.Start(t.Context(), started, httptest.NewRequest(http.MethodGet, testIssuer+"/login", nil), h.ann, []string{"pwd"}, session.ACRPassword); err != nil {
		t.Fatal(err)
	}
	cookies := started.Result().Cookies()
	page := httptest.NewRequestWithContext(t.Context(), http.MethodGet, testIssuer+show(code), nil)
	for _, c := range cookies {
		page.AddCookie(c)
	}
	shown := h.serve(page)
	wantPage(t, shown, http.StatusOK, "Sign in to TokenIM Desktop on this device?")
	cookies = append(cookies, shown.Result().Cookies()...)
	token := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(shown.Body.String())
	if token == nil {
		t.Fatalf("no CSRF token in the form:\n%s", shown.Body)
	}
	send := func(form url.Values) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, testIssuer+"/device", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", testIssuer)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		return h.serve(req)
	}
	wantPage(t, send(decide(code, "allow")), http.StatusForbidden, "forged")
	if d := h.stored(t, sig); d.Status != storage.DevicePending {
		t.Fatalf("a forged post decided the request: %s", d.Status)
	}
	form := decide(code, "allow")
	form.Set(session.CSRFField, html.UnescapeString(token[1]))
	wantPage(t, send(form), http.StatusOK, "You approved the sign-in.")
}

func TestQRCode(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	t.Run("PNG of verification_uri_complete", func(t *testing.T) {
		w := h.get(t, "/device/qr.png?user_code=bdfg+hjkl")
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/png" || w.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("status %d, type %q, cache %q", w.Code, w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"))
		}
		img, err := png.Decode(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := qr.Decode(img); err != nil || got != testIssuer+"/device?user_code=BDFG-HJKL" {
			t.Fatalf("the QR code says %q (%v)", got, err)
		}
	})
	t.Run("SVG, shown as an image only", func(t *testing.T) {
		w := h.get(t, "/device/qr.svg?user_code=BDFG-HJKL")
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/svg+xml" || w.Header().Get("Content-Security-Policy") != "default-src 'none'" ||
			!strings.HasPrefix(w.Body.String(), "<?xml") || !strings.Contains(w.Body.String(), "<svg") {
			t.Fatalf("status %d, headers %v:\n%.200s", w.Code, w.Header(), w.Body)
		}
	})
	t.Run("no or a malformed code is 400 and not cached", func(t *testing.T) {
		for _, path := range []string{"/device/qr.png", "/device/qr.svg?user_code=not-a-code", "/device/qr.png?user_code=12345678"} {
			w := h.get(t, path)
			if w.Code != http.StatusBadRequest || w.Header().Get("Cache-Control") != "no-store" || !strings.Contains(w.Body.String(), "like BDFG-HJKL") {
				t.Fatalf("%s: status %d, cache %q:\n%s", path, w.Code, w.Header().Get("Cache-Control"), w.Body)
			}
		}
	})
}
