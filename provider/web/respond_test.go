package web

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// brokenPages cannot render a page.
type brokenPages struct{}

func (brokenPages) Message(http.ResponseWriter, *http.Request, int, MessagePage) error {
	return errors.New("web: render message page (en): template broken")
}

func (brokenPages) Error(http.ResponseWriter, *http.Request, int, ErrorPage) error {
	return errors.New("web: render error page (en): template broken")
}

func TestRendered(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	w := httptest.NewRecorder()
	Rendered(logger, w, httptest.NewRequest("GET", "/account", nil), "account page", nil)
	if w.Body.Len() != 0 || logs.Len() != 0 {
		t.Fatalf("a rendered page: body %q, log %s", w.Body, logs.String())
	}
	Rendered(logger, w, httptest.NewRequest("GET", "/account", nil), "account page", errors.New("template broken"))
	if w.Code != http.StatusInternalServerError || !strings.Contains(logs.String(), `"msg":"render account page"`) {
		t.Fatalf("a page that failed: status %d, log %s", w.Code, logs.String())
	}
}

func TestShowMessage(t *testing.T) {
	t.Parallel()
	r := newTestRenderer(t)
	w := httptest.NewRecorder()
	ShowMessage(r, slog.New(slog.DiscardHandler), w, httptest.NewRequest("GET", "/apps", nil), http.StatusForbidden, MessagePage{Message: "portal.developers_only"})
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), `<h1>Notice</h1>`) {
		t.Fatalf("status %d:\n%s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	ShowMessage(brokenPages{}, slog.New(slog.DiscardHandler), w, httptest.NewRequest("GET", "/apps", nil), http.StatusForbidden, MessagePage{})
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("a message page that cannot be rendered: %d", w.Code)
	}
}

func TestBusy(t *testing.T) {
	t.Parallel()
	r := newTestRenderer(t)
	for _, tc := range []struct {
		name, uiLocales, text string
		pages                 MessagePages
	}{
		{"in English", "", "Too many people are signing in", r},
		{"in the flow's language", "zh-CN", "当前登录或修改密码的人数过多", r},
		{"when the page cannot be rendered", "", "busy", brokenPages{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			Busy(tc.pages, slog.New(slog.DiscardHandler), w, httptest.NewRequest("POST", "/login", nil), tc.uiLocales)
			if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "2" || !strings.Contains(w.Body.String(), tc.text) {
				t.Fatalf("status %d, Retry-After %q, want 503, 2 and %q:\n%s", w.Code, w.Header().Get("Retry-After"), tc.text, w.Body)
			}
		})
	}
}

func TestShowError(t *testing.T) {
	t.Parallel()
	r := newTestRenderer(t)
	w := httptest.NewRecorder()
	w.Header().Set("X-Request-Id", "req-42")
	ShowError(r, slog.New(slog.DiscardHandler), w, httptest.NewRequest("GET", "/consent", nil), http.StatusBadRequest, "zh-CN", "error.flow_expired")
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "登录已超时") || !strings.Contains(w.Body.String(), "req-42") {
		t.Fatalf("status %d, want 400 in Chinese with the reference:\n%s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	ShowError(brokenPages{}, slog.New(slog.DiscardHandler), w, httptest.NewRequest("GET", "/consent", nil), http.StatusBadRequest, "", "error.flow_expired")
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "Bad Request") {
		t.Fatalf("an error page that cannot be rendered: %d %q", w.Code, w.Body)
	}
}
