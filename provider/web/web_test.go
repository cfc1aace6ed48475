package web

import (
	"bytes"
	"flag"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/net/html"

	"github.com/tokenim/tokenim-auth/templates"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.html from the current templates")

const testCSRF = "csrf-Zm9vYmFy"

// newTestRenderer builds a Renderer over the real templates, logging to
// the test's output, with the scope descriptions the golden pages show.
func newTestRenderer(t *testing.T) *Renderer {
	t.Helper()
	r, err := New(Config{FS: templates.FS(), Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), SignedIn: testSignedIn})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	r.SetScopes(testScopes())
	return r
}

// testSignedIn is the test renderers' Config.SignedIn: the browser is
// signed in as the value of its test_signed_in cookie.
func testSignedIn(req *http.Request) (string, bool) {
	c, err := req.Cookie("test_signed_in")
	if err != nil {
		return "", false
	}
	return c.Value, true
}

// signedInPage reports whether a page case is one seen only signed in,
// which renderPage renders for a signed-in browser (the sign-out pages
// among them, which show no signed-in bar all the same).
func signedInPage(name string) bool {
	for _, p := range []string{"account", "apps", "app_", "delete_app", "secret_shown", "admin_", "consent", "device", "logout"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func testScopes() map[string]map[Locale]string {
	return map[string]map[Locale]string{
		"openid":           {English: "Confirm who you are", Chinese: "确认您的身份"},
		"im:messages.send": {English: "Send messages as you", Chinese: "以您的身份发送消息"},
		"im:calls.read":    {English: "See your call history", Chinese: "查看您的通话记录"},
	}
}

// testOffered are the scopes the portal's app form offers.
var testOffered = []string{"openid", "im:messages.send", "im:calls.read"}

// pageCase renders one page with fixed view data.
type pageCase struct {
	name   string // golden file stem
	status int
	render func(r *Renderer, w http.ResponseWriter, req *http.Request) error
}

func pageCases() []pageCase {
	return append([]pageCase{
		{"login", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Login(w, req, http.StatusOK, LoginPage{CSRFToken: testCSRF, Flow: "flow-8c1d"})
		}},
		{"login_upstreams", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Login(w, req, http.StatusOK, LoginPage{CSRFToken: testCSRF, Flow: "flow-8c1d", ClientName: "Acme Chat", SSO: true,
				Upstreams: []UpstreamButton{
					{ID: "corp", Name: "Corp SSO", NameZH: "公司单点登录", Icon: "sso"},
					{ID: "wecom", Name: "WeCom", NameZH: "企业微信", Icon: "wecom"},
					{ID: "ad", Name: "Corp Directory", NameZH: "公司目录"},
				}})
		}},
		{"directory", http.StatusUnauthorized, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Directory(w, req, http.StatusUnauthorized, DirectoryPage{CSRFToken: testCSRF, Flow: "flow-8c1d", ConnectorID: "ad",
				Name: "Corp Directory", Username: "ann", Error: "directory.invalid"})
		}},
		{"login_app_error", http.StatusUnauthorized, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Login(w, req, http.StatusUnauthorized, LoginPage{
				CSRFToken: testCSRF, Flow: "flow-8c1d", ClientName: "Acme Chat", Email: "ann@example.com", Error: "login.invalid",
			})
		}},
		{"consent", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Consent(w, req, http.StatusOK, ConsentPage{
				CSRFToken: testCSRF, Flow: "flow-8c1d", ClientName: "Acme Chat", ClientID: "acme-chat", ClientLogoURI: "https://chat.example.com/logo.png",
				UserEmail: "ann@example.com", Scopes: []string{"openid", "im:messages.send", "im:calls.read"}, Remember: true,
			})
		}},
		{"device", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Device(w, req, http.StatusOK, DevicePage{UserEmail: "ann@example.com"})
		}},
		{"device_unknown", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Device(w, req, http.StatusBadRequest, DevicePage{UserEmail: "ann@example.com", UserCode: "BDFG-HJKX", Error: "device.unknown"})
		}},
		{"device_confirm", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Device(w, req, http.StatusOK, DevicePage{
				CSRFToken: testCSRF, UserCode: "BDFG-HJKL", UserEmail: "ann@example.com", SwitchURL: "/login?next=%2Fdevice%3Fuser_code%3DBDFG-HJKL&switch=1",
				Request: &DeviceRequest{ClientName: "Acme Chat Desktop", ClientID: "acme-desktop", ClientIP: "203.0.113.7",
					UserAgent: "AcmeChat/3.2 (Windows NT 10.0)", Age: 2 * time.Minute, Scopes: []string{"openid", "im:messages.send"}},
			})
		}},
		{"device_confirm_workspace", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Device(w, req, http.StatusOK, DevicePage{
				CSRFToken: testCSRF, UserCode: "BDFG-HJKL", UserEmail: "ann@example.com", SwitchURL: "/login?next=%2Fdevice%3Fuser_code%3DBDFG-HJKL&switch=1",
				Request: &DeviceRequest{ClientName: "Acme Chat Desktop", ClientID: "acme-desktop", ClientIP: "203.0.113.7",
					UserAgent: "AcmeChat/3.2 (Windows NT 10.0)", Age: 2 * time.Minute, Scopes: []string{"openid", "im:messages.send"}},
				Workspace: &WorkspaceChoice{ID: "w-acme", Name: "Acme Corp", Handle: "acme"},
			})
		}},
		{"device_choose_workspace", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Device(w, req, http.StatusOK, DevicePage{
				CSRFToken: testCSRF, UserCode: "BDFG-HJKL", UserEmail: "ann@example.com", SwitchURL: "/login?next=%2Fdevice%3Fuser_code%3DBDFG-HJKL&switch=1",
				Request: &DeviceRequest{ClientName: "Acme Chat Desktop", ClientID: "acme-desktop", ClientIP: "203.0.113.7",
					UserAgent: "AcmeChat/3.2 (Windows NT 10.0)", Age: 2 * time.Minute},
				Workspaces: []DeviceWorkspace{
					{WorkspaceChoice: WorkspaceChoice{ID: "w-acme", Name: "Acme Corp", Handle: "acme"}, Scopes: []string{"openid", "im:messages.send"}},
					{WorkspaceChoice: WorkspaceChoice{ID: "w-beta", Name: "Beta Club", Handle: "beta"}, Scopes: []string{"openid"}, Checked: true},
				},
			})
		}},
		{"consent_error", http.StatusInternalServerError, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Consent(w, req, http.StatusInternalServerError, ConsentPage{
				CSRFToken: testCSRF, Flow: "flow-8c1d", ClientID: "acme-chat",
				UserEmail: "ann@example.com", Scopes: []string{"openid"}, Error: "consent.failed",
			})
		}},
		{"logout", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Logout(w, req, LogoutPage{
				CSRFToken: testCSRF, ClientName: "Acme Chat", ClientID: "acme-chat",
				PostLogoutRedirectURI: "https://chat.example.com/signed-out", State: "st-42", IDTokenHint: "eyJhbGciOiJFUzI1NiJ9.e30.sig",
			})
		}},
		{"logout_plain", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Logout(w, req, LogoutPage{CSRFToken: testCSRF})
		}},
		{"logged_out", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.LoggedOut(w, req, LoggedOutPage{})
		}},
		{"error", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Error(w, req, http.StatusBadRequest, ErrorPage{Title: "error.title", Message: "error.redirect_uri", RequestID: "req-7f3a9c"})
		}},
		{"login_pending", http.StatusForbidden, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Login(w, req, http.StatusForbidden, LoginPage{
				CSRFToken: testCSRF, Flow: "flow-8c1d", Email: "ann@example.com", Error: "login.pending",
				Resend: true, RegisterURL: "/register?flow=flow-8c1d",
			})
		}},
		{"login_throttled", http.StatusTooManyRequests, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Login(w, req, http.StatusTooManyRequests, LoginPage{
				CSRFToken: testCSRF, Flow: "flow-8c1d", Email: "ann@example.com", Error: "login.throttled", ErrorArg: "900",
			})
		}},
		{"login_account", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Login(w, req, http.StatusOK, LoginPage{CSRFToken: testCSRF, Next: "/account", RegisterURL: "/register"})
		}},
		{"mfa_account", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.MFA(w, req, http.StatusOK, MFAPage{CSRFToken: testCSRF, Next: "/account", TOTP: true})
		}},
		{"mfa", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.MFA(w, req, http.StatusOK, MFAPage{CSRFToken: testCSRF, Flow: "flow-8c1d", TOTP: true})
		}},
		{"mfa_recovery_error", http.StatusUnauthorized, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.MFA(w, req, http.StatusUnauthorized, MFAPage{
				CSRFToken: testCSRF, Flow: "flow-8c1d", Recovery: true, Error: "mfa.recovery_invalid", TOTP: true,
			})
		}},
		{"mfa_either", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.MFA(w, req, http.StatusOK, MFAPage{CSRFToken: testCSRF, Flow: "flow-8c1d", TOTP: true, Passkey: true})
		}},
		{"mfa_passkey", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.MFA(w, req, http.StatusOK, MFAPage{CSRFToken: testCSRF, Flow: "flow-8c1d", Passkey: true})
		}},
		{"mfa_missing", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.MFA(w, req, http.StatusOK, MFAPage{CSRFToken: testCSRF, Flow: "flow-8c1d", Missing: "mfa.need_passkey"})
		}},
		{"login_passkeys", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Login(w, req, http.StatusOK, LoginPage{CSRFToken: testCSRF, Flow: "flow-8c1d", ClientName: "Acme Chat", Passkeys: true})
		}},
		{"register", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Register(w, req, http.StatusOK, RegisterPage{CSRFToken: testCSRF, Flow: "flow-8c1d"})
		}},
		{"register_error", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Register(w, req, http.StatusBadRequest, RegisterPage{
				CSRFToken: testCSRF, Email: "ann@example.com", Name: "Ann Lee", Error: "password.common",
			})
		}},
		{"check_email_activate", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.CheckEmail(w, req, http.StatusOK, CheckEmailPage{CSRFToken: testCSRF, Kind: CheckEmailActivate, Email: "ann@example.com", Expires: 24 * time.Hour, Flow: "flow-8c1d"})
		}},
		{"check_email_reset", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.CheckEmail(w, req, http.StatusOK, CheckEmailPage{CSRFToken: testCSRF, Kind: CheckEmailReset, Email: "ann@example.com", Expires: 30 * time.Minute})
		}},
		{"activate", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Activate(w, req, http.StatusOK, ActivatePage{CSRFToken: testCSRF, Token: "act-9d2f41", Flow: "flow-8c1d"})
		}},
		{"activate_expired", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Activate(w, req, http.StatusBadRequest, ActivatePage{CSRFToken: testCSRF, Flow: "flow-8c1d", Expired: true})
		}},
		{"message_busy", http.StatusServiceUnavailable, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Message(w, req, http.StatusServiceUnavailable, BusyPage(""))
		}},
		{"forgot", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Forgot(w, req, http.StatusOK, ForgotPage{CSRFToken: testCSRF})
		}},
		{"forgot_error", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Forgot(w, req, http.StatusBadRequest, ForgotPage{CSRFToken: testCSRF, Email: "ann@", Error: "register.invalid_email"})
		}},
		{"reset", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Reset(w, req, http.StatusOK, ResetPage{CSRFToken: testCSRF, Token: "rst-4b1e0c"})
		}},
		{"reset_error", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Reset(w, req, http.StatusBadRequest, ResetPage{CSRFToken: testCSRF, Token: "rst-4b1e0c", Error: "password.mismatch"})
		}},
		{"reset_expired", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Reset(w, req, http.StatusBadRequest, ResetPage{CSRFToken: testCSRF, Token: "rst-4b1e0c", Expired: true})
		}},
		{"message", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Message(w, req, http.StatusOK, MessagePage{
				Title: "activate.title", Message: "activate.done", LinkText: "message.sign_in", LinkURL: "/login",
			})
		}},
		{"message_plain", http.StatusGone, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Message(w, req, http.StatusGone, MessagePage{Message: "activate.sent"})
		}},
		{"message_rate_limited", http.StatusTooManyRequests, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Message(w, req, http.StatusTooManyRequests, MessagePage{Title: "ratelimit.title", Message: "ratelimit.wait", MessageArg: "17"})
		}},
		{"account", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Account(w, req, http.StatusOK, AccountPage{PasskeysOn: true,
				CSRFToken: testCSRF, Email: "ann@example.com", Name: "Ann Lee", Developer: true,
				Sessions: testSessions(), Notice: "sessions.signed_out",
				Apps: []AppGrant{{
					ClientID: "acme-chat", Name: "Acme Chat", Scopes: []string{"openid", "im:messages.send"},
					GrantedAt:  time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC),
					LastUsedAt: time.Date(2026, 11, 24, 18, 30, 0, 0, time.UTC),
				}},
			})
		}},
		{"account_enrol", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Account(w, req, http.StatusBadRequest, AccountPage{PasskeysOn: true,
				CSRFToken: testCSRF, Email: "ann@example.com",
				Enrolment: &Enrolment{QRDataURI: testQR, Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"},
				Sessions:  testSessions()[:1], Error: "mfa.invalid",
			})
		}},
		{"account_recovery_left", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Account(w, req, http.StatusOK, AccountPage{PasskeysOn: true,
				CSRFToken: testCSRF, Email: "ann@example.com", Name: "Ann Lee", MFAEnabled: true, RecoveryLeft: 1,
				Sessions: testSessions()[:1], Notice: "mfa.recovery_renewed",
			})
		}},
		{"account_mfa_on", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Account(w, req, http.StatusOK, AccountPage{PasskeysOn: true,
				CSRFToken: testCSRF, Email: "ann@example.com", Name: "Ann Lee", MFAEnabled: true,
				RecoveryCodes: testRecoveryCodes, Sessions: testSessions()[:1], Notice: "mfa.enrolled",
			})
		}},
		{"apps", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Apps(w, req, http.StatusOK, AppsPage{CSRFToken: testCSRF, Apps: testApps(), Notice: "portal.deleted"})
		}},
		{"apps_empty", http.StatusForbidden, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Apps(w, req, http.StatusForbidden, AppsPage{CSRFToken: testCSRF, Error: "portal.developers_only"})
		}},
		{"app_new", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AppForm(w, req, http.StatusOK, AppFormPage{
				CSRFToken: testCSRF, New: true, App: AppForm{Kind: AppKindWeb, AccessTokenFormat: "opaque", Scopes: []string{"openid"}}, Offered: testOffered,
			})
		}},
		{"app_new_error", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AppForm(w, req, http.StatusBadRequest, AppFormPage{
				CSRFToken: testCSRF, New: true, Offered: testOffered,
				App: AppForm{
					Name: "Acme Chat for iOS", Description: "Chat with your team.\nOn the go.", Kind: AppKindNative,
					RedirectURIs: "com.acme.chat:/oauth2/callback\nhttp://chat.example.com/callback", AccessTokenFormat: "opaque", RequirePAR: true,
					Scopes: []string{"openid", "im:messages.send"},
				},
				Error: "portal.redirect_invalid", ErrorArg: "http://chat.example.com/callback",
			})
		}},
		{"app_edit", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AppForm(w, req, http.StatusOK, AppFormPage{
				CSRFToken: testCSRF, Offered: testOffered, Secrets: testSecrets(), Notice: "portal.saved",
				App: AppForm{
					ClientID: "app-7hq2k4", Name: "Acme Chat", Description: "Team chat for Acme.", LogoURI: "https://chat.example.com/logo.png",
					Kind: AppKindWeb, RedirectURIs: "https://chat.example.com/callback", AccessTokenFormat: "jwt", RequirePAR: true, DPoPBoundAccessTokens: true,
					Scopes: []string{"openid", "im:calls.read"},
				},
			})
		}},
		{"app_edit_native", http.StatusConflict, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AppForm(w, req, http.StatusConflict, AppFormPage{
				CSRFToken: testCSRF, Offered: testOffered, Error: "portal.name_required",
				App: AppForm{ClientID: "app-m3x9p1", Kind: AppKindNative, RedirectURIs: "com.acme.chat:/oauth2/callback", AccessTokenFormat: "opaque", Scopes: []string{"openid"}},
			})
		}},
		{"app_edit_browser", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AppForm(w, req, http.StatusOK, AppFormPage{
				CSRFToken: testCSRF, Offered: testOffered,
				App: AppForm{
					ClientID: "app-s9pa22", Name: "Acme Chat in the browser", Kind: AppKindBrowser, RedirectURIs: "https://chat.example.com/callback",
					AllowedOrigins: "https://chat.example.com\nhttp://localhost:5173", RefreshReuseWindow: "30s", AccessTokenFormat: "opaque", Scopes: []string{"openid"},
				},
			})
		}},
		{"app_edit_service", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AppForm(w, req, http.StatusOK, AppFormPage{
				CSRFToken: testCSRF, Offered: testOffered, Secrets: testSecrets(),
				App: AppForm{
					ClientID: "app-b07x5q", Name: "Notification bot", Kind: AppKindService, AccessTokenFormat: "jwt",
					Scopes: []string{"im:messages.send", "im:calls.read"}, Pending: []string{"im:calls.read"},
				},
			})
		}},
		{"secret_shown", http.StatusCreated, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.SecretShown(w, req, http.StatusCreated, SecretShownPage{
				ClientID: "app-7hq2k4", AppName: "Acme Chat", Secret: testSecret, ExpiresAt: time.Date(2027, 11, 25, 10, 0, 0, 0, time.UTC),
			})
		}},
		{"secret_shown_created", http.StatusCreated, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.SecretShown(w, req, http.StatusCreated, SecretShownPage{
				ClientID: "app-5bz8r0", AppName: "Acme Bot", Secret: testSecret, Created: true,
			})
		}},
		{"secret_shown_native", http.StatusCreated, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.SecretShown(w, req, http.StatusCreated, SecretShownPage{ClientID: "app-m3x9p1", AppName: "Acme Chat for iOS", Created: true})
		}},
		{"delete_app", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.DeleteApp(w, req, http.StatusOK, DeleteAppPage{CSRFToken: testCSRF, ClientID: "app-7hq2k4", AppName: "Acme Chat"})
		}},
	}, slices.Concat(adminPageCases(), accountPageCases(), installPageCases())...)
}

