package oauth_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

// signedInAs is a browser signed in as one user.
type signedInAs struct{ signed session.Signed }

func (s signedInAs) Current(context.Context, *http.Request) (session.Signed, bool, error) {
	return s.signed, true, nil
}

// pkceVerifier is RFC 7636 appendix B's verifier; authParams sends its
// challenge.
const pkceVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

// userHarness is a provider whose browser is signed in as Ann, with a web
// app that skips consent and a native app with a loopback redirect URI.
type userHarness struct {
	*harness
	appSecret   string
	appRedirect string
}

func newUserHarness(t *testing.T, store storage.Store, options ...func(*oauth.Config)) *userHarness {
	t.Helper()
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	user := storage.User{ID: "ann", Email: "ann@example.com", EmailVerified: true, Name: "Ann Lee", Status: storage.UserActive, Role: "member"}
	if err := store.CreateUser(ctx, user); err != nil {
		t.Fatal(err)
	}
	login := storage.LoginSession{ID: "ann-session", UserID: user.ID, AuthTime: now, AMR: []string{"pwd"}, ACR: session.ACRPassword, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := store.CreateLoginSession(ctx, login); err != nil {
		t.Fatal(err)
	}
	scopes := []string{"openid", "profile", "email", "offline_access", "im:messages.read"}
	options = append([]func(*oauth.Config){func(cfg *oauth.Config) {
		cfg.Sessions, cfg.Pages = signedInAs{session.Signed{Session: login, User: user}}, errorKeys{}
		cfg.FlowLifespan = 15 * time.Minute
		cfg.RoleScopes = map[string][]string{"member": scopes}
	}}, options...)
	h := &userHarness{harness: newHarness(t, store, options...), appRedirect: "https://app.example/cb"}
	code := []string{"authorization_code", "refresh_token"}
	h.appSecret = h.addClient(storage.Client{ID: "app", Name: "App", Type: storage.ClientConfidential, GrantTypes: code, Scopes: scopes,
		RedirectURIs: []string{h.appRedirect}, SkipConsent: true})
	h.addClient(storage.Client{ID: "desktop", Name: "Desktop", Type: storage.ClientPublic, GrantTypes: code, Scopes: scopes,
		RedirectURIs: []string{"http://127.0.0.1/callback", "http://[::1]/callback"}, SkipConsent: true})
	return h
}

// authorize sends the browser to the authorization endpoint with the raw
// query, without following redirects.
func (h *userHarness) authorize(t *testing.T, rawQuery string) *http.Response {
	t.Helper()
	return h.browse(t, "/oauth2/auth?"+rawQuery)
}

// redirected checks resp is a redirect to prefix and returns its query.
func redirected(t *testing.T, resp *http.Response, prefix string) url.Values {
	t.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || len(loc) < len(prefix) || loc[:len(prefix)] != prefix {
		t.Fatalf("got %d to %q, want a 303 to %s", resp.StatusCode, loc, prefix)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// tokens runs the authorization code flow of the web app for scope and
// returns the token response.
func (h *userHarness) tokens(t *testing.T, scope string) reply {
	t.Helper()
	q := authParams("app", h.appRedirect)
	q.Set("scope", scope)
	cb := redirected(t, h.authorize(t, q.Encode()), h.appRedirect)
	r := h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {cb.Get("code")},
		"redirect_uri": {h.appRedirect}, "code_verifier": {pkceVerifier}}, "app", h.appSecret)
	if r.status != http.StatusOK {
		t.Fatalf("token: %d %s", r.status, r.raw)
	}
	return r
}
