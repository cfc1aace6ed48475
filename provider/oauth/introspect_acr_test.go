package oauth_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

// signedInNow is a browser whose sign-in a test may change between two
// authorization requests.
type signedInNow struct {
	signed *atomic.Pointer[session.Signed]
}

func (s signedInNow) Current(context.Context, *http.Request) (session.Signed, bool, error) {
	return *s.signed.Load(), true, nil
}

// signInOf is a test's record of one sign-in: what introspection must tell.
type signInOf struct {
	authTime time.Time
	acr      string
	amr      []string
}

// wantSignIn checks that an introspection answer tells exactly in.
func wantSignIn(t *testing.T, r reply, in signInOf) {
	t.Helper()
	if !active(r) {
		t.Fatalf("token inactive: %s", r.raw)
	}
	authTime, _ := r.body["auth_time"].(float64)
	amr := amrOf(r.body)
	if int64(authTime) != in.authTime.Unix() || r.str("acr") != in.acr || !slices.Equal(amr, in.amr) {
		t.Fatalf("introspection tells auth_time %v, acr %q, amr %v; want %d, %q, %v: %s",
			r.body["auth_time"], r.str("acr"), amr, in.authTime.Unix(), in.acr, in.amr, r.raw)
	}
}

// Introspection tells, for a token issued through a user's sign-in, when
// and how that user signed in (auth_time, acr, amr), as the ID token and a
// JWT access token do; a refresh keeps the sign-in of the grant, whatever
// the browser has done since; a client-credentials token tells none.
func TestIntrospectionTellsTheSignIn(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		ann := storage.User{ID: "ann", Email: "ann@example.com", EmailVerified: true, Name: "Ann Lee", Status: storage.UserActive, Role: "member"}
		signedAt := time.Now().UTC().Truncate(time.Second).Add(-3 * time.Minute)
		twoFactor := signInOf{authTime: signedAt, acr: session.ACRTwoFactor, amr: session.AMR(session.AMRPassword, session.AMROTP)}
		browser := new(atomic.Pointer[session.Signed])
		signIn := func(in signInOf) {
			browser.Store(&session.Signed{User: ann, Session: storage.LoginSession{ID: "ann-session", UserID: ann.ID,
				AuthTime: in.authTime, AMR: in.amr, ACR: in.acr, CreatedAt: in.authTime, ExpiresAt: in.authTime.Add(time.Hour)}})
		}
		signIn(twoFactor)
		h := newUserHarness(t, hh.store, func(cfg *oauth.Config) { cfg.Sessions = signedInNow{browser} })
		rsSecret := h.resourceServer("im-gateway")
		const scope = "openid offline_access im:messages.read"
		tokens := h.tokens(t, scope)

		t.Run("the access token tells the sign-in to a resource server and to its own client", func(t *testing.T) {
			wantSignIn(t, h.introspect(tokens.str("access_token"), "im-gateway", rsSecret), twoFactor)
			wantSignIn(t, h.introspect(tokens.str("access_token"), "app", h.appSecret), twoFactor)
		})

		t.Run("the refresh token tells it too", func(t *testing.T) {
			wantSignIn(t, h.introspect(tokens.str("refresh_token"), "im-gateway", rsSecret), twoFactor)
		})

		t.Run("a refresh keeps the grant's sign-in, not the browser's later one", func(t *testing.T) {
			later := signInOf{authTime: signedAt.Add(time.Minute), acr: session.ACRPassword, amr: session.AMR(session.AMRPassword)}
			signIn(later)
			t.Cleanup(func() { signIn(twoFactor) })
			r := h.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokens.str("refresh_token")}}, "app", h.appSecret)
			if r.status != http.StatusOK {
				t.Fatalf("refresh: %d %s", r.status, r.raw)
			}
			wantSignIn(t, h.introspect(r.str("access_token"), "im-gateway", rsSecret), twoFactor)
			wantSignIn(t, h.introspect(r.str("refresh_token"), "im-gateway", rsSecret), twoFactor)

			t.Run("while a new grant tells the new sign-in", func(t *testing.T) {
				wantSignIn(t, h.introspect(h.tokens(t, scope).str("access_token"), "im-gateway", rsSecret), later)
			})
		})

		t.Run("a JWT access token and its introspection tell the same sign-in", func(t *testing.T) {
			at := h.jwtAccessToken(t)
			var claims map[string]any
			h.verifyJWT(at, "at+jwt", &claims)
			if claims["acr"] != twoFactor.acr || claims["auth_time"] != float64(signedAt.Unix()) {
				t.Fatalf("JWT access token claims %v", claims)
			}
			wantSignIn(t, h.introspect(at, "im-gateway", rsSecret), twoFactor)
		})

		t.Run("a client-credentials token tells no sign-in", func(t *testing.T) {
			botSecret := h.bot("bot", "im:messages.send")
			r := h.introspect(h.clientCredentials("bot", botSecret, nil), "im-gateway", rsSecret)
			if !active(r) {
				t.Fatalf("token inactive: %s", r.raw)
			}
			for _, claim := range []string{"auth_time", "acr", "amr"} {
				if _, ok := r.body[claim]; ok {
					t.Errorf("a client-credentials token tells %s, as if a user had signed in: %s", claim, r.raw)
				}
			}
		})

		t.Run("an inactive token tells nothing of a sign-in", func(t *testing.T) {
			tok := h.tokens(t, scope)
			if r := h.post("/oauth2/revoke", url.Values{"token": {tok.str("access_token")}}, "app", h.appSecret); r.status != http.StatusOK {
				t.Fatalf("revoke: %d %s", r.status, r.raw)
			}
			r := h.introspect(tok.str("access_token"), "im-gateway", rsSecret)
			if active(r) || len(r.body) != 1 {
				t.Fatalf("a revoked token's introspection: %s, want only active false", r.raw)
			}
		})
	})
}
