package oauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// wsHarness is a signed-in user, Ann, who is a member of the default
// workspace and of two more, acme (member) and beta (guest), and a web app
// issuing JWT access tokens that skips consent.
type wsHarness struct {
	*userHarness
	browser *atomic.Pointer[session.Signed]
	secret  string
}

const wsRedirect = "https://ws.example/cb"

func newWorkspaceHarness(t *testing.T, store storage.Store, options ...func(*oauth.Config)) *wsHarness {
	t.Helper()
	ctx := t.Context()
	browser := new(atomic.Pointer[session.Signed])
	h := &wsHarness{browser: browser}
	h.userHarness = newUserHarness(t, store, append([]func(*oauth.Config){func(cfg *oauth.Config) {
		cfg.Sessions = signedInNow{browser}
		cfg.RoleScopes = map[string][]string{
			"member": {"openid", "profile", "email", "offline_access", "im:messages.read", "im:messages.send"},
			"admin":  {"openid", "profile", "email", "offline_access", "im:messages.read", "im:messages.send"},
			"guest":  {"openid", "profile", "email", "offline_access", "im:messages.read"},
		}
	}}, options...)...)
	for _, ws := range []storage.Workspace{
		{ID: "w-acme", Handle: "acme", Name: "Acme"},
		{ID: "w-beta", Handle: "beta", Name: "Beta"},
		{ID: "w-secure", Handle: "secure", Name: "Secure", Policy: storage.WorkspacePolicy{RequireMFA: true}},
		{ID: "w-other", Handle: "other", Name: "Other"},
	} {
		if err := store.CreateWorkspace(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []storage.Member{
		{WorkspaceID: "w-acme", UserID: "ann", Role: "member"},
		{WorkspaceID: "w-beta", UserID: "ann", Role: "guest"},
		{WorkspaceID: "w-secure", UserID: "ann", Role: "member"},
	} {
		if err := store.AddMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	h.signIn(session.AMR(session.AMRPassword))
	h.secret = h.addClient(storage.Client{ID: "ws-app", Name: "WS App", Type: storage.ClientConfidential,
		GrantTypes: []string{"authorization_code", "refresh_token"}, RedirectURIs: []string{wsRedirect}, SkipConsent: true,
		Scopes:            []string{"openid", "profile", "email", "offline_access", "im:messages.read", "im:messages.send"},
		AccessTokenFormat: storage.AccessTokenJWT})
	return h
}

// signIn makes Ann signed in now with the methods of amr.
func (h *wsHarness) signIn(amr []string) {
	now := time.Now().UTC().Truncate(time.Second)
	ann := storage.User{ID: "ann", Email: "ann@example.com", EmailVerified: true, Name: "Ann Lee", Status: storage.UserActive, Role: "member"}
	h.browser.Store(&session.Signed{User: ann, Session: storage.LoginSession{ID: "ann-session", UserID: "ann",
		AuthTime: now, AMR: amr, ACR: session.ACR(amr), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}})
}

// ask sends the app's authorization request with extra parameters.
func (h *wsHarness) ask(t *testing.T, scope string, extra url.Values) *http.Response {
	t.Helper()
	q := authParams("ws-app", wsRedirect)
	q.Set("scope", scope)
	for k, v := range extra {
		q[k] = v
	}
	return h.authorize(t, q.Encode())
}

// exchange redeems the code of an authorization response.
func (h *wsHarness) exchange(t *testing.T, cb url.Values) reply {
	t.Helper()
	if cb.Get("code") == "" {
		t.Fatalf("authorization response %v, want a code", cb)
	}
	r := h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {cb.Get("code")},
		"redirect_uri": {wsRedirect}, "code_verifier": {pkceVerifier}}, "ws-app", h.secret)
	if r.status != http.StatusOK {
		t.Fatalf("token: %d %s", r.status, r.raw)
	}
	return r
}

// unverifiedClaims decodes a JWT's claims (the signature is checked by
// the tests of signing).
func unverifiedClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		t.Fatalf("not a JWT: %v", err)
	}
	var c map[string]any
	if err := parsed.UnsafeClaimsWithoutVerification(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

// wantOrg checks that claims name the workspace id with handle.
func wantOrg(t *testing.T, what string, claims map[string]any, id, handle string) {
	t.Helper()
	if claims["org_id"] != id || claims["org_handle"] != handle {
		t.Errorf("%s names org_id %v, org_handle %v; want %s, %s", what, claims["org_id"], claims["org_handle"], id, handle)
	}
}

// The organization parameter picks the workspace, by handle or ID; the
// ID token, the JWT access token, introspection and userinfo all name it,
// the stored tokens carry it, and a refresh keeps it.
func TestOrganizationParameterNamesTheTokensWorkspace(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newWorkspaceHarness(t, hh.store)
		rsSecret := h.resourceServer("im-gateway")
		for _, org := range []string{"acme", "ACME", "w-acme"} {
			t.Run(org, func(t *testing.T) {
				tokens := h.exchange(t, redirected(t, h.ask(t, "openid offline_access im:messages.send", url.Values{"organization": {org}}), wsRedirect))
				wantOrg(t, "ID token", unverifiedClaims(t, tokens.str("id_token")), "w-acme", "acme")
				wantOrg(t, "JWT access token", unverifiedClaims(t, tokens.str("access_token")), "w-acme", "acme")
				in := h.introspect(tokens.str("access_token"), "im-gateway", rsSecret)
				if !active(in) {
					t.Fatalf("introspection: %s", in.raw)
				}
				wantOrg(t, "introspection", in.body, "w-acme", "acme")
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/userinfo"), nil)
				req.Header.Set("Authorization", "Bearer "+tokens.str("access_token"))
				wantOrg(t, "userinfo", h.do(req).body, "w-acme", "acme")

				refreshed := h.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokens.str("refresh_token")}}, "ws-app", h.secret)
				if refreshed.status != http.StatusOK {
					t.Fatalf("refresh: %s", refreshed.raw)
				}
				wantOrg(t, "refreshed access token", unverifiedClaims(t, refreshed.str("access_token")), "w-acme", "acme")
				wantOrg(t, "refreshed ID token", unverifiedClaims(t, refreshed.str("id_token")), "w-acme", "acme")
			})
		}
	})
}

