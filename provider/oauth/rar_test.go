package oauth_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"

	"github.com/tokenim/tokenim-auth/provider/authzdetails"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// askedDetails asks to read and send in conv:launch and to read chan:ops.
const askedDetails = `[{"type":"im_conversation","actions":["messages.read","messages.send"],"locations":["conv:launch"]},` +
	`{"type":"im_channel","actions":["messages.send"],"locations":["chan:ops"]}]`

// readLaunch is what a member (whose role allows im:messages.read, not
// im:messages.send) can grant of askedDetails.
var readLaunch = authzdetails.List{{Type: "im_conversation", Actions: []string{"messages.read"}, Locations: []string{"conv:launch"}}}

// detailsOf decodes the authorization_details member of a JSON body.
func detailsOf(t *testing.T, v any) authzdetails.List {
	t.Helper()
	if v == nil {
		return nil
	}
	l, err := authzdetails.Decode(v)
	if err != nil {
		t.Fatalf("authorization_details %v: %v", v, err)
	}
	return l
}

func wantDetails(t *testing.T, where string, got, want authzdetails.List) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("%s: authorization_details (-want +got):\n%s", where, d)
	}
}

// rarHarness is the user harness with a JWT-token app that skips consent
// and may use im:messages.send, which Ann's role does not allow.
func rarHarness(t *testing.T, store storage.Store) (*userHarness, string) {
	h := newUserHarness(t, store)
	secret := h.addClient(storage.Client{ID: "rar-app", Name: "RAR App", Type: storage.ClientConfidential,
		GrantTypes: []string{"authorization_code", "refresh_token"}, RedirectURIs: []string{h.appRedirect}, SkipConsent: true,
		Scopes:            []string{"openid", "offline_access", "im:messages.read", "im:messages.send"},
		AccessTokenFormat: storage.AccessTokenJWT})
	return h, secret
}

// TestAuthorizationDetailsTravelWithTheGrant: the details granted (narrowed
// by the role) are in the token response, introspection and the JWT
// access token, and again after a refresh, never in the ID token.
func TestAuthorizationDetailsTravelWithTheGrant(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h, secret := rarHarness(t, hh.store)
		rs := h.resourceServer("im-api")
		q := authParams("rar-app", h.appRedirect)
		q.Set("scope", "openid offline_access")
		q.Set("authorization_details", askedDetails)
		cb := redirected(t, h.authorize(t, q.Encode()), h.appRedirect)
		r := h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {cb.Get("code")},
			"redirect_uri": {h.appRedirect}, "code_verifier": {pkceVerifier}}, "rar-app", secret)
		if r.status != http.StatusOK {
			t.Fatalf("token: %d %s", r.status, r.raw)
		}
		wantDetails(t, "token response", detailsOf(t, r.body["authorization_details"]), readLaunch)
		if r.str("scope") != "openid offline_access" {
			t.Fatalf("details added scopes: %q", r.str("scope"))
		}
		wantDetails(t, "introspection", detailsOf(t, h.introspect(r.str("access_token"), "im-api", rs).body["authorization_details"]), readLaunch)
		var at struct {
			Details any `json:"authorization_details"`
		}
		h.verifyJWT(r.str("access_token"), "at+jwt", &at)
		wantDetails(t, "JWT access token", detailsOf(t, at.Details), readLaunch)
		var id map[string]any
		if tok, err := jwt.ParseSigned(r.str("id_token"), []jose.SignatureAlgorithm{jose.ES256, jose.RS256}); err == nil {
			_ = tok.UnsafeClaimsWithoutVerification(&id)
		}
		if id == nil || id["authorization_details"] != nil {
			t.Fatalf("ID token claims %v: want some, without authorization_details", id)
		}

		refreshed := h.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r.str("refresh_token")}}, "rar-app", secret)
		if refreshed.status != http.StatusOK {
			t.Fatalf("refresh: %d %s", refreshed.status, refreshed.raw)
		}
		wantDetails(t, "refreshed token response", detailsOf(t, refreshed.body["authorization_details"]), readLaunch)
		wantDetails(t, "refreshed introspection", detailsOf(t, h.introspect(refreshed.str("access_token"), "im-api", rs).body["authorization_details"]), readLaunch)
	})
}

