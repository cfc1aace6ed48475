package web

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
)

func TestFail(t *testing.T) {
	t.Parallel()
	r := newTestRenderer(t)
	for _, tc := range []struct {
		name     string
		err      error
		status   int
		text     string
		errorLog bool
	}{
		{"a value the store refused as not text is the client's mistake", fmt.Errorf("postgres: get flow: %w", storage.ErrInvalidInput), http.StatusBadRequest, "characters that are not valid text", false},
		{"anything else is the server's fault", errors.New("postgres: connection refused"), http.StatusInternalServerError, "could not complete this request", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			w := httptest.NewRecorder()
			Fail(r, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), w, httptest.NewRequest("GET", "/apps/x", nil), "portal: load app", tc.err)
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.text) {
				t.Fatalf("status %d, want %d with %q:\n%s", w.Code, tc.status, tc.text, w.Body)
			}
			if got := strings.Contains(logs.String(), `"level":"ERROR"`); got != tc.errorLog {
				t.Fatalf("error logged: %t, want %t: %s", got, tc.errorLog, logs.String())
			}
		})
	}
}
