package login

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/upstream/oidc"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc/oidctest"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// postLogoutToken posts a back-channel logout token as an upstream does.
func (h *upstreamHarness) postLogoutToken(t *testing.T, id, token string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, UpstreamBackchannelPath+id, strings.NewReader(url.Values{"logout_token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.serve(t, req)
}

func TestUpstreamBackchannelLogoutEndsTheSessionsItStarted(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser, func(u *Upstream) { u.Logout = u.Connector.(*oidc.Connector) })
	bo := h.addUser(t, "bo@tokenim.example", annPassword)
	session := func(id, connector, subject, sid string) {
		if err := h.store.CreateLoginSession(t.Context(), storage.LoginSession{ID: id, UserID: bo.ID, AuthTime: t0, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
			Upstream: connector, UpstreamSubject: subject, UpstreamSID: sid}); err != nil {
			t.Fatal(err)
		}
	}
	session("through-corp-1", "corp", corpUser.Subject, "sid-1")
	session("through-corp-2", "corp", corpUser.Subject, "sid-2")
	session("with-password", "", "", "")
	left := func() []string {
		all, err := h.store.ListLoginSessions(t.Context(), bo.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, s := range all {
			ids = append(ids, s.ID)
		}
		slices.Sort(ids)
		return ids
	}

	// One session, by its sid.
	w := h.postLogoutToken(t, "corp", h.op.SignToken(t, h.op.LogoutClaims(corpUser.Subject, "sid-1", time.Now()), "logout+jwt"))
	if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d, Cache-Control %q:\n%s", w.Code, w.Header().Get("Cache-Control"), w.Body)
	}
	if got := left(); !slices.Equal(got, []string{"through-corp-2", "with-password"}) {
		t.Fatalf("sessions left %q: want sid-1's ended", got)
	}
	// Every session of the subject through corp, but never the
	// password's.
	token := h.op.SignToken(t, h.op.LogoutClaims(corpUser.Subject, "", time.Now()), "logout+jwt")
	if w := h.postLogoutToken(t, "corp", token); w.Code != http.StatusOK {
		t.Fatalf("status %d:\n%s", w.Code, w.Body)
	}
	if got := left(); !slices.Equal(got, []string{"with-password"}) {
		t.Fatalf("sessions left %q: want only the password's", got)
	}
	want := []string{"upstream.logout success", "upstream.logout success"}
	if got := h.records(t); !slices.Equal(got, want) {
		t.Fatalf("records %q, want %q", got, want)
	}
}

func TestUpstreamBackchannelLogoutRefusesForgedAndReplayedTokens(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser, func(u *Upstream) { u.Logout = u.Connector.(*oidc.Connector) })
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	forged := oidctest.SignWith(t, other, h.op.LogoutClaims(corpUser.Subject, "", time.Now()), "logout+jwt")
	for name, c := range map[string]struct {
		id, token string
		status    int
	}{
		"forged":               {"corp", forged, http.StatusBadRequest},
		"not a token":          {"corp", "not-a-jwt", http.StatusBadRequest},
		"none":                 {"corp", "", http.StatusBadRequest},
		"an unknown connector": {"nobody", forged, http.StatusNotFound},
	} {
		w := h.postLogoutToken(t, c.id, c.token)
		if w.Code != c.status || !strings.Contains(w.Body.String(), `"error":"invalid_request"`) {
			t.Fatalf("%s: status %d, want %d with an invalid_request error:\n%s", name, w.Code, c.status, w.Body)
		}
	}

	// Used once, when the connector remembers tokens.
	replays := newUpstreamHarness(t, corpUser, func(u *Upstream) {
		c, err := oidc.New(oidc.Config{ID: "corp", Issuer: h.op.Issuer, ClientID: "tokenim", ClientSecret: "s3cret", RedirectURL: corpCallback,
			HTTPClient: &http.Client{Timeout: 5 * time.Second}, JTIs: storage.Once{JTIs: memory.New()}})
		if err != nil {
			t.Fatal(err)
		}
		u.Connector, u.Logout = c, c
	})
	token := h.op.SignToken(t, h.op.LogoutClaims(corpUser.Subject, "", time.Now()), "logout+jwt")
	if w := replays.postLogoutToken(t, "corp", token); w.Code != http.StatusOK {
		t.Fatalf("first use: %d:\n%s", w.Code, w.Body)
	}
	if w := replays.postLogoutToken(t, "corp", token); w.Code != http.StatusBadRequest {
		t.Fatalf("replayed: %d, want 400", w.Code)
	}
	if got := replays.records(t); !slices.Equal(got, []string{"upstream.logout failure upstream_refused", "upstream.logout success"}) {
		t.Fatalf("records %q", got)
	}
}
