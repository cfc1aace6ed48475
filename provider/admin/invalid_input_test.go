package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// TestAPIInvalidInput calls the API on Postgres with IDs Postgres cannot
// hold in text, without the edge middleware that refuses them first: the
// store's storage.ErrInvalidInput is the caller's invalid_request, not a
// logged server_error.
func TestAPIInvalidInput(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	store := pgtest.Open(t)
	addOpsBot(t, store)
	a := New(Config{
		Store: store, Now: func() time.Time { return t0 }, Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Authenticate: func(context.Context, string) (string, string, []string, error) {
			return "ops-bot", "", []string{"admin"}, nil
		},
	})
	mux := http.NewServeMux()
	a.Mount(mux)
	for _, path := range []string{"/admin/api/v1/users/%ff%fe", "/admin/api/v1/apps/a%00b", "/admin/api/v1/grants?user=%ff%fe"} {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer admin-token")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		var body struct{ Error string }
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != http.StatusBadRequest || body.Error != "invalid_request" {
			t.Errorf("GET %s: status %d %s, want 400 invalid_request", path, w.Code, w.Body)
		}
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Fatalf("a client's bytes logged an error: %s", logs.String())
	}
}
