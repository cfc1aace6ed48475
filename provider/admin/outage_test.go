package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// A token the provider cannot look up (the store is down) is neither
// accepted nor called invalid: the API answers 503 with Retry-After, so an
// operator's tool retries instead of asking for new credentials.
func TestAPIAuthenticationDuringAnOutage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"store unreachable", fmt.Errorf("oauth: look up an access token: %w", storage.ErrUnavailable), http.StatusServiceUnavailable, "temporarily_unavailable"},
		{"bad token", errors.New("oauth: the access token is invalid, expired or revoked"), http.StatusUnauthorized, "invalid_token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := New(Config{Store: memory.New(), AdminScope: "admin", Authenticate: func(context.Context, string) (string, string, []string, error) {
				return "", "", nil, tc.err
			}})
			mux := http.NewServeMux()
			a.Mount(mux)
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/admin/api/v1/users", nil)
			req.Header.Set("Authorization", "Bearer some-token")
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, req)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
				t.Fatal("503 without Retry-After")
			}
			if body := w.Body.String(); !strings.Contains(body, `"error":"`+tc.code+`"`) {
				t.Fatalf("body %s, want error %s", body, tc.code)
			}
		})
	}
}
