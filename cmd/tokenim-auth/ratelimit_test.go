package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/templates"
)

// TestEveryCostlyPageHasABudget sends each route that hashes a password,
// sends mail or checks a secret twice from one address, with every budget
// one request an hour: the second is refused with 429, Retry-After and a
// page, before the handler sees it.
func TestEveryCostlyPageHasABudget(t *testing.T) {
	t.Parallel()
	pages, err := web.New(web.Config{FS: templates.FS()})
	if err != nil {
		t.Fatal(err)
	}
	one := config.RequestRate{Rate: 1, Period: time.Hour, Burst: 1}
	cfg := config.Default()
	cfg.RateLimit.Login.PerIP, cfg.RateLimit.Accounts.PerIP, cfg.RateLimit.AccountChanges.PerIP = one, one, one
	for _, route := range []string{
		"POST /login", "POST /login/mfa", "POST /device", "POST /login/upstream/corp", "GET /login/upstream/callback/corp",
		"POST /register", "GET /activate", "POST /activate", "POST /activate/resend",
		"POST /password/forgot", "GET /password/reset", "POST /password/reset",
		"POST /account/mfa/enrol", "POST /account/mfa/confirm", "POST /account/mfa/disable",
		"POST /account/mfa/recovery", "POST /account/sessions/signout", "POST /account/sessions/signout-all", "POST /account/apps/revoke",
	} {
		t.Run(route, func(t *testing.T) {
			t.Parallel()
			served := 0
			h := rateLimits(cfg, nil, pages, nil, slog.New(slog.DiscardHandler))(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				served++
			}))
			method, path, _ := strings.Cut(route, " ")
			send := func() *httptest.ResponseRecorder {
				req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader("token=x"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				return w
			}
			if w := send(); w.Code != http.StatusOK {
				t.Fatalf("the first request: %d", w.Code)
			}
			w := send()
			secs, err := strconv.Atoi(w.Header().Get("Retry-After"))
			if w.Code != http.StatusTooManyRequests || err != nil || secs < 1 {
				t.Fatalf("past the budget: %d, Retry-After %q; want 429 with whole seconds", w.Code, w.Header().Get("Retry-After"))
			}
			if !strings.Contains(w.Body.String(), "Too many requests came from your network") {
				t.Fatalf("the refusal is not the page:\n%s", w.Body)
			}
			if served != 1 {
				t.Fatalf("the handler served %d requests, want only the first", served)
			}
		})
	}
}
