package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/tokenim/tokenim-auth/provider/i18n"
	"github.com/tokenim/tokenim-auth/templates"
)

// handlerKeys are the keys handlers put in view fields: Error (login,
// MFA, consent, register, forgot, reset, account and portal pages), Notice
// (account and portal pages), Title, Message and LinkText (error and
// result pages). New
// cannot see them in the templates, so they are listed here. They take no
// arguments; handlerArgKeys are those that take one, from ErrorArg.
func handlerKeys() []string {
	return append([]string{
		"login.invalid", "login.required", "login.disabled", "login.pending",
		"consent.failed",
		"error.title", "error.invalid_request", "error.unknown_client", "error.redirect_uri",
		"error.flow_expired", "error.csrf", "error.server", "error.not_found", "error.not_found_title",
		"error.logout_redirect", "error.access_denied", "error.bad_input", "error.too_large", "error.request_too_large",
		"register.disabled", "register.invalid_email", "register.required", "register.throttled",
		"password.too_short", "password.too_long", "password.common", "password.mismatch",
		"mfa.need_passkey", "mfa.need_setup", "passkeys.exists",
		"passkey.expired", "passkey.refused", "passkey.unknown", "passkey.wrong_origin", "passkey.cloned",
		"mfa.invalid", "mfa.recovery_invalid", "mfa.enrolled", "mfa.disabled", "mfa.recovery_renewed", "sessions.signed_out_one", "sessions.unknown", "mfa.required",
		"activate.title", "activate.done", "activate.sent",
		"invitation.joined", "invitation.already_member", "invitation.throttled",
		"install.no_scopes", "install.bad_scope", "install.unknown", "install.not_member",
		"reset.title", "reset.done",
		"login.throttled_plain", "login.invalid_password", "reset.no_mail",
		"sessions.signed_out", "account.title",
		"message.title", "ratelimit.title", "busy.title", "busy.message", "message.sign_in", "message.new_link", "message.account", "message.continue", "message.back_to_app", "apps.revoked",
		"portal.developers_only", "portal.created", "portal.saved", "portal.deleted", "portal.secret_revoked",
		"portal.name_required", "portal.kind_invalid", "portal.logo_invalid", "portal.redirect_required",
		"portal.scope_not_offered", "portal.too_many_secrets", "portal.last_secret", "portal.not_found",
		"portal.token_format_invalid", "portal.par_service", "portal.dpop_off", "portal.origins_not_for_kind", "portal.reuse_window_invalid",
		"device.malformed", "device.unknown", "device.failed", "device.workspace_required", "device.no_workspace",
		"device.approved_title", "device.approved", "device.denied_title", "device.denied",
		"lang.unknown",
		"upstream.title", "upstream.state_lost", "upstream.link_title", "upstream_logout.title", "upstream_logout.state_lost",
		"directory.required", "directory.invalid", "login.sso_email",
	}, slices.Concat(adminHandlerKeys(), recordActionKeys(), accountHandlerKeys(), workspaceHandlerKeys(), installHandlerKeys())...)
}

// handlerArgKeys are the handler keys that take one argument, the view's
// ErrorArg or MessageArg.
func handlerArgKeys() []string {
	return append([]string{"login.throttled", "ratelimit.wait", "scope.not_allowed", "portal.redirect_invalid", "device.throttled", "portal.logout_uri_invalid", "portal.origin_invalid",
		"consent.detail_action.messages_read", "consent.detail_action.messages_send", "consent.detail_action.calls_read", "consent.detail_action.unknown",
		"upstream.signin", "upstream.unavailable", "upstream.refused", "upstream.email_taken", "upstream.no_account", "upstream.email_unverified",
		"upstream.link_session", "upstream.link_already", "upstream.link_taken", "login.sso_unknown"},
		slices.Concat(adminHandlerArgKeys(), workspaceHandlerArgKeys(), installHandlerArgKeys())...)
}