// TestAuthorizationDetailsNarrowedAway: details none of whose actions the
// role allows grant nothing, and the token says so by carrying none.
func TestAuthorizationDetailsNarrowedAway(t *testing.T) {
	t.Parallel()
	h, secret := rarHarness(t, memory.New())
	q := authParams("rar-app", h.appRedirect)
	q.Set("authorization_details", `[{"type":"im_conversation","actions":["messages.send"],"locations":["conv:launch"]}]`)
	cb := redirected(t, h.authorize(t, q.Encode()), h.appRedirect)
	r := h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {cb.Get("code")},
		"redirect_uri": {h.appRedirect}, "code_verifier": {pkceVerifier}}, "rar-app", secret)
	if r.status != http.StatusOK || r.body["authorization_details"] != nil {
		t.Fatalf("token: %d %s; want no authorization_details", r.status, r.raw)
	}
}

// TestInvalidAuthorizationDetails: a bad parameter is refused before the
// user is asked anything, at the redirect URI, by PAR and at the token
// endpoint, as invalid_authorization_details (RFC 9396 section 5).
func TestInvalidAuthorizationDetails(t *testing.T) {
	t.Parallel()
	h, secret := rarHarness(t, memory.New())
	for name, bad := range map[string]string{
		"unknown type":   `[{"type":"payment_initiation","actions":["messages.read"],"locations":["conv:1"]}]`,
		"not JSON":       `[{`,
		"unknown action": `[{"type":"im_conversation","actions":["messages.delete"],"locations":["conv:1"]}]`,
		"NUL":            "[{\"type\":\"im_conversation\",\"actions\":[\"messages.read\"],\"locations\":[\"conv:\x00\"]}]",
		"not UTF-8":      "[{\"type\":\"im_conversation\xff\"}]",
	} {
		t.Run(name, func(t *testing.T) {
			q := authParams("rar-app", h.appRedirect)
			q.Set("authorization_details", bad)
			cb := redirected(t, h.authorize(t, q.Encode()), h.appRedirect)
			if cb.Get("error") != "invalid_authorization_details" || cb.Get("state") != q.Get("state") || cb.Get("error_description") == "" {
				t.Fatalf("redirected with %v", cb)
			}
			q.Set("client_id", "rar-app")
			wantError(t, h.post("/oauth2/par", q, "rar-app", secret), http.StatusBadRequest, "invalid_authorization_details")
		})
	}
	bot := h.bot("rar-bot", "im:messages.read")
	wantError(t, h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "authorization_details": {`[{"type":"x"}]`}}, "rar-bot", bot),
		http.StatusBadRequest, "invalid_authorization_details")
}

// TestAuthorizationDetailsPushed: details pushed by PAR are granted as
// when sent in the query, up to the 8 KiB bound (longer than other
// parameters may be).
func TestAuthorizationDetailsPushed(t *testing.T) {
	t.Parallel()
	h, secret := rarHarness(t, memory.New())
	locations := make([]string, 0, authzdetails.MaxLocations)
	for i := range authzdetails.MaxLocations {
		locations = append(locations, "conv:launch-team-"+strings.Repeat("x", 40)+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	long, _ := json.Marshal(authzdetails.List{{Type: "im_conversation", Actions: []string{"messages.read"}, Locations: locations}})
	if len(long) < 2<<10 {
		t.Fatalf("the pushed details are only %d bytes", len(long))
	}
	q := authParams("rar-app", h.appRedirect)
	q.Set("authorization_details", string(long))
	r := h.post("/oauth2/par", q, "rar-app", secret)
	if r.status != http.StatusCreated {
		t.Fatalf("push: %d %s", r.status, r.raw)
	}
	cb := redirected(t, h.authorize(t, url.Values{"client_id": {"rar-app"}, "request_uri": {r.str("request_uri")}}.Encode()), h.appRedirect)
	tok := h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {cb.Get("code")},
		"redirect_uri": {h.appRedirect}, "code_verifier": {pkceVerifier}}, "rar-app", secret)
	if tok.status != http.StatusOK {
		t.Fatalf("token: %d %s", tok.status, tok.raw)
	}
	var want authzdetails.List
	_ = json.Unmarshal(long, &want)
	wantDetails(t, "token response", detailsOf(t, tok.body["authorization_details"]), want)
}

// TestAuthorizationDetailsClientCredentials: a confidential client gets
// the details its own scopes allow, no more.
func TestAuthorizationDetailsClientCredentials(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		bot := h.bot("rar-bot", "im:messages.read")
		rs := h.resourceServer("im-api")
		r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "authorization_details": {askedDetails}}, "rar-bot", bot)
		if r.status != http.StatusOK {
			t.Fatalf("token: %d %s", r.status, r.raw)
		}
		wantDetails(t, "token response", detailsOf(t, r.body["authorization_details"]), readLaunch)
		wantDetails(t, "introspection", detailsOf(t, h.introspect(r.str("access_token"), "im-api", rs).body["authorization_details"]), readLaunch)
		plain := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "rar-bot", bot)
		if plain.status != http.StatusOK || plain.body["authorization_details"] != nil ||
			h.introspect(plain.str("access_token"), "im-api", rs).body["authorization_details"] != nil {
			t.Fatalf("a token asked without details has some: %s", plain.raw)
		}
	})
}

