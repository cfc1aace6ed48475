package web

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/templates"
)

// Every error page is logged with the reference it shows, so support can
// find why from what the user reads them; the detail is logged, never
// shown.
func TestErrorPageLogsItsReference(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	r, err := New(Config{FS: templates.FS(), Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	page := ErrorPage{Message: "error.redirect_uri", RequestID: "5f2c9a7e01b3d4c6", Detail: `client_id "web": the redirect_uri must be one the client registered`}
	if err := r.Error(w, httptest.NewRequest("GET", "/oauth2/auth?client_id=web", nil), http.StatusBadRequest, page); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.Body.String(), "5f2c9a7e01b3d4c6") || strings.Contains(w.Body.String(), "redirect_uri must be") {
		t.Fatalf("the page should show the reference and not the detail:\n%s", w.Body)
	}
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("%v: %s", err, logs.Bytes())
	}
	for k, want := range map[string]any{
		"level": "INFO", "msg": "error page shown", "reference": "5f2c9a7e01b3d4c6", "reason": "error.redirect_uri",
		"status": float64(400), "path": "/oauth2/auth", "detail": page.Detail,
	} {
		if line[k] != want {
			t.Errorf("log %s = %v, want %v", k, line[k], want)
		}
	}
}
