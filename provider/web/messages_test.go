package web

import (
	"strings"
	"testing"
	"unicode"
)

// handlerKeys are the keys handlers put in view fields (LoginPage.Error,
// ConsentPage.Error, ErrorPage.Title and Message). New cannot see them in
// the templates, so they are listed here.
func handlerKeys() []string {
	return []string{
		"login.invalid", "login.required", "login.disabled", "login.pending",
		"consent.failed",
		"error.title", "error.invalid_request", "error.unknown_client", "error.redirect_uri",
		"error.flow_expired", "error.csrf", "error.server", "error.not_found",
		"error.logout_redirect", "error.access_denied",
	}
}

func TestCatalogue(t *testing.T) {
	msgs := messages()
	t.Run("every key handlers pass exists in both languages and takes no arguments", func(t *testing.T) {
		for _, k := range handlerKeys() {
			for _, loc := range locales() {
				s, ok := msgs.text(loc, k)
				if !ok {
					t.Errorf("%s: no %s text", k, loc)
				}
				if strings.Contains(s, "%") {
					t.Errorf("%s (%s) has a %% but is shown without arguments: %q", k, loc, s)
				}
			}
		}
	})
	t.Run("both languages of a text take the same arguments", func(t *testing.T) {
		for k, m := range msgs {
			if verbs(m.en) != verbs(m.zh) {
				t.Errorf("%s: %d arguments in English, %d in Chinese", k, verbs(m.en), verbs(m.zh))
			}
		}
	})
	t.Run("English texts are English and Chinese texts are Chinese", func(t *testing.T) {
		for k, m := range msgs {
			if hasHan(m.en) {
				t.Errorf("%s: Chinese characters in the English text %q", k, m.en)
			}
			if !hasHan(m.zh) {
				t.Errorf("%s: no Chinese characters in the Chinese text %q", k, m.zh)
			}
		}
	})
	t.Run("Chinese texts use full-width punctuation", func(t *testing.T) {
		for k, m := range msgs {
			for _, p := range []string{",", "?", "!", ":", ";", "(", ")"} {
				if strings.Contains(m.zh, p) {
					t.Errorf("%s: half-width %q in %q", k, p, m.zh)
				}
			}
			if strings.HasSuffix(m.zh, ".") {
				t.Errorf("%s: ends with a half-width full stop: %q", k, m.zh)
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
		{"an unknown key is an error, not a panic", English, "no.such.key", nil, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := msgs.translator(tc.loc)(tc.key, tc.args...)
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