// A bot of a workspace gets the conversation details its installation
// allows, not all its app may have: the app may send messages, its
// installation in acme may only read them.
func TestAuthorizationDetailsOfAnInstalledBot(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		if err := h.store.CreateWorkspace(t.Context(), storage.Workspace{ID: "w-acme", Handle: "acme", Name: "Acme"}); err != nil {
			t.Fatal(err)
		}
		bot := h.bot("rar-bot", "im:messages.read", "im:messages.send")
		installed(t, h.store, "inst-acme", "w-acme", "rar-bot", storage.InstallActive, "im:messages.read")
		rs := h.resourceServer("im-api")
		r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "organization": {"acme"}, "scope": {"im:messages.read"},
			"authorization_details": {askedDetails}}, "rar-bot", bot)
		if r.status != http.StatusOK {
			t.Fatalf("token: %d %s", r.status, r.raw)
		}
		wantDetails(t, "token response", detailsOf(t, r.body["authorization_details"]), readLaunch)
		in := h.introspect(r.str("access_token"), "im-api", rs)
		wantDetails(t, "introspection", detailsOf(t, in.body["authorization_details"]), readLaunch)
		if in.str("sub") != "inst-acme" {
			t.Errorf("introspection %s, want the installation as subject", in.raw)
		}
		// The app's own token, of no workspace, has what the app may have.
		own := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "authorization_details": {askedDetails}}, "rar-bot", bot)
		if own.status != http.StatusOK {
			t.Fatalf("token: %d %s", own.status, own.raw)
		}
		asked, err := authzdetails.Parse(askedDetails)
		if err != nil {
			t.Fatal(err)
		}
		wantDetails(t, "the app's own token", detailsOf(t, own.body["authorization_details"]), asked)
	})
}

// TestAuthorizationDetailsNeedConsent: an app that does not skip consent
// is sent to the consent page for details that the remembered grant does
// not cover, even when it covers the scopes.
func TestAuthorizationDetailsNeedConsent(t *testing.T) {
	t.Parallel()
	h, _ := rarHarness(t, memory.New())
	h.addClient(storage.Client{ID: "asks", Name: "Asks", Type: storage.ClientConfidential, GrantTypes: []string{"authorization_code"},
		RedirectURIs: []string{h.appRedirect}, Scopes: []string{"openid", "im:messages.read"}})
	if err := h.store.SaveConsent(t.Context(), storage.Consent{UserID: "ann", ClientID: "asks", Scopes: []string{"openid", "profile"}}); err != nil {
		t.Fatal(err)
	}
	q := authParams("asks", h.appRedirect)
	q.Set("scope", "openid")
	redirected(t, h.authorize(t, q.Encode()), h.appRedirect)
	q.Set("authorization_details", `[{"type":"im_conversation","actions":["messages.read"],"locations":["conv:launch","conv:ops"]}]`)
	redirected(t, h.authorize(t, q.Encode()), "/consent?flow=")

	// Remembered for one of the two conversations: still asked.
	launch := storage.DetailGrant{Type: "im_conversation", Location: "conv:launch", Actions: []string{"messages.read", "messages.send"}}
	if err := h.store.SaveDetailGrants(t.Context(), "ann", "asks", []storage.DetailGrant{launch}); err != nil {
		t.Fatal(err)
	}
	redirected(t, h.authorize(t, q.Encode()), "/consent?flow=")
	// Remembered for both: answered at once.
	ops := launch
	ops.Location = "conv:ops"
	if err := h.store.SaveDetailGrants(t.Context(), "ann", "asks", []storage.DetailGrant{launch, ops}); err != nil {
		t.Fatal(err)
	}
	if cb := redirected(t, h.authorize(t, q.Encode()), h.appRedirect); cb.Get("code") == "" {
		t.Fatalf("no code: %v", cb)
	}
}

func TestDiscoveryNamesDetailTypes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, memory.New())
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/.well-known/openid-configuration"), nil)
	got := h.do(req).body["authorization_details_types_supported"]
	if d := cmp.Diff([]any{"im_conversation", "im_channel"}, got); d != "" {
		t.Fatalf("authorization_details_types_supported (-want +got):\n%s", d)
	}
}