// A token is stored with its workspace, so that removing a member revokes
// the member's tokens of that workspace only.
func TestTokensStoreTheirWorkspace(t *testing.T) {
	t.Parallel()
	h := newWorkspaceHarness(t, memory.New())
	rsSecret := h.resourceServer("im-gateway")
	acme := h.exchange(t, redirected(t, h.ask(t, "openid im:messages.send", url.Values{"organization": {"acme"}}), wsRedirect))
	beta := h.exchange(t, redirected(t, h.ask(t, "openid im:messages.read", url.Values{"organization": {"beta"}}), wsRedirect))
	n, err := h.store.RevokeSubjectWorkspace(t.Context(), "ann", "w-acme")
	if err != nil || n != 1 {
		t.Fatalf("revoked %d, %v; want the acme access token", n, err)
	}
	if active(h.introspect(acme.str("access_token"), "im-gateway", rsSecret)) {
		t.Error("the acme token is active after Ann left acme")
	}
	if !active(h.introspect(beta.str("access_token"), "im-gateway", rsSecret)) {
		t.Error("the beta token died with acme's")
	}
}

// Without an organization, a member of several workspaces picks one on
// the chooser page; prompt=none then is interaction_required. The pick,
// recorded in the flow by the chooser, is what the token names.
func TestSeveralWorkspacesAskTheUserToChoose(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newWorkspaceHarness(t, hh.store)
		flowID := redirected(t, h.ask(t, "openid im:messages.read", nil), oauth.ChooserPath+"?").Get("flow")
		cb := redirected(t, h.ask(t, "openid im:messages.read", url.Values{"prompt": {"none"}}), wsRedirect)
		if cb.Get("error") != "interaction_required" {
			t.Fatalf("prompt=none answered %v, want interaction_required", cb)
		}
		// What the chooser does once Ann picks beta.
		if _, err := h.store.UpdateFlow(t.Context(), flowID, func(f storage.Flow) (storage.Flow, error) {
			f.UserID, f.WorkspaceID = "ann", "w-beta"
			return f, nil
		}); err != nil {
			t.Fatal(err)
		}
		tokens := h.exchange(t, redirected(t, h.authorize(t, url.Values{"flow": {flowID}}.Encode()), wsRedirect))
		wantOrg(t, "ID token", unverifiedClaims(t, tokens.str("id_token")), "w-beta", "beta")
	})
}

// A member of one workspace only gets a token for it without being asked.
func TestOnlyWorkspaceIsPickedWithoutAsking(t *testing.T) {
	t.Parallel()
	store := memory.New()
	h := newWorkspaceHarness(t, store)
	for _, id := range []string{"w-acme", "w-beta", "w-secure"} {
		if err := store.RemoveMember(t.Context(), id, "ann"); err != nil {
			t.Fatal(err)
		}
	}
	tokens := h.exchange(t, redirected(t, h.ask(t, "openid", nil), wsRedirect))
	wantOrg(t, "ID token", unverifiedClaims(t, tokens.str("id_token")), storage.DefaultWorkspaceID, "default")
}