// testSecret is a client secret as the portal shows it once.
const testSecret = "tks_Q2hhdCB3aXRoIHlvdXIgdGVhbSBvbiB0aGUgZ28"

// testApps are a developer's apps: one of each kind, two with secrets
// expiring soon.
func testApps() []AppSummary {
	return []AppSummary{
		{ClientID: "app-7hq2k4", Name: "Acme Chat", LogoURI: "https://chat.example.com/logo.png", Kind: AppKindWeb, CreatedAt: time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC), Expiring: 1},
		{ClientID: "app-m3x9p1", Name: "Acme Chat for iOS", LogoURI: "http://ios.example.com/logo.png", Kind: AppKindNative, CreatedAt: time.Date(2026, 10, 3, 1, 30, 0, 0, time.FixedZone("CST", 8*3600))},
		{ClientID: "app-5bz8r0", LogoURI: "javascript:alert(1)", Kind: AppKindService, CreatedAt: time.Date(2026, 11, 20, 16, 45, 0, 0, time.UTC), Expiring: 2},
	}
}

// testSecrets are an app's secrets: the new one, the one it replaces
// (expiring, used), and one long expired.
func testSecrets() []SecretRow {
	return []SecretRow{
		{
			ID: "s8f2k1", Prefix: "tks_Q2hh", State: SecretLive,
			CreatedAt: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
		},
		{
			ID: "s3m9x0", Prefix: "tks_Zm9v", State: SecretExpiring,
			CreatedAt:  time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC),
			ExpiresAt:  time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
			LastUsedAt: time.Date(2026, 11, 24, 18, 30, 0, 0, time.UTC),
		},
		{
			ID: "s1a2b3", Prefix: "tks_YmFy", State: SecretExpired,
			CreatedAt:  time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC),
			ExpiresAt:  time.Date(2026, 5, 2, 8, 0, 0, 0, time.UTC),
			LastUsedAt: time.Date(2026, 5, 1, 23, 59, 0, 0, time.UTC),
		},
	}
}