func TestCatalogue(t *testing.T) {
	msgs := messages()
	t.Run("every key handlers pass exists in both languages and takes no arguments", func(t *testing.T) {
		for _, k := range handlerKeys() {
			for _, loc := range locales() {
				s, ok := msgs.Lookup(loc, k)
				if !ok {
					t.Errorf("%s: no %s text", k, loc)
				}
				if strings.Contains(s, "%") {
					t.Errorf("%s (%s) has a %% but is shown without arguments: %q", k, loc, s)
				}
			}
		}
	})
	t.Run("every key handlers pass with an argument takes exactly one in both languages", func(t *testing.T) {
		for _, k := range handlerArgKeys() {
			for _, loc := range locales() {
				s, ok := msgs.Lookup(loc, k)
				if !ok {
					t.Errorf("%s: no %s text", k, loc)
				}
				if n := i18n.Verbs(s); n != 1 {
					t.Errorf("%s (%s) takes %d arguments, but a view has one ErrorArg: %q", k, loc, n, s)
				}
			}
		}
	})
	t.Run("every text is used by a template or passed by handlers", func(t *testing.T) {
		used := map[string]bool{}
		for _, k := range append(handlerKeys(), handlerArgKeys()...) {
			used[k] = true
		}
		call := regexp.MustCompile(`\bt "([^"]+)"`)
		err := fs.WalkDir(templates.FS(), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
				return err
			}
			data, err := fs.ReadFile(templates.FS(), p)
			for _, m := range call.FindAllSubmatch(data, -1) {
				used[string(m[1])] = true
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for k := range msgs {
			if !used[k] {
				t.Errorf("%s is used by no template and is not in handlerKeys: dead, or a handler key to list", k)
			}
		}
	})
	t.Run("both languages of a text take the same arguments", func(t *testing.T) {
		for k, m := range msgs {
			if i18n.Verbs(m.EN) != i18n.Verbs(m.ZH) {
				t.Errorf("%s: %d arguments in English, %d in Chinese", k, i18n.Verbs(m.EN), i18n.Verbs(m.ZH))
			}
		}
	})
	t.Run("an English singular takes the arguments of its plural", func(t *testing.T) {
		for k, m := range msgs {
			if m.ENOne == "" {
				continue
			}
			if i18n.Verbs(m.EN) != 1 || i18n.Verbs(m.ENOne) != 1 || hasHan(m.ENOne) {
				t.Errorf("%s: a singular is for an English text taking one count: %q, %q", k, m.EN, m.ENOne)
			}
		}
	})
	t.Run("a count of seconds or minutes has an English singular", func(t *testing.T) {
		plural := regexp.MustCompile(`%[sd] (seconds|minutes|hours|days)\b`)
		for k, m := range msgs {
			if plural.MatchString(m.EN) && m.ENOne == "" {
				t.Errorf("%s: %q would say \"1 %s\"; give it an ENOne", k, m.EN, plural.FindStringSubmatch(m.EN)[1])
			}
		}
	})
	t.Run("English texts are English and Chinese texts are Chinese", func(t *testing.T) {
		for k, m := range msgs {
			if hasHan(m.EN) {
				t.Errorf("%s: Chinese characters in the English text %q", k, m.EN)
			}
			if !hasHan(m.ZH) {
				t.Errorf("%s: no Chinese characters in the Chinese text %q", k, m.ZH)
			}
		}
	})
	t.Run("Chinese texts use full-width punctuation", func(t *testing.T) {
		for k, m := range msgs {
			for _, p := range []string{",", "?", "!", ":", ";", "(", ")"} {
				if strings.Contains(m.ZH, p) {
					t.Errorf("%s: half-width %q in %q", k, p, m.ZH)
				}
			}
			if strings.HasSuffix(m.ZH, ".") {
				t.Errorf("%s: ends with a half-width full stop: %q", k, m.ZH)
			}
		}
	})
}

func TestTranslator(t *testing.T) {
	msgs := messages()
	tests := []struct {
		name    string
		loc     Locale
		key     string
		args    []any
		want    string
		wantErr bool
	}{
		{"a text without arguments is returned as is", Chinese, "login.submit", nil, "登录", false},
		{"arguments fill the text", English, "login.heading_app", []any{"Acme Chat"}, "Sign in to continue to Acme Chat", false},
		{"arguments fill the Chinese text", Chinese, "consent.heading", []any{"Acme Chat"}, "Acme Chat 申请访问您的 TokenIM 账号", false},
		{"a wait in seconds fills the throttle text", Chinese, "login.throttled", []any{"900"}, "尝试次数过多，请在 900 秒后重试。", false},
		{"a wait of one second is singular", English, "login.throttled", []any{"1"}, "Too many attempts. Try again in 1 second.", false},
		{"a wait of seconds is plural", English, "login.throttled", []any{"2"}, "Too many attempts. Try again in 2 seconds.", false},
		{"a wait of one second in Chinese", Chinese, "login.throttled", []any{"1"}, "尝试次数过多，请在 1 秒后重试。", false},
		{"an unknown key is an error, not a panic", English, "no.such.key", nil, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := msgs.Translator(tc.loc)(tc.key, tc.args...)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("t(%q) = %q, %v; want %q, error %v", tc.key, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// A wait of one second reads as one second on the pages that state a
// wait, in both languages.
func TestWaitOfOneSecond(t *testing.T) {
	t.Parallel()
	r := newTestRenderer(t)
	for _, tc := range []struct {
		name   string
		render func(w http.ResponseWriter, req *http.Request) error
		en, zh string
	}{
		{"sign-in throttled", func(w http.ResponseWriter, req *http.Request) error {
			return r.Login(w, req, http.StatusTooManyRequests, LoginPage{Error: "login.throttled", ErrorArg: "1"})
		}, "Try again in 1 second.", "请在 1 秒后重试。"},
		{"second factor throttled", func(w http.ResponseWriter, req *http.Request) error {
			return r.MFA(w, req, http.StatusTooManyRequests, MFAPage{Error: "login.throttled", ErrorArg: "1"})
		}, "Try again in 1 second.", "请在 1 秒后重试。"},
		{"device code throttled", func(w http.ResponseWriter, req *http.Request) error {
			return r.Device(w, req, http.StatusTooManyRequests, DevicePage{Error: "device.throttled", ErrorArg: "1"})
		}, "Try again in 1 second.", "请在 1 秒后重试。"},
		{"rate limited", func(w http.ResponseWriter, req *http.Request) error {
			return r.Message(w, req, http.StatusTooManyRequests, MessagePage{Title: "ratelimit.title", Message: "ratelimit.wait", MessageArg: "1"})
		}, "Try again in 1 second.", "请在 1 秒后重试。"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for loc, want := range map[Locale]string{English: tc.en, Chinese: tc.zh} {
				req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
				req.Header.Set("Accept-Language", string(loc))
				w := httptest.NewRecorder()
				if err := tc.render(w, req); err != nil {
					t.Fatal(err)
				}
				if body := w.Body.String(); !strings.Contains(body, want) || strings.Contains(body, "1 seconds") {
					t.Errorf("%s page does not say %q:\n%s", loc, want, body)
				}
			}
		})
	}
}
