package oauth_test

import (
	"net/http"
	"net/url"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/devicecode"
	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

// jwtAccessToken registers an app that takes JWT access tokens and
// returns the access token of its code flow for the signed-in user.
func (h *userHarness) jwtAccessToken(t *testing.T) string {
	t.Helper()
	const redirect = "https://jwt.example/cb"
	secret := h.addClient(storage.Client{ID: "jwt-app", Name: "JWT app", Type: storage.ClientConfidential,
		GrantTypes: []string{"authorization_code"}, Scopes: []string{"openid", "im:messages.read"},
		RedirectURIs: []string{redirect}, SkipConsent: true, AccessTokenFormat: storage.AccessTokenJWT})
	return h.codeFlow(t, "jwt-app", secret, redirect, "openid im:messages.read", nil).str("access_token")
}

// amrOf reads an amr claim from decoded JSON.
func amrOf(claims map[string]any) []string {
	var amr []string
	list, _ := claims["amr"].([]any)
	for _, m := range list {
		s, _ := m.(string)
		amr = append(amr, s)
	}
	return amr
}

// A user signed in through an upstream that said how it signed them in
// (its amr: pwd, mfa) gets tokens whose amr shows our method (fed) then
// the upstream's, in the ID token, a JWT access token and introspection,
// a refresh keeping it; the acr stays the level of our methods alone, so
// an app asking for two factors of ours is not satisfied by the
// upstream's word.
func TestUpstreamAMRInTokens(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		browser := new(atomic.Pointer[session.Signed])
		h := newUserHarness(t, hh.store, func(cfg *oauth.Config) { cfg.Sessions = signedInNow{browser} })
		signedAt := time.Now().UTC().Truncate(time.Second).Add(-2 * time.Minute)
		corp := storage.LoginSession{ID: "ann-corp", UserID: "ann", AuthTime: signedAt,
			AMR: session.AMR(session.AMRFederated), ACR: session.ACR(session.AMR(session.AMRFederated)),
			CreatedAt: signedAt, ExpiresAt: signedAt.Add(time.Hour),
			Upstream: "corp", UpstreamSubject: "ann-7", UpstreamSID: "op-sid-1", UpstreamAMR: []string{"pwd", "mfa"}}
		if err := h.store.CreateLoginSession(t.Context(), corp); err != nil {
			t.Fatal(err)
		}
		ann, err := h.store.GetUser(t.Context(), "ann")
		if err != nil {
			t.Fatal(err)
		}
		browser.Store(&session.Signed{User: ann, Session: corp})
		want := signInOf{authTime: signedAt, acr: session.ACRPassword, amr: []string{"fed", "pwd", "mfa"}}
		rsSecret := h.resourceServer("im-gateway")

		t.Run("the ID token", func(t *testing.T) {
			claims := map[string]any{}
			h.verifyJWT(h.codeFlow(t, "app", h.appSecret, h.appRedirect, "openid profile", nil).str("id_token"), "JWT", &claims)
			if got := amrOf(claims); !slices.Equal(got, want.amr) || claims["acr"] != want.acr {
				t.Fatalf("ID token amr %q, acr %v; want %q, %q", got, claims["acr"], want.amr, want.acr)
			}
		})

		t.Run("introspection of the access and refresh tokens, before and after a refresh", func(t *testing.T) {
			tokens := h.tokens(t, "openid offline_access im:messages.read")
			wantSignIn(t, h.introspect(tokens.str("access_token"), "im-gateway", rsSecret), want)
			wantSignIn(t, h.introspect(tokens.str("refresh_token"), "im-gateway", rsSecret), want)
			r := h.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokens.str("refresh_token")}}, "app", h.appSecret)
			if r.status != http.StatusOK {
				t.Fatalf("refresh: %d %s", r.status, r.raw)
			}
			wantSignIn(t, h.introspect(r.str("access_token"), "im-gateway", rsSecret), want)
		})

		t.Run("a JWT access token", func(t *testing.T) {
			at := h.jwtAccessToken(t)
			claims := map[string]any{}
			h.verifyJWT(at, "at+jwt", &claims)
			if got := amrOf(claims); !slices.Equal(got, want.amr) || claims["acr"] != want.acr {
				t.Fatalf("JWT access token amr %q, acr %v; want %q, %q", got, claims["acr"], want.amr, want.acr)
			}
			wantSignIn(t, h.introspect(at, "im-gateway", rsSecret), want)
		})

		t.Run("an app asking for two factors is not satisfied by the upstream's mfa", func(t *testing.T) {
			q := authParams("app", h.appRedirect)
			q.Set("acr_values", session.ACRTwoFactor)
			q.Set("prompt", "none")
			if cb := redirected(t, h.authorize(t, q.Encode()), h.appRedirect); cb.Get("error") != "login_required" || cb.Get("code") != "" {
				t.Fatalf("acr_values=2 with prompt=none answered %v, want login_required", cb)
			}
			q.Del("prompt")
			redirected(t, h.authorize(t, q.Encode()), "/login?")
		})
	})
}