// testQR is a 1x1 PNG as the account page's QR code.
const testQR = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="

var testRecoveryCodes = []string{"7KQ2-M9XD", "P4TW-3HVB", "Z8NC-6RJE"}

// testSessions are the account page's sessions: this browser, and a phone
// whose sign-in time is not in UTC.
func testSessions() []SessionView {
	return []SessionView{
		{
			ID: "ses-1", Device: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", IP: "203.0.113.7",
			SignedInAt: time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC), Current: true,
		},
		{
			ID: "ses-2", Device: "TokenIM/3.2 (iPhone; iOS 19.1)", IP: "2001:db8::42",
			SignedInAt: time.Date(2026, 11, 24, 22, 5, 0, 0, time.FixedZone("CST", 8*3600)),
		},
	}
}

// renderPage renders a case for a browser asking for loc.
func renderPage(t *testing.T, r *Renderer, c pageCase, loc Locale) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
	req.Header.Set("Accept-Language", string(loc))
	if signedInPage(c.name) {
		req.AddCookie(&http.Cookie{Name: "test_signed_in", Value: "ann@example.com"})
	}
	w := httptest.NewRecorder()
	if err := c.render(r, w, req); err != nil {
		t.Fatalf("render %s (%s): %v", c.name, loc, err)
	}
	return w
}