// A user never gets a token for a workspace they are not a member of: the
// chooser page says why, and the app gets access_denied; with prompt=none
// at once. An unknown organization is the app's mistake: invalid_request.
func TestOrganizationOfNonMemberOrUnknownIsRefused(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newWorkspaceHarness(t, hh.store)
		other := url.Values{"organization": {"other"}}
		flowID := redirected(t, h.ask(t, "openid", other), oauth.ChooserPath+"?").Get("flow")
		f, err := h.store.GetFlow(t.Context(), flowID)
		if err != nil || f.Decision != oauth.DecisionNotMember || f.WorkspaceID != "w-other" {
			t.Fatalf("flow %+v, %v; want the not-member decision for w-other", f, err)
		}
		cb := redirected(t, h.authorize(t, url.Values{"flow": {flowID}}.Encode()), wsRedirect)
		if cb.Get("error") != "access_denied" || cb.Get("code") != "" {
			t.Fatalf("resumed flow answered %v, want access_denied", cb)
		}
		other.Set("prompt", "none")
		if cb := redirected(t, h.ask(t, "openid", other), wsRedirect); cb.Get("error") != "access_denied" {
			t.Fatalf("prompt=none answered %v, want access_denied", cb)
		}
		for _, org := range []string{"nope", "w-nope", "a\x00b", "\xff"} {
			cb := redirected(t, h.ask(t, "openid", url.Values{"organization": {org}}), wsRedirect)
			if cb.Get("error") != "invalid_request" || !strings.Contains(cb.Get("error_description"), "organization") {
				t.Errorf("organization %q answered %v, want invalid_request naming the organization", org, cb)
			}
		}
	})
}

// The user's workspace role caps what a token for that workspace may
// carry: a guest of beta gets no im:messages.send there, while the same
// user, a member of acme, does.
func TestWorkspaceRoleCapsScopes(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newWorkspaceHarness(t, hh.store)
		const scope = "openid im:messages.read im:messages.send"
		acme := h.exchange(t, redirected(t, h.ask(t, scope, url.Values{"organization": {"acme"}}), wsRedirect))
		if acme.str("scope") != scope {
			t.Errorf("acme member got %q, want %q", acme.str("scope"), scope)
		}
		beta := h.exchange(t, redirected(t, h.ask(t, scope, url.Values{"organization": {"beta"}}), wsRedirect))
		if beta.str("scope") != "openid im:messages.read" {
			t.Errorf("beta guest got %q, want openid im:messages.read", beta.str("scope"))
		}
		// A role the configuration does not know grants no IM scope.
		if _, err := h.store.UpdateMember(t.Context(), "w-acme", "ann", func(m storage.Member) (storage.Member, error) {
			m.Role = "auditor"
			return m, nil
		}); err != nil {
			t.Fatal(err)
		}
		cb := redirected(t, h.ask(t, scope, url.Values{"organization": {"acme"}, "prompt": {"none"}}), wsRedirect)
		if cb.Get("error") != "access_denied" {
			t.Errorf("unknown workspace role answered %v, want access_denied", cb)
		}
	})
}

// The app's installation in the workspace caps a member's token there as
// the member's role does: installed with messages.read only, the app gets
// no im:messages.send in acme; denied, no IM scope at all.
func TestAppInstallationCapsMembersTokens(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newWorkspaceHarness(t, hh.store)
		const scope = "openid im:messages.read im:messages.send"
		in := installed(t, h.store, "inst-ws-app", "w-acme", "ws-app", storage.InstallActive, "im:messages.read")
		acme := h.exchange(t, redirected(t, h.ask(t, scope, url.Values{"organization": {"acme"}}), wsRedirect))
		if acme.str("scope") != "openid im:messages.read" {
			t.Errorf("acme member of an app installed with messages.read got %q", acme.str("scope"))
		}
		if _, err := h.store.UpdateInstallation(t.Context(), in.ID, func(i storage.Installation) (storage.Installation, error) {
			i.Status, i.Scopes = storage.InstallDenied, nil
			return i, nil
		}); err != nil {
			t.Fatal(err)
		}
		cb := redirected(t, h.ask(t, scope, url.Values{"organization": {"acme"}, "prompt": {"none"}}), wsRedirect)
		if cb.Get("error") != "access_denied" {
			t.Errorf("an app denied in acme answered %v, want access_denied", cb)
		}
		// Where the app is not installed, the member's roles decide
		// (TestWorkspaceRoleCapsScopes: all three scopes in acme).
	})
}

