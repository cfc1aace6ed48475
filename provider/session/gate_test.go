package session_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

// current answers Current with what it holds.
type current struct {
	s   session.Signed
	ok  bool
	err error
}

func (c current) Current(context.Context, *http.Request) (session.Signed, bool, error) {
	return c.s, c.ok, c.err
}

func TestGate(t *testing.T) {
	t.Parallel()
	ann := session.Signed{User: storage.User{ID: "u-ann"}}
	for _, tc := range []struct {
		name, next, path string
		sessions         current
		// status and location are the answer's; page is the user the
		// page ran for, "" when it did not run.
		status   int
		location string
		page     string
	}{
		{"a signed-in browser gets the page", "/account", "/account", current{s: ann, ok: true}, http.StatusOK, "", "u-ann"},
		{"any other is sent to sign in and back", "/account", "/account/mfa/enrol", current{}, http.StatusSeeOther, "/login?next=/account", ""},
		{"back to the request's own address, escaped", "", "/admin/records?action=signin&actor=ann%40example.com", current{},
			http.StatusSeeOther, "/login?next=%2Fadmin%2Frecords%3Faction%3Dsignin%26actor%3Dann%2540example.com", ""},
		{"a session that cannot be loaded fails", "/account", "/account", current{err: errors.New("postgres: connection refused")}, http.StatusTeapot, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ran := ""
			g := session.Gate{Sessions: tc.sessions, Next: tc.next, Fail: func(w http.ResponseWriter, _ *http.Request, err error) {
				if err == nil {
					t.Error("Fail without an error")
				}
				w.WriteHeader(http.StatusTeapot)
			}}
			w := httptest.NewRecorder()
			g.Require(func(_ http.ResponseWriter, _ *http.Request, s session.Signed) { ran = s.User.ID })(w, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if w.Code != tc.status || w.Header().Get("Location") != tc.location || ran != tc.page {
				t.Fatalf("status %d, Location %q, page ran for %q; want %d, %q, %q", w.Code, w.Header().Get("Location"), ran, tc.status, tc.location, tc.page)
			}
		})
	}
}