func TestGolden(t *testing.T) {
	r := newTestRenderer(t)
	for _, c := range pageCases() {
		for _, loc := range locales() {
			t.Run(c.name+" in "+string(loc)+" matches its golden file", func(t *testing.T) {
				got := renderPage(t, r, c, loc).Body.Bytes()
				file := filepath.Join("testdata", c.name+"."+string(loc)+".golden.html")
				if *update {
					if err := os.WriteFile(file, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (run go test ./provider/web -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), string(got)); diff != "" {
					t.Errorf("%s differs (-want +got), run with -update if intended:\n%s", file, diff)
				}
			})
		}
	}
}

func TestPageHeaders(t *testing.T) {
	r := newTestRenderer(t)
	for _, c := range pageCases() {
		t.Run(c.name+" is sent uncacheable, unframeable and with no script but the passkey script", func(t *testing.T) {
			w := renderPage(t, r, c, Chinese)
			if w.Code != c.status {
				t.Errorf("status %d, want %d", w.Code, c.status)
			}
			// A page showing app logos loads images from their origins,
			// and from no other.
			imgSrc := "img-src 'self' data:"
			switch c.name {
			case "consent", "apps", "app_edit":
				imgSrc += " https://chat.example.com"
			}
			want := map[string]string{
				"Content-Type":            "text/html; charset=utf-8",
				"Content-Language":        "zh-CN",
				"Cache-Control":           "no-store",
				"Referrer-Policy":         "no-referrer",
				"X-Frame-Options":         "DENY",
				"Content-Security-Policy": "default-src 'none'; style-src 'self'; " + imgSrc + "; base-uri 'none'; frame-ancestors 'none'",
			}
			// The pages that use passkeys run the site's own script, and
			// it calls the site's own endpoints: nothing else.
			if strings.HasPrefix(c.name, "login") || strings.HasPrefix(c.name, "mfa") || strings.HasPrefix(c.name, "account") && c.name != "account_passkey_remove" {
				want["Content-Security-Policy"] = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; " + imgSrc + "; base-uri 'none'; frame-ancestors 'none'"
			}
			for k, v := range want {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if csp := w.Header().Get("Content-Security-Policy"); strings.Contains(csp, "form-action") {
				t.Errorf("CSP %q has form-action, which would block the redirect to the app after a post", csp)
			}
		})
	}
}

// TestPageStructure checks the rendered HTML of every page in both
// languages for what a browser, a screen reader and the CSP need.
func TestPageStructure(t *testing.T) {
	r := newTestRenderer(t)
	for _, c := range pageCases() {
		for _, loc := range locales() {
			doc, err := html.Parse(renderPage(t, r, c, loc).Body)
			if err != nil {
				t.Fatal(err)
			}
			els := elements(doc)
			t.Run(c.name+" in "+string(loc)+" starts with a link skipping the header to its content", func(t *testing.T) {
				first := els["body"][0].FirstChild
				for first != nil && first.Type != html.ElementNode {
					first = first.NextSibling
				}
				if first == nil || first.Data != "a" || attr(first, "href") != "#content" || text(first) == "" {
					t.Errorf("the page does not start with a skip link to #content")
				}
				if m := els["main"]; len(m) != 1 || attr(m[0], "id") != "content" || attr(m[0], "tabindex") != "-1" {
					t.Errorf("<main> is not the skip link's focusable target")
				}
			})
			t.Run(c.name+" in "+string(loc)+" declares its language", func(t *testing.T) {
				if got := attr(els["html"][0], "lang"); got != string(loc) {
					t.Errorf("lang = %q, want %q", got, loc)
				}
			})
			t.Run(c.name+" in "+string(loc)+" labels every input with a matching id", func(t *testing.T) {
				ids := map[string]*html.Node{}
				for _, n := range all(doc) {
					if id := attr(n, "id"); id != "" {
						if ids[id] != nil {
							t.Errorf("id %q is used twice", id)
						}
						ids[id] = n
					}
				}
				labelled := map[string]bool{}
				for _, l := range els["label"] {
					target := ids[attr(l, "for")]
					if target == nil || (target.Data != "input" && target.Data != "textarea" && target.Data != "select") {
						t.Errorf("label for=%q names no input or textarea", attr(l, "for"))
						continue
					}
					labelled[attr(l, "for")] = true
				}
				for _, in := range append(append(els["input"], els["textarea"]...), els["select"]...) {
					if attr(in, "type") == "hidden" {
						continue
					}
					if id := attr(in, "id"); id == "" || !labelled[id] {
						t.Errorf("%s name=%q has no <label for>", in.Data, attr(in, "name"))
					}
				}
			})
			t.Run(c.name+" in "+string(loc)+" posts every form with a CSRF token", func(t *testing.T) {
				for _, f := range els["form"] {
					if (strings.HasPrefix(c.name, "admin_") || strings.HasPrefix(c.name, "device")) && attr(f, "method") == "get" {
						continue // the console's filters and searches, and the device code lookup, change nothing
					}
					if m := attr(f, "method"); !strings.EqualFold(m, "post") {
						t.Errorf("form method = %q, want post", m)
					}
					found := false
					for _, in := range elements(f)["input"] {
						if attr(in, "type") == "hidden" && attr(in, "name") == "csrf_token" && attr(in, "value") == testCSRF {
							found = true
						}
					}
					if !found {
						t.Errorf("form action=%q has no csrf_token hidden input", attr(f, "action"))
					}
				}
				for _, b := range els["button"] {
					// The passkey buttons run the passkey script.
					if attr(b, "type") != "submit" && !(attr(b, "type") == "button" && insidePasskeyBox(b)) {
						t.Errorf("button %q is not type=submit", text(b))
					}
				}
			})
			t.Run(c.name+" in "+string(loc)+" has no script but the passkey script, and no inline style", func(t *testing.T) {
				for _, tag := range []string{"script", "style", "iframe"} {
					if len(els[tag]) > 0 && tag != "script" {
						t.Errorf("page has a <%s> element", tag)
					}
				}
				for _, s := range els["script"] {
					if src := attr(s, "src"); !strings.HasPrefix(src, "/static/passkey.js?v=") || text(s) != "" || !scriptPage(strings.SplitN(c.name, "_", 2)[0]) {
						t.Errorf("page has a <script src=%q> that is not the passkey script of a page that uses passkeys", src)
					}
				}
				for _, n := range all(doc) {
					for _, a := range n.Attr {
						if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
							t.Errorf("<%s> has a %s attribute", n.Data, a.Key)
						}
					}
				}
			})
		}
	}
}

func TestFormFields(t *testing.T) {
	r := newTestRenderer(t)
	byName := map[string]pageCase{}
	for _, c := range pageCases() {
		byName[c.name] = c
	}
	tests := []struct {
		page  string
		check func(t *testing.T, els map[string][]*html.Node)
	}{
		{"login_app_error", func(t *testing.T, els map[string][]*html.Node) {
			email, pw := named(els["input"], "email"), named(els["input"], "password")
			if email == nil || attr(email, "value") != "ann@example.com" || attr(email, "autocomplete") != "username" {
				t.Errorf("email field wrong: %v", email)
			}
			if pw == nil || attr(pw, "autocomplete") != "current-password" || attr(pw, "type") != "password" || attr(pw, "value") != "" {
				t.Errorf("password field wrong: %v", pw)
			}
			if f := named(els["input"], "flow"); f == nil || attr(f, "value") != "flow-8c1d" {
				t.Errorf("flow field missing")
			}
			if len(els["[role=alert]"]) != 1 {
				t.Errorf("want one role=alert element, have %d", len(els["[role=alert]"]))
			}
		}},
		{"consent", func(t *testing.T, els map[string][]*html.Node) {
			b := els["button"]
			if len(b) != 2 || attr(b[0], "value") != "allow" || attr(b[1], "value") != "deny" ||
				attr(b[0], "name") != "decision" || attr(b[1], "name") != "decision" {
				t.Errorf("want decision=allow then decision=deny buttons, have %d buttons", len(b))
			}
			rem := named(els["input"], "remember")
			if rem == nil || attr(rem, "value") != "1" || !hasAttr(rem, "checked") {
				t.Errorf("remember box missing or not ticked")
			}
			var switchLink string
			for _, a := range els["a"] {
				if strings.HasPrefix(attr(a, "href"), "/login") {
					switchLink = attr(a, "href")
				}
			}
			if switchLink != "/login?flow=flow-8c1d&switch=1" {
				t.Errorf("Not you? link = %q", switchLink)
			}
		}},
		{"consent_error", func(t *testing.T, els map[string][]*html.Node) {
			if rem := named(els["input"], "remember"); rem == nil || hasAttr(rem, "checked") {
				t.Errorf("remember box should be there, unticked")
			}
		}},
		{"logout", func(t *testing.T, els map[string][]*html.Node) {
			want := map[string]string{
				"client_id": "acme-chat", "post_logout_redirect_uri": "https://chat.example.com/signed-out",
				"state": "st-42", "id_token_hint": "eyJhbGciOiJFUzI1NiJ9.e30.sig",
			}
			for name, v := range want {
				if in := named(els["input"], name); in == nil || attr(in, "value") != v {
					t.Errorf("hidden %s missing or not %q", name, v)
				}
			}
			if f := els["form"]; len(f) != 1 || attr(f[0], "action") != "/oauth2/logout" {
				t.Errorf("want one form posting to /oauth2/logout")
			}
		}},
		{"logout_plain", func(t *testing.T, els map[string][]*html.Node) {
			for _, name := range []string{"client_id", "post_logout_redirect_uri", "state", "id_token_hint", "ui_locales"} {
				if named(els["input"], name) != nil {
					t.Errorf("empty %s is still sent", name)
				}
			}
		}},
		{"login", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els, "/login")
			wantLinks(t, els, "/password/forgot")
			if named(els["input"], "next") != nil {
				t.Errorf("an empty next is still sent")
			}
		}},
		{"login_pending", func(t *testing.T, els map[string][]*html.Node) {
			forms := wantForms(t, els, "/activate/resend", "/login")
			if len(forms) == 2 {
				in := elements(forms[0])["input"]
				if e := named(in, "email"); e == nil || attr(e, "type") != "hidden" || attr(e, "value") != "ann@example.com" {
					t.Errorf("the resend form does not carry the email in a hidden field")
				}
				if f := named(in, "flow"); f == nil || attr(f, "value") != "flow-8c1d" {
					t.Errorf("the resend form does not carry the flow")
				}
			}
			wantLinks(t, els, "/password/forgot", "/register?flow=flow-8c1d")
		}},
		{"login_account", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els, "/login")
			if in := named(els["input"], "next"); in == nil || attr(in, "type") != "hidden" || attr(in, "value") != "/account" {
				t.Errorf("next field missing")
			}
			wantLinks(t, els, "/password/forgot", "/register")
		}},
		{"mfa_account", func(t *testing.T, els map[string][]*html.Node) {
			if in := named(els["input"], "next"); in == nil || attr(in, "type") != "hidden" || attr(in, "value") != "/account" {
				t.Errorf("next field missing")
			}
			wantLinks(t, els, "/login/mfa?next=%2Faccount&recovery=1")
		}},
		{"mfa", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els, "/login/mfa")
			code := named(els["input"], "code")
			want := map[string]string{"type": "text", "inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}
			for k, v := range want {
				if code == nil || attr(code, k) != v {
					t.Errorf("code field %s is not %q", k, v)
				}
			}
			if named(els["input"], "recovery_code") != nil {
				t.Errorf("the code form asks for a recovery code")
			}
			if f := named(els["input"], "flow"); f == nil || attr(f, "value") != "flow-8c1d" {
				t.Errorf("flow field missing")
			}
			wantLinks(t, els, "/login/mfa?flow=flow-8c1d&recovery=1")
		}},
		{"mfa_recovery_error", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els, "/login/mfa")
			rc := named(els["input"], "recovery_code")
			if rc == nil || attr(rc, "autocomplete") != "off" || attr(rc, "aria-describedby") != "mfa-error" {
				t.Errorf("recovery code field wrong: %v", rc)
			}
			if named(els["input"], "code") != nil {
				t.Errorf("the recovery form also asks for a code")
			}
			if len(els["[role=alert]"]) != 1 {
				t.Errorf("want one role=alert element, have %d", len(els["[role=alert]"]))
			}
			wantLinks(t, els, "/login/mfa?flow=flow-8c1d")
		}},
		{"register", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els, "/register")
			for name, ac := range map[string]string{"email": "email", "name": "name", "password": "new-password"} {
				if in := named(els["input"], name); in == nil || attr(in, "autocomplete") != ac {
					t.Errorf("%s field missing or autocomplete not %q", name, ac)
				}
			}
			pw := named(els["input"], "password")
			if pw == nil || attr(pw, "type") != "password" || !strings.Contains(attr(pw, "aria-describedby"), "password-hint") {
				t.Errorf("password field is not described by its hint")
			}
			if f := named(els["input"], "flow"); f == nil || attr(f, "value") != "flow-8c1d" {
				t.Errorf("flow field missing")
			}
			wantLinks(t, els, "/login?flow=flow-8c1d")
		}},
		{"register_error", func(t *testing.T, els map[string][]*html.Node) {
			if in := named(els["input"], "email"); in == nil || attr(in, "value") != "ann@example.com" {
				t.Errorf("email not echoed")
			}
			if in := named(els["input"], "name"); in == nil || attr(in, "value") != "Ann Lee" {
				t.Errorf("name not echoed")
			}
			if in := named(els["input"], "password"); in == nil || attr(in, "value") != "" ||
				attr(in, "aria-describedby") != "password-hint register-error" {
				t.Errorf("password field wrong: %v", in)
			}
			if named(els["input"], "flow") != nil {
				t.Errorf("an empty flow is still sent")
			}
			if len(els["[role=alert]"]) != 1 {
				t.Errorf("want one role=alert element, have %d", len(els["[role=alert]"]))
			}
			wantLinks(t, els, "/login")
		}},
		{"check_email_activate", func(t *testing.T, els map[string][]*html.Node) {
			forms := wantForms(t, els, "/activate/resend")
			if len(forms) == 1 {
				in := elements(forms[0])["input"]
				if e := named(in, "email"); e == nil || attr(e, "type") != "hidden" || attr(e, "value") != "ann@example.com" {
					t.Errorf("the resend form does not carry the email")
				}
				if f := named(in, "flow"); f == nil || attr(f, "value") != "flow-8c1d" {
					t.Errorf("the resend form does not carry the flow")
				}
			}
			wantText(t, els, "We sent an activation link to ann@example.com. Open it to activate your account. It expires in 24 hours.")
		}},
		{"check_email_reset", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els)
			wantText(t, els, "If an account exists for ann@example.com, we sent a link to reset its password. It expires in 30 minutes.")
		}},
		{"forgot", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els, "/password/forgot")
			if in := named(els["input"], "email"); in == nil || attr(in, "type") != "email" || attr(in, "autocomplete") != "email" {
				t.Errorf("email field wrong: %v", in)
			}
		}},
		{"activate", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els, "/activate")
			if in := named(els["input"], "token"); in == nil || attr(in, "type") != "hidden" || attr(in, "value") != "act-9d2f41" {
				t.Errorf("token field missing")
			}
			if in := named(els["input"], "flow"); in == nil || attr(in, "type") != "hidden" || attr(in, "value") != "flow-8c1d" {
				t.Errorf("flow field missing")
			}
			wantText(t, els, "Press the button below to confirm your email address and activate your TokenIM account.")
		}},
		{"reset", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els, "/password/reset")
			if in := named(els["input"], "token"); in == nil || attr(in, "type") != "hidden" || attr(in, "value") != "rst-4b1e0c" {
				t.Errorf("token field missing")
			}
			for _, name := range []string{"password", "confirm"} {
				if in := named(els["input"], name); in == nil || attr(in, "type") != "password" || attr(in, "autocomplete") != "new-password" {
					t.Errorf("%s field missing or not a new password", name)
				}
			}
			wantText(t, els, "When you change your password, you will be signed out on all your other devices.")
		}},
		{"reset_expired", func(t *testing.T, els map[string][]*html.Node) {
			forms := wantForms(t, els, "/password/forgot")
			wantLinks(t, els, "/login")
			if named(els["input"], "token") != nil || named(els["input"], "password") != nil {
				t.Errorf("the expired link's page still asks for a new password")
			}
			if len(forms) == 1 {
				in := named(elements(forms[0])["input"], "email")
				if in == nil || attr(in, "type") != "email" || attr(in, "autocomplete") != "email" || !hasAttr(in, "required") {
					t.Errorf("the new-link form's email field is wrong: %v", in)
				}
			}
			wantText(t, els, "This reset link has expired or was already used. Enter your email address to get a new one.")
		}},
		{"activate_expired", func(t *testing.T, els map[string][]*html.Node) {
			forms := wantForms(t, els, "/activate/resend")
			wantLinks(t, els, "/login?flow=flow-8c1d")
			if named(els["input"], "token") != nil {
				t.Errorf("the expired link's page still carries a token")
			}
			if len(forms) == 1 {
				in := elements(forms[0])["input"]
				if e := named(in, "email"); e == nil || attr(e, "type") != "email" || !hasAttr(e, "required") {
					t.Errorf("the new-link form's email field is wrong: %v", e)
				}
				if f := named(in, "flow"); f == nil || attr(f, "value") != "flow-8c1d" {
					t.Errorf("the new-link form does not carry the flow")
				}
			}
		}},
		{"message", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els)
			wantLinks(t, els, "/login")
		}},
		{"message_plain", func(t *testing.T, els map[string][]*html.Node) {
			wantLinks(t, els)
			if h := els["h1"]; len(h) != 1 || text(h[0]) != "Notice" {
				t.Errorf("want the generic title as the heading")
			}
		}},
		{"account", func(t *testing.T, els map[string][]*html.Node) {
			wantForms(t, els, "/account/passkeys", "/account/mfa/enrol", "/account/password", "/account/apps/revoke", "/account/sessions/signout", "/account/sessions/signout-all")
			// The passkey form's alert is hidden until its script fills it.
			var alerts int
			for _, n := range els["[role=alert]"] {
				if !hasAttr(n, "hidden") {
					alerts++
				}
			}
			if len(els["[role=status]"]) != 1 || alerts != 0 {
				t.Errorf("want one role=status and no role=alert shown, have %d and %d", len(els["[role=status]"]), alerts)
			}
			rows := els["tr"]
			if len(rows) != 3 {
				t.Fatalf("want a header row and two session rows, have %d rows", len(rows))
			}
			for i, want := range []string{
				"Firefox on Linux This device|203.0.113.7|2026-11-20 09:30 UTC",
				"TokenIM on iOS|2001:db8::42|2026-11-24 14:05 UTC",
			} {
				var cells []string
				tds := elements(rows[i+1])["td"]
				for _, td := range tds[:3] {
					cells = append(cells, text(td))
				}
				if got := strings.Join(cells, "|"); got != want {
					t.Errorf("session row %d = %q, want %q", i, got, want)
				}
				// Every session but this browser's has its own sign-out.
				forms := elements(tds[3])["form"]
				switch {
				case i == 0 && len(forms) != 0:
					t.Errorf("this browser's session offers a sign-out of its own")
				case i == 1 && (len(forms) != 1 || attr(named(elements(forms[0])["input"], "session"), "value") != "ses-2" ||
					strings.TrimSpace(text(elements(forms[0])["button"][0])) != "Sign out"):
					t.Errorf("the other session's row lacks its sign-out form for ses-2")
				}
			}
			if tm := els["time"]; len(tm) != 3 || attr(tm[0], "datetime") != "2026-11-01T08:00:00Z" || attr(tm[2], "datetime") != "2026-11-24T14:05:00Z" {
				t.Errorf("grant and sign-in times lack a machine-readable UTC datetime")
			}
			if !strings.Contains(text(els["body"][0]), "Send messages as you") {
				t.Errorf("the connected app's permissions are not described")
			}
			wantLinks(t, els, "/apps")
		}},
		{"account_enrol", func(t *testing.T, els map[string][]*html.Node) {
			forms := wantForms(t, els, "/account/passkeys", "/account/mfa/confirm", "/account/password", "/account/sessions/signout-all")
			if len(forms) == 4 {
				code := named(elements(forms[1])["input"], "code")
				if code == nil || attr(code, "autocomplete") != "one-time-code" || attr(code, "inputmode") != "numeric" {
					t.Errorf("confirm form's code field wrong: %v", code)
				}
			}
			if c := els["code"]; len(c) != 1 || text(c[0]) != "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP" {
				t.Errorf("the secret is not shown in groups of four")
			}
			wantLinks(t, els)
		}},
		{"account_mfa_on", func(t *testing.T, els map[string][]*html.Node) {
			forms := wantForms(t, els, "/account/passkeys", "/account/mfa/disable", "/account/password", "/account/sessions/signout-all")
			if len(forms) == 4 {
				in := elements(forms[1])["input"]
				if pw := named(in, "password"); pw == nil || attr(pw, "type") != "password" || attr(pw, "autocomplete") != "current-password" {
					t.Errorf("disable form's password field wrong")
				}
				if named(in, "code") == nil {
					t.Errorf("disable form has no code field")
				}
			}
			wantText(t, els, "Two-step verification is on.")
			if len(els["img"]) != 0 {
				t.Errorf("the QR code is shown with two-step verification on")
			}
		}},
	}
	tests = append(tests, portalFormFields()...)
	for _, tc := range tests {
		t.Run(tc.page+" has the fields its handler reads", func(t *testing.T) {
			doc, err := html.Parse(renderPage(t, r, byName[tc.page], English).Body)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, pageElements(doc))
		})
	}
}

