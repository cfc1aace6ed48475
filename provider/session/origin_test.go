package session_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

// only returns the one cookie rec set.
func only(t *testing.T, rec *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("%d cookies set", len(cookies))
	}
	return cookies[0]
}

// upstreamSessions lists what an upstream's logout by subject would find.
func upstreamSessions(t *testing.T, store storage.LoginSessions, o session.Origin) []storage.LoginSession {
	t.Helper()
	l, err := store.ListUpstreamSessions(t.Context(), o.Connector, o.Subject, "")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// startFrom signs u in through o on the browser that sent r and returns
// the session and the cookie the browser got.
func startFrom(t *testing.T, m *session.Manager, r *http.Request, u storage.User, amr []string, o session.Origin) (storage.LoginSession, *http.Cookie) {
	t.Helper()
	rec := httptest.NewRecorder()
	ls, err := m.StartFrom(t.Context(), rec, r, u, amr, session.ACR(amr), o)
	if err != nil {
		t.Fatal(err)
	}
	return ls, only(t, rec)
}

// sameOrigin reports whether a and b name the same upstream, its
// session and its methods (none and an empty list alike).
func sameOrigin(a, b session.Origin) bool {
	return cmp.Equal(a, b, cmpopts.EquateEmpty())
}

// startPendingFrom gives u's first factor through o on a new browser,
// checks that the browser then has a pending session through o, and
// returns that session and the cookie the browser got.
func startPendingFrom(t *testing.T, m *session.Manager, u storage.User, amr []string, o session.Origin) (storage.LoginSession, *http.Cookie) {
	t.Helper()
	rec := httptest.NewRecorder()
	if _, err := m.StartPendingFrom(t.Context(), rec, withCookie(nil), u, amr, o); err != nil {
		t.Fatal(err)
	}
	cookie := only(t, rec)
	pending, ok, err := m.Pending(t.Context(), withCookie(cookie))
	if err != nil || !ok || !sameOrigin(session.OriginOf(pending.Session), o) {
		t.Fatalf("pending = %+v %v %v", pending.Session, ok, err)
	}
	return pending.Session, cookie
}

// wantCurrent checks that the browser with cookie is signed in through o,
// and returns its session.
func wantCurrent(t *testing.T, m *session.Manager, cookie *http.Cookie, o session.Origin) storage.LoginSession {
	t.Helper()
	s, ok, err := m.Current(t.Context(), withCookie(cookie))
	if err != nil || !ok || !sameOrigin(session.OriginOf(s.Session), o) {
		t.Fatalf("current = %+v %v %v, want signed in through %+v", s.Session, ok, err, o)
	}
	return s.Session
}

// wantFound checks that the upstream's logout by o's subject finds the
// session id alone.
func wantFound(t *testing.T, store storage.LoginSessions, o session.Origin, id string) {
	t.Helper()
	if l := upstreamSessions(t, store, o); len(l) != 1 || l[0].ID != id {
		t.Fatalf("the upstream's logout finds %+v, want %s", l, id)
	}
}

func TestOrigin(t *testing.T) {
	t.Parallel()
	corp := session.Origin{Connector: "corp", Subject: "alice-42", SID: "op-sid-1"}
	amr := session.AMR("fed")
	t.Run("a sign-in through an upstream records it, and the upstream's logout finds the session", func(t *testing.T) {
		t.Parallel()
		m, store, _, u := setup(t, false)
		ls, cookie := startFrom(t, m, withCookie(nil), u, amr, corp)
		wantCurrent(t, m, cookie, corp)
		wantFound(t, store, corp, ls.ID)
	})
	t.Run("the origin survives the second factor", func(t *testing.T) {
		t.Parallel()
		m, store, _, u := setup(t, false)
		pending, pendingCookie := startPendingFrom(t, m, u, amr, corp)
		// The second step signs in with what the pending session had.
		full := session.AMR(append(pending.AMR, session.AMROTP)...)
		ls, cookie := startFrom(t, m, withCookie(pendingCookie), u, full, session.OriginOf(pending))
		wantCurrent(t, m, cookie, corp)
		// The pending session is gone: the upstream's logout finds the
		// full one alone.
		wantFound(t, store, corp, ls.ID)
	})
	t.Run("Renew keeps the origin", func(t *testing.T) {
		t.Parallel()
		m, store, _, u := setup(t, false)
		first, cookie := startFrom(t, m, withCookie(nil), u, amr, corp)
		rec := httptest.NewRecorder()
		renewed, err := m.Renew(t.Context(), rec, withCookie(cookie), u, first)
		if err != nil {
			t.Fatal(err)
		}
		if renewed.ID == first.ID {
			t.Fatalf("renewed %+v from %+v", renewed, first)
		}
		wantCurrent(t, m, only(t, rec), corp)
		wantFound(t, store, corp, renewed.ID)
	})
	t.Run("a sign-in of our own records no upstream, even replacing one that had", func(t *testing.T) {
		t.Parallel()
		m, store, _, u := setup(t, false)
		_, cookie := startFrom(t, m, withCookie(nil), u, amr, corp)
		own := signIn(t, m, u, withCookie(cookie))
		wantCurrent(t, m, own, session.Origin{})
		if l := upstreamSessions(t, store, corp); len(l) != 0 {
			t.Fatalf("the upstream's logout finds %+v", l)
		}
	})
	t.Run("an origin without a connector is a sign-in of our own", func(t *testing.T) {
		t.Parallel()
		m, _, _, u := setup(t, false)
		_, cookie := startFrom(t, m, withCookie(nil), u, amr, session.Origin{Subject: "alice-42", SID: "x"})
		wantCurrent(t, m, cookie, session.Origin{})
	})
}