// A device code approved in a browser signed in through such an upstream
// stores the amr of session.TokenAMR and the session's acr (as the device
// page records the approval): the device's tokens tell the same sign-in
// as a browser's, and a refresh keeps it.
func TestUpstreamAMRInDeviceTokens(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newDeviceWorkspaceHarness(t, hh.store)
		rsSecret := h.resourceServer("im-gateway")
		now := time.Now().UTC().Truncate(time.Second)
		corp := storage.LoginSession{ID: "ann-corp", UserID: "ann", AuthTime: now, AMR: []string{"fed"}, ACR: session.ACRPassword,
			Upstream: "corp", UpstreamSubject: "ann-7", UpstreamAMR: []string{"pwd", "mfa"}}
		r := h.ask("openid offline_access im:messages.read", nil)
		code, err := devicecode.Normalize(r.str("user_code"))
		if err != nil {
			t.Fatal(err)
		}
		d, err := h.store.GetDeviceAuthorizationByUserCode(t.Context(), h.codes.UserCode(code))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.UpdateDeviceAuthorization(t.Context(), d.DeviceCodeSignature, func(d storage.DeviceAuthorization) (storage.DeviceAuthorization, error) {
			d.Status, d.UserID, d.GrantedScopes = storage.DeviceApproved, "ann", []string{"openid", "offline_access", "im:messages.read"}
			d.LoginSessionID, d.AuthTime, d.AMR, d.ACR, d.DecidedAt = corp.ID, corp.AuthTime, session.TokenAMR(corp), corp.ACR, now
			return d, nil
		}); err != nil {
			t.Fatal(err)
		}
		tokens := h.poll(r.str("device_code"))
		if tokens.status != http.StatusOK {
			t.Fatalf("token: %d %s", tokens.status, tokens.raw)
		}
		want := signInOf{authTime: now, acr: session.ACRPassword, amr: []string{"fed", "pwd", "mfa"}}
		for name, token := range map[string]string{"ID token": tokens.str("id_token"), "JWT access token": tokens.str("access_token")} {
			c := unverifiedClaims(t, token)
			if got := amrOf(c); !slices.Equal(got, want.amr) || c["acr"] != want.acr {
				t.Errorf("%s amr %q, acr %v; want %q, %q", name, got, c["acr"], want.amr, want.acr)
			}
		}
		wantSignIn(t, h.introspect(tokens.str("access_token"), "im-gateway", rsSecret), want)
		refreshed := h.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokens.str("refresh_token")}, "client_id": {"tv"}}, "", "")
		if refreshed.status != http.StatusOK {
			t.Fatalf("refresh: %s", refreshed.raw)
		}
		wantSignIn(t, h.introspect(refreshed.str("access_token"), "im-gateway", rsSecret), want)
	})
}