func TestEscaping(t *testing.T) {
	const evil = `<script>alert(1)</script>`
	r := newTestRenderer(t)
	tests := []struct {
		name   string
		render func(w http.ResponseWriter, req *http.Request) error
	}{
		{"sign-in page escapes the app name and the echoed email", func(w http.ResponseWriter, req *http.Request) error {
			return r.Login(w, req, http.StatusOK, LoginPage{ClientName: evil, Email: `"><script>alert(1)</script>`, Flow: evil})
		}},
		{"consent page escapes the app name, email and flow", func(w http.ResponseWriter, req *http.Request) error {
			return r.Consent(w, req, http.StatusOK, ConsentPage{ClientName: evil, ClientID: evil, UserEmail: evil, Flow: `"><script>alert(1)</script>`, Scopes: []string{evil}})
		}},
		{"sign-out page escapes the app name and hidden fields", func(w http.ResponseWriter, req *http.Request) error {
			return r.Logout(w, req, LogoutPage{ClientName: evil, State: `"><script>alert(1)</script>`})
		}},
		{"error page escapes the reference", func(w http.ResponseWriter, req *http.Request) error {
			return r.Error(w, req, http.StatusBadRequest, ErrorPage{RequestID: evil})
		}},
		{"sign-in page escapes the error argument and the resend email", func(w http.ResponseWriter, req *http.Request) error {
			return r.Login(w, req, http.StatusTooManyRequests, LoginPage{Error: "login.throttled", ErrorArg: evil, Resend: true, Email: evil})
		}},
		{"second step escapes the flow, next and the error argument", func(w http.ResponseWriter, req *http.Request) error {
			return r.MFA(w, req, http.StatusTooManyRequests, MFAPage{Flow: evil, Next: `"><script>alert(1)</script>`, Error: "login.throttled", ErrorArg: evil})
		}},
		{"registration page escapes the echoed email, name and flow", func(w http.ResponseWriter, req *http.Request) error {
			return r.Register(w, req, http.StatusOK, RegisterPage{Email: `"><script>alert(1)</script>`, Name: evil, Flow: evil})
		}},
		{"check-your-email page escapes the email in text and hidden field", func(w http.ResponseWriter, req *http.Request) error {
			return r.CheckEmail(w, req, http.StatusOK, CheckEmailPage{Kind: CheckEmailActivate, Email: evil, Expires: time.Hour})
		}},
		{"forgotten-password page escapes the echoed email", func(w http.ResponseWriter, req *http.Request) error {
			return r.Forgot(w, req, http.StatusOK, ForgotPage{Email: evil})
		}},
		{"new-password page escapes the token", func(w http.ResponseWriter, req *http.Request) error {
			return r.Reset(w, req, http.StatusOK, ResetPage{Token: `"><script>alert(1)</script>`})
		}},
		{"account page escapes the profile, secret, codes and sessions", func(w http.ResponseWriter, req *http.Request) error {
			return r.Account(w, req, http.StatusOK, AccountPage{PasskeysOn: true,
				Email: evil, Name: evil, Enrolment: &Enrolment{QRDataURI: testQR, Secret: evil}, RecoveryCodes: []string{evil},
				Sessions: []SessionView{{Device: evil, IP: evil}},
			})
		}},
		{"apps page escapes the app names, IDs and kinds", func(w http.ResponseWriter, req *http.Request) error {
			return r.Apps(w, req, http.StatusOK, AppsPage{Apps: []AppSummary{{ClientID: evil, Name: evil, Kind: evil}, {ClientID: evil}}})
		}},
		{"new app form escapes every echoed field, the scopes and the error argument", func(w http.ResponseWriter, req *http.Request) error {
			return r.AppForm(w, req, http.StatusBadRequest, AppFormPage{
				New: true, CSRFToken: `"><script>alert(1)</script>`, Offered: []string{evil}, Error: "portal.redirect_invalid", ErrorArg: evil,
				App: AppForm{Name: `"><script>alert(1)</script>`, Description: evil, LogoURI: evil, Kind: evil, RedirectURIs: evil, Scopes: []string{evil}},
			})
		}},
		{"app edit page escapes the app, its ID and its secrets", func(w http.ResponseWriter, req *http.Request) error {
			return r.AppForm(w, req, http.StatusOK, AppFormPage{
				App:     AppForm{ClientID: evil, Name: evil, Kind: evil},
				Secrets: []SecretRow{{ID: evil, Prefix: evil, State: evil}},
			})
		}},
		{"secret page escapes the app, its ID and the secret", func(w http.ResponseWriter, req *http.Request) error {
			return r.SecretShown(w, req, http.StatusCreated, SecretShownPage{ClientID: evil, AppName: evil, Secret: evil})
		}},
		{"delete page escapes the app name and ID", func(w http.ResponseWriter, req *http.Request) error {
			return r.DeleteApp(w, req, http.StatusOK, DeleteAppPage{ClientID: evil, AppName: evil, CSRFToken: `"><script>alert(1)</script>`})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
			w := httptest.NewRecorder()
			if err := tc.render(w, req); err != nil {
				t.Fatal(err)
			}
			body := w.Body.String()
			// The passkey script's own tag is the only <script> a page has.
			if strings.Contains(regexp.MustCompile(`<script src="/static/passkey\.js\?v=[0-9a-f]+" defer></script>`).ReplaceAllString(body, ""), "<script") {
				t.Errorf("unescaped <script in page:\n%s", body)
			}
			if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("escaped text missing from page:\n%s", body)
			}
		})
	}
}