// A workspace whose policy requires two factors sends a member signed in
// with a password alone to the sign-in pages (step-up, asked only for the
// second factor there); signed in with two, the member gets the token.
func TestWorkspaceRequiringMFASendsToStepUp(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newWorkspaceHarness(t, hh.store)
		secure := url.Values{"organization": {"secure"}}
		flowID := redirected(t, h.ask(t, "openid", secure), "/login?").Get("flow")
		f, err := h.store.GetFlow(t.Context(), flowID)
		if err != nil || f.WorkspaceID != "w-secure" {
			t.Fatalf("flow %+v, %v; want it to name w-secure for the sign-in pages", f, err)
		}
		secure.Set("prompt", "none")
		if cb := redirected(t, h.ask(t, "openid", secure), wsRedirect); cb.Get("error") != "login_required" {
			t.Fatalf("prompt=none answered %v, want login_required", cb)
		}
		h.signIn(session.AMR(session.AMRPassword, session.AMROTP))
		tokens := h.exchange(t, redirected(t, h.ask(t, "openid", url.Values{"organization": {"secure"}}), wsRedirect))
		wantOrg(t, "ID token", unverifiedClaims(t, tokens.str("id_token")), "w-secure", "secure")
		if c := unverifiedClaims(t, tokens.str("id_token")); c["acr"] != session.ACRTwoFactor {
			t.Errorf("acr %v, want %s", c["acr"], session.ACRTwoFactor)
		}
	})
}

// A workspace's session lifetime and sign-in methods send a member whose
// sign-in is too old, or made another way, to sign in again.
func TestWorkspaceSignInPolicy(t *testing.T) {
	t.Parallel()
	store := memory.New()
	h := newWorkspaceHarness(t, store)
	if _, err := store.UpdateWorkspace(t.Context(), "w-acme", func(w storage.Workspace) (storage.Workspace, error) {
		w.Policy.SignInMethods = []string{"passkey"}
		return w, nil
	}); err != nil {
		t.Fatal(err)
	}
	redirected(t, h.ask(t, "openid", url.Values{"organization": {"acme"}}), "/login?")
	h.signIn(session.AMR(session.AMRSoftwareKey, session.AMRPIN))
	redirected(t, h.ask(t, "openid", url.Values{"organization": {"acme"}}), wsRedirect+"?code=")

	if _, err := store.UpdateWorkspace(t.Context(), "w-beta", func(w storage.Workspace) (storage.Workspace, error) {
		w.Policy.SessionLifetime = time.Minute
		return w, nil
	}); err != nil {
		t.Fatal(err)
	}
	old := *h.browser.Load()
	old.Session.AuthTime = old.Session.AuthTime.Add(-2 * time.Minute)
	h.browser.Store(&old)
	redirected(t, h.ask(t, "openid", url.Values{"organization": {"beta"}}), "/login?")
	redirected(t, h.ask(t, "openid", url.Values{"organization": {"acme"}}), wsRedirect+"?code=")
}

// Cancelling on the chooser answers the app with access_denied, not the
// chooser again.
func TestChooserRefusalIsAccessDenied(t *testing.T) {
	t.Parallel()
	h := newWorkspaceHarness(t, memory.New())
	flowID := redirected(t, h.ask(t, "openid", nil), oauth.ChooserPath+"?").Get("flow")
	if _, err := h.store.UpdateFlow(t.Context(), flowID, func(f storage.Flow) (storage.Flow, error) {
		f.UserID, f.Decision = "ann", "deny"
		return f, nil
	}); err != nil {
		t.Fatal(err)
	}
	if cb := redirected(t, h.authorize(t, url.Values{"flow": {flowID}}.Encode()), wsRedirect); cb.Get("error") != "access_denied" {
		t.Fatalf("answered %v, want access_denied", cb)
	}
}

// A membership the workspace's directory suspended (SCIM active=false) is
// no workspace to sign in to: named, it is refused as a non-member's;
// unnamed, it is not counted among the user's workspaces, so the only
// other one is picked without asking.
func TestSuspendedMembershipIsNoWorkspace(t *testing.T) {
	t.Parallel()
	store := memory.New()
	h := newWorkspaceHarness(t, store)
	for _, id := range []string{"w-beta", "w-secure", storage.DefaultWorkspaceID} {
		if err := store.RemoveMember(t.Context(), id, "ann"); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.AddMember(t.Context(), storage.Member{WorkspaceID: "w-beta", UserID: "ann", Role: "member", Suspended: true}); err != nil {
		t.Fatal(err)
	}
	beta := url.Values{"organization": {"beta"}, "prompt": {"none"}}
	if cb := redirected(t, h.ask(t, "openid", beta), wsRedirect); cb.Get("error") != "access_denied" || cb.Get("code") != "" {
		t.Fatalf("a suspended member asking for beta got %v, want access_denied", cb)
	}
	tokens := h.exchange(t, redirected(t, h.ask(t, "openid", nil), wsRedirect))
	wantOrg(t, "ID token", unverifiedClaims(t, tokens.str("id_token")), "w-acme", "acme")
}
