package session_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

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

func TestOrigin(t *testing.T) {
	t.Parallel()
	corp := session.Origin{Connector: "corp", Subject: "alice-42", SID: "op-sid-1"}
	amr := session.AMR("fed")
	t.Run("a sign-in through an upstream records it, and the upstream's logout finds the session", func(t *testing.T) {
		t.Parallel()
		m, store, _, u := setup(t, false)
		rec := httptest.NewRecorder()
		ls, err := m.StartFrom(t.Context(), rec, withCookie(nil), u, amr, session.ACR(amr), corp)
		if err != nil {
			t.Fatal(err)
		}
		s, ok, err := m.Current(t.Context(), withCookie(only(t, rec)))
		if err != nil || !ok || session.OriginOf(s.Session) != corp {
			t.Fatalf("current = %+v %v %v", s.Session, ok, err)
		}
		if l := upstreamSessions(t, store, corp); len(l) != 1 || l[0].ID != ls.ID {
			t.Fatalf("the upstream's logout finds %+v, want %s", l, ls.ID)
		}
	})
	t.Run("the origin survives the second factor", func(t *testing.T) {
		t.Parallel()
		m, store, _, u := setup(t, false)
		rec := httptest.NewRecorder()
		if _, err := m.StartPendingFrom(t.Context(), rec, withCookie(nil), u, amr, corp); err != nil {
			t.Fatal(err)
		}
		pendingCookie := only(t, rec)
		pending, ok, err := m.Pending(t.Context(), withCookie(pendingCookie))
		if err != nil || !ok || session.OriginOf(pending.Session) != corp {
			t.Fatalf("pending = %+v %v %v", pending.Session, ok, err)
		}
		// The second step signs in with what the pending session had.
		rec = httptest.NewRecorder()
		full := session.AMR(append(pending.Session.AMR, session.AMROTP)...)
		ls, err := m.StartFrom(t.Context(), rec, withCookie(pendingCookie), u, full, session.ACR(full), session.OriginOf(pending.Session))
		if err != nil {
			t.Fatal(err)
		}
		s, ok, err := m.Current(t.Context(), withCookie(only(t, rec)))
		if err != nil || !ok || session.OriginOf(s.Session) != corp {
			t.Fatalf("current = %+v %v %v", s.Session, ok, err)
		}
		// The pending session is gone: the upstream's logout finds the
		// full one alone.
		if l := upstreamSessions(t, store, corp); len(l) != 1 || l[0].ID != ls.ID {
			t.Fatalf("the upstream's logout finds %+v, want %s", l, ls.ID)
		}
	})
	t.Run("Renew keeps the origin", func(t *testing.T) {
		t.Parallel()
		m, store, _, u := setup(t, false)
		rec := httptest.NewRecorder()
		first, err := m.StartFrom(t.Context(), rec, withCookie(nil), u, amr, session.ACR(amr), corp)
		if err != nil {
			t.Fatal(err)
		}
		rec2 := httptest.NewRecorder()
		renewed, err := m.Renew(t.Context(), rec2, withCookie(only(t, rec)), u, first)
		if err != nil {
			t.Fatal(err)
		}
		if renewed.ID == first.ID || session.OriginOf(renewed) != corp {
			t.Fatalf("renewed %+v from %+v", renewed, first)
		}
		if l := upstreamSessions(t, store, corp); len(l) != 1 || l[0].ID != renewed.ID {
			t.Fatalf("the upstream's logout finds %+v, want %s", l, renewed.ID)
		}
	})
	t.Run("a sign-in of our own records no upstream, even replacing one that had", func(t *testing.T) {
		t.Parallel()
		m, store, _, u := setup(t, false)
		rec := httptest.NewRecorder()
		if _, err := m.StartFrom(t.Context(), rec, withCookie(nil), u, amr, session.ACR(amr), corp); err != nil {
			t.Fatal(err)
		}
		own := signIn(t, m, u, withCookie(only(t, rec)))
		s, ok, err := m.Current(t.Context(), withCookie(own))
		if err != nil || !ok || session.OriginOf(s.Session) != (session.Origin{}) {
			t.Fatalf("current = %+v %v %v", s.Session, ok, err)
		}
		if l := upstreamSessions(t, store, corp); len(l) != 0 {
			t.Fatalf("the upstream's logout finds %+v", l)
		}
	})
	t.Run("an origin without a connector is a sign-in of our own", func(t *testing.T) {
		t.Parallel()
		m, _, _, u := setup(t, false)
		rec := httptest.NewRecorder()
		ls, err := m.StartFrom(t.Context(), rec, withCookie(nil), u, amr, session.ACR(amr), session.Origin{Subject: "alice-42", SID: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if session.OriginOf(ls) != (session.Origin{}) {
			t.Fatalf("stored origin %+v", session.OriginOf(ls))
		}
	})
}
