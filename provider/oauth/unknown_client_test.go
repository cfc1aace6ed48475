package oauth_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/templates"
)

// records is a slog handler keeping every record, for tests that check
// what was logged.
type records struct {
	mu  sync.Mutex
	all []slog.Record
}

func (h *records) Enabled(context.Context, slog.Level) bool { return true }
func (h *records) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.all = append(h.all, r.Clone())
	return nil
}
func (h *records) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *records) WithGroup(string) slog.Handler      { return h }

// find returns the attributes of the first record with message msg.
func (h *records) find(msg string) (map[string]string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.all {
		if r.Message != msg {
			continue
		}
		attrs := map[string]string{"level": r.Level.String()}
		r.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.String(); return true })
		return attrs, true
	}
	return nil, false
}

// An authorization request from an app the provider does not know ends on
// the error page saying the app is unknown (not that it sent an
// unregistered address), in the user's language, and the page's log line
// says why.
func TestUnknownClientPage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang, want, notWant string
	}{
		{"en", "The app that sent you here is not registered with TokenIM", "address"},
		{"zh-CN", "发起请求的应用未在 TokenIM 注册", "返回地址"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			logs := &records{}
			pages, err := web.New(web.Config{FS: templates.FS(), Logger: slog.New(logs)})
			if err != nil {
				t.Fatal(err)
			}
			h := newUserHarness(t, memory.New(), func(cfg *oauth.Config) { cfg.Pages = pages })
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/oauth2/auth?"+authParams("ghost", h.appRedirect).Encode()), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept-Language", tc.lang)
			resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
				t.Fatalf("got %d to %q, want the error page", resp.StatusCode, resp.Header.Get("Location"))
			}
			if page := string(body); !strings.Contains(page, tc.want) || strings.Contains(page, tc.notWant) {
				t.Fatalf("the page does not say the app is unknown:\n%s", page)
			}
			line, ok := logs.find("error page shown")
			if !ok {
				t.Fatal("the error page was not logged")
			}
			if line["level"] != "INFO" || line["reason"] != "error.unknown_client" || line["status"] != "400" ||
				!strings.Contains(line["detail"], `client_id "ghost"`) {
				t.Fatalf("log line %v", line)
			}
		})
	}
}