func TestViewMessageKeys(t *testing.T) {
	var logs bytes.Buffer
	r, err := New(Config{FS: templates.FS(), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		render   func(w http.ResponseWriter, req *http.Request) error
		want     string
		wantWarn bool
	}{
		{"a known error key shows its text in the chosen language", func(w http.ResponseWriter, req *http.Request) error {
			return r.Login(w, req, http.StatusUnauthorized, LoginPage{UILocales: "zh-CN", Error: "login.invalid"})
		}, "邮箱或密码错误。", false},
		{"an unknown error key shows the generic title and is logged", func(w http.ResponseWriter, req *http.Request) error {
			return r.Login(w, req, http.StatusBadRequest, LoginPage{Error: "login.no_such_key"})
		}, "Something went wrong", true},
		{"an unknown error page message shows the generic title and is logged", func(w http.ResponseWriter, req *http.Request) error {
			return r.Error(w, req, http.StatusBadRequest, ErrorPage{UILocales: "zh", Message: "error.no_such_key"})
		}, "出错了", true},
		{"an empty error page title is the generic title", func(w http.ResponseWriter, req *http.Request) error {
			return r.Error(w, req, http.StatusNotFound, ErrorPage{Message: "error.not_found"})
		}, "<h1>Something went wrong</h1>", false},
		{"an error taking an argument shows it in the chosen language", func(w http.ResponseWriter, req *http.Request) error {
			return r.Login(w, req, http.StatusTooManyRequests, LoginPage{UILocales: "zh-CN", Error: "login.throttled", ErrorArg: "900"})
		}, "尝试次数过多，请在 900 秒后重试。", false},
		{"the second step shows an error's argument too", func(w http.ResponseWriter, req *http.Request) error {
			return r.MFA(w, req, http.StatusTooManyRequests, MFAPage{Error: "login.throttled", ErrorArg: "270"})
		}, "Too many attempts. Try again in 270 seconds.", false},
		{"an error taking an argument given none shows the generic title and is logged", func(w http.ResponseWriter, req *http.Request) error {
			return r.Login(w, req, http.StatusTooManyRequests, LoginPage{Error: "login.throttled"})
		}, `role="alert" id="login-error">Something went wrong<`, true},
		{"an argument the error does not take is left out and logged", func(w http.ResponseWriter, req *http.Request) error {
			return r.Login(w, req, http.StatusUnauthorized, LoginPage{Error: "login.invalid", ErrorArg: "900"})
		}, `id="login-error">Incorrect email or password.<`, true},
		{"an account notice shows its text as a status", func(w http.ResponseWriter, req *http.Request) error {
			return r.Account(w, req, http.StatusOK, AccountPage{UILocales: "zh-CN", Notice: "sessions.signed_out"})
		}, `<p class="notice" role="status">您已在其他所有设备上退出登录。</p>`, false},
		{"an unknown account notice shows the generic title and is logged", func(w http.ResponseWriter, req *http.Request) error {
			return r.Account(w, req, http.StatusOK, AccountPage{Notice: "mfa.no_such_key"})
		}, `role="status">Something went wrong<`, true},
		{"an empty result page title is the generic notice title", func(w http.ResponseWriter, req *http.Request) error {
			return r.Message(w, req, http.StatusOK, MessagePage{UILocales: "zh-CN", Message: "activate.done"})
		}, "<h1>提示</h1>", false},
		{"a result page link without text reads Continue", func(w http.ResponseWriter, req *http.Request) error {
			return r.Message(w, req, http.StatusOK, MessagePage{Message: "activate.done", LinkURL: "/login"})
		}, `<a href="/login" class="button primary">Continue</a>`, false},
		{"a result page link with an unknown text reads Continue and is logged", func(w http.ResponseWriter, req *http.Request) error {
			return r.Message(w, req, http.StatusOK, MessagePage{Message: "activate.done", LinkText: "message.no_such_key", LinkURL: "/login"})
		}, `<a href="/login" class="button primary">Continue</a>`, true},
		{"a result page link text without a URL shows no link", func(w http.ResponseWriter, req *http.Request) error {
			return r.Message(w, req, http.StatusOK, MessagePage{Message: "activate.done", LinkText: "message.sign_in"})
		}, "<p>Your account is active. You can sign in now.</p>\n</main>", false},
		{"a result page link to a script is neutralised", func(w http.ResponseWriter, req *http.Request) error {
			return r.Message(w, req, http.StatusOK, MessagePage{LinkText: "message.sign_in", LinkURL: "javascript:alert(1)"})
		}, `<a href="#ZgotmplZ" class="button primary">Go to sign-in</a>`, false},
		{"a refused redirect URI is named in the chosen language", func(w http.ResponseWriter, req *http.Request) error {
			return r.AppForm(w, req, http.StatusBadRequest, AppFormPage{
				UILocales: "zh-CN", New: true, Error: "portal.redirect_invalid", ErrorArg: "http://chat.example.com/cb",
			})
		}, "http://chat.example.com/cb 不是可接受的重定向 URI。", false},
		{"a portal notice shows its text as a status", func(w http.ResponseWriter, req *http.Request) error {
			return r.AppForm(w, req, http.StatusOK, AppFormPage{App: AppForm{ClientID: "app-1", Kind: AppKindWeb}, Notice: "portal.secret_revoked"})
		}, `<p class="notice" role="status">The secret was revoked: it stopped working at once.</p>`, false},
		{"an unknown app kind is shown as it is and logged", func(w http.ResponseWriter, req *http.Request) error {
			return r.Apps(w, req, http.StatusOK, AppsPage{Apps: []AppSummary{{ClientID: "app-1", Kind: "robot"}}})
		}, "<td>robot</td>", true},
		{"an unknown secret state is shown as it is and logged", func(w http.ResponseWriter, req *http.Request) error {
			return r.AppForm(w, req, http.StatusOK, AppFormPage{App: AppForm{ClientID: "app-1", Kind: AppKindWeb}, Secrets: []SecretRow{{ID: "s1", State: "paused"}}})
		}, "<td>paused</td>", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
			w := httptest.NewRecorder()
			if err := tc.render(w, req); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("page lacks %q:\n%s", tc.want, w.Body.String())
			}
			warned := strings.Contains(logs.String(), "level=WARN")
			if warned != tc.wantWarn {
				t.Errorf("warned = %v, want %v; log:\n%s", warned, tc.wantWarn, logs.String())
			}
		})
	}
}

