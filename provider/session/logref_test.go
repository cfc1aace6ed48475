package session_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// TestFailureLogNamesSessionByReference signs in on Postgres, then loses
// the database: the page's error log line names the login session by its
// reference, never by its ID (the hash of the cookie) or the cookie.
func TestFailureLogNamesSessionByReference(t *testing.T) {
	t.Parallel()
	store := pgtest.Open(t)
	u := storage.User{ID: "u1", Email: "ann@example.com", PasswordHash: "x", Status: storage.UserActive, CreatedAt: time.Now()}
	if err := store.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	m, err := session.New(session.Config{Store: store, Issuer: "http://127.0.0.1:8080", Lifespan: time.Hour, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	cookie := signIn(t, m, u, httptest.NewRequest("GET", "/login", nil))
	sum := sha256.Sum256([]byte(cookie.Value))
	id := hex.EncodeToString(sum[:])
	store.Close()

	req := withCookie(cookie)
	_, _, loadErr := m.Current(t.Context(), req)
	if loadErr == nil {
		t.Fatal("no error from a closed store")
	}
	pages := webtest.Pages(t)
	var logs bytes.Buffer
	web.Fail(pages, slog.New(slog.NewJSONHandler(&logs, nil)), httptest.NewRecorder(), req, "account: load session", loadErr)
	out := logs.String()
	if !strings.Contains(out, `"level":"ERROR"`) || !strings.Contains(out, "ref "+storage.Ref(id)) {
		t.Fatalf("the log does not name the session by its reference %s:\n%s", storage.Ref(id), out)
	}
	if strings.Contains(out, id) || strings.Contains(out, cookie.Value) {
		t.Fatalf("the log holds the session's ID or cookie:\n%s", out)
	}
}