func TestScopeDescriptions(t *testing.T) {
	var logs bytes.Buffer
	r, err := New(Config{FS: templates.FS(), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	scopes := map[string]map[Locale]string{
		"im:messages.send": {English: "Send messages as you", Chinese: "以您的身份发送消息"},
		"im:calls.read":    {English: "See your call history"},
	}
	r.SetScopes(scopes)
	scopes["im:messages.send"][Chinese] = "changed after SetScopes"
	tests := []struct {
		name     string
		scope    string
		loc      string
		want     string
		wantWarn bool
	}{
		{"a scope is described in the page's language", "im:messages.send", "zh-CN", "<li>以您的身份发送消息</li>", false},
		{"a scope without a Chinese description falls back to English", "im:calls.read", "zh-CN", "<li>See your call history</li>", false},
		{"a scope without any description shows its name and is logged", "im:admin", "en", "<li>im:admin</li>", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
			w := httptest.NewRecorder()
			if err := r.Consent(w, req, http.StatusOK, ConsentPage{UILocales: tc.loc, ClientID: "acme", Scopes: []string{tc.scope}}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("page lacks %q:\n%s", tc.want, w.Body.String())
			}
			if warned := strings.Contains(logs.String(), "level=WARN"); warned != tc.wantWarn {
				t.Errorf("warned = %v, want %v; log:\n%s", warned, tc.wantWarn, logs.String())
			}
		})
	}
}

// spyWriter records whether anything at all was written.
type spyWriter struct {
	header  http.Header
	touched bool
}

func (s *spyWriter) Header() http.Header {
	if s.header == nil {
		s.header = http.Header{}
	}
	return s.header
}
func (s *spyWriter) Write(b []byte) (int, error) { s.touched = true; return len(b), nil }
func (s *spyWriter) WriteHeader(int)             { s.touched = true }

func TestTemplateErrorWritesNothing(t *testing.T) {
	// A login page that renders for the start-up samples but fails for one
	// email, as a template bug hidden in a rare branch would.
	fsys := templateFS(t)
	fsys["login.html"].Data = []byte(`{{define "title"}}{{t "login.title"}}{{end}}` +
		`{{define "main"}}{{if eq .Email "boom"}}{{.NoSuchField}}{{end}}{{end}}`)
	r, err := New(Config{FS: fsys, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/login", nil)

	t.Run("the page renders when the broken branch is not taken", func(t *testing.T) {
		w := &spyWriter{}
		if err := r.Login(w, req, http.StatusOK, LoginPage{Email: "ann@example.com"}); err != nil || !w.touched {
			t.Fatalf("err = %v, written = %v", err, w.touched)
		}
	})
	t.Run("a template error returns an error having written nothing", func(t *testing.T) {
		w := &spyWriter{}
		err := r.Login(w, req, http.StatusOK, LoginPage{Email: "boom"})
		if err == nil {
			t.Fatal("want an error")
		}
		if w.touched || len(w.header) != 0 {
			t.Errorf("something was written: touched=%v header=%v", w.touched, w.header)
		}
	})
}

// wantForms checks that the page's forms post to actions, in order, and
// returns them.
func wantForms(t *testing.T, els map[string][]*html.Node, actions ...string) []*html.Node {
	t.Helper()
	var got []string
	for _, f := range els["form"] {
		got = append(got, attr(f, "action"))
	}
	if diff := cmp.Diff(actions, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("form actions differ (-want +got):\n%s", diff)
	}
	return els["form"]
}

// wantLinks checks the page's links, in order.
func wantLinks(t *testing.T, els map[string][]*html.Node, hrefs ...string) {
	t.Helper()
	var got []string
	for _, a := range els["a"] {
		got = append(got, attr(a, "href"))
	}
	if diff := cmp.Diff(hrefs, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("links differ (-want +got):\n%s", diff)
	}
}

// wantText checks that a paragraph of the page reads exactly s.
func wantText(t *testing.T, els map[string][]*html.Node, s string) {
	t.Helper()
	for _, p := range els["p"] {
		if text(p) == s {
			return
		}
	}
	t.Errorf("no paragraph reads %q", s)
}

// all returns the elements under root in document order.
func all(root *html.Node) []*html.Node {
	var els []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			els = append(els, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return els
}

// pageElements is elements of a page without the layout's skip link and
// header, which frame_test.go checks: what the page's own handler reads
// and links to.
func pageElements(doc *html.Node) map[string][]*html.Node {
	els := elements(doc)
	for _, n := range append(els["header"], els["a"]...) {
		if n.Parent.Data == "body" {
			n.Parent.RemoveChild(n)
		}
	}
	return elements(doc)
}

// elements indexes the elements under root by tag name, in document
// order, and also by role as "[role=NAME]".
func elements(root *html.Node) map[string][]*html.Node {
	els := map[string][]*html.Node{}
	for _, n := range all(root) {
		els[n.Data] = append(els[n.Data], n)
		if role := attr(n, "role"); role != "" {
			els["[role="+role+"]"] = append(els["[role="+role+"]"], n)
		}
	}
	return els
}

func named(ns []*html.Node, name string) *html.Node {
	for _, n := range ns {
		if attr(n, "name") == name {
			return n
		}
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// insidePasskeyBox reports whether n is inside an element the passkey
// script drives (data-passkey).
func insidePasskeyBox(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		for _, a := range p.Attr {
			if a.Key == "data-passkey" {
				return true
			}
		}
	}
	return false
}
