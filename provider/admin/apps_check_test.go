package admin

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tokenim/tokenim-auth/storage"
)

// TestCheckAppKeepsEveryField: an app the admin API registers keeps every
// field it was given, as a configured client would.
func TestCheckAppKeepsEveryField(t *testing.T) {
	t.Parallel()
	spec := AppSpec{
		ClientID: "web-2", Name: "Web", Type: "confidential",
		RedirectURIs: []string{"https://app.example.com/cb"}, PostLogoutRedirectURIs: []string{"https://app.example.com/"},
		Scopes: []string{"openid", "profile"}, GrantTypes: []string{"authorization_code", "refresh_token"},
		TokenEndpointAuthMethod: "private_key_jwt", JWKSURI: "https://app.example.com/jwks.json", TokenEndpointAuthSigningAlg: "ES256",
		IDTokenSignedResponseAlg: "ES256", SkipConsent: true, RequirePAR: true, DPoPBoundAccessTokens: true, AccessTokenFormat: "jwt", RefreshTokenReuseWindow: "10s",
		IntrospectionSignedResponseAlg: "ES256", IntrospectionEncryptedResponseAlg: "RSA-OAEP-256", IntrospectionEncryptedResponseEnc: "A128GCM",
		AllowedOrigins: []string{"https://App.example.com:443"}, BackchannelLogoutURI: "https://app.example.com/logout", BackchannelLogoutSessionRequired: true,
	}
	v := reflect.ValueOf(spec)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("the test leaves AppSpec.%s unset: set it, and check it below", v.Type().Field(i).Name)
		}
	}
	got, err := New(Config{Scopes: []string{"openid", "profile"}}).checkApp(spec)
	if err != nil {
		t.Fatal(err)
	}
	window := 10 * time.Second
	want := storage.Client{
		ID: "web-2", Name: "Web", Type: storage.ClientConfidential,
		RedirectURIs: []string{"https://app.example.com/cb"}, PostLogoutRedirectURIs: []string{"https://app.example.com/"},
		Scopes: []string{"openid", "profile"}, GrantTypes: []string{"authorization_code", "refresh_token"},
		TokenEndpointAuthMethod: "private_key_jwt", JWKSURI: "https://app.example.com/jwks.json", TokenEndpointAuthSigningAlg: "ES256",
		IDTokenSignedResponseAlg: "ES256", SkipConsent: true, RequirePAR: true, DPoPBoundAccessTokens: true, AccessTokenFormat: storage.AccessTokenJWT, RefreshReuseWindow: &window,
		IntrospectionSignedResponseAlg: "ES256", IntrospectionEncryptedResponseAlg: "RSA-OAEP-256", IntrospectionEncryptedResponseEnc: "A128GCM",
		AllowedOrigins: []string{"https://app.example.com"}, BackchannelLogoutURI: "https://app.example.com/logout", BackchannelLogoutSessionRequired: true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("stored app (-want +got):\n%s", diff)
	}
}

func TestCheckAppNamesEachField(t *testing.T) {
	t.Parallel()
	a := New(Config{Scopes: []string{"openid"}})
	_, err := a.checkApp(AppSpec{ClientID: "a b", Type: "public", GrantTypes: []string{"client_credentials"}, RefreshTokenReuseWindow: "1m"})
	if err == nil {
		t.Fatal("a bad app passed")
	}
	for _, field := range []string{"id: ", "name: ", "grant_types: "} {
		if !strings.Contains(err.Error(), field) || strings.Contains(err.Error(), "clients[") {
			t.Errorf("%v: want a problem starting %q, no configuration path", err, field)
		}
	}
	if _, err := a.checkApp(AppSpec{ClientID: "x", Name: "x", Type: "public", RedirectURIs: []string{"http://127.0.0.1/cb"},
		RefreshTokenReuseWindow: "soon"}); err == nil || !strings.HasPrefix(err.Error(), "refresh_token_reuse_window: ") {
		t.Fatalf("a reuse window that is not a duration: %v", err)
	}
}

// TestCheckAppDevMode: an http URI on a public host is refused unless the
// API runs in dev mode, as the configuration's clients are with --dev.
func TestCheckAppDevMode(t *testing.T) {
	t.Parallel()
	spec := AppSpec{ClientID: "web", Name: "Web", Type: "confidential", RedirectURIs: []string{"http://app.dev.example.com/cb"}}
	if _, err := New(Config{}).checkApp(spec); err == nil || !strings.HasPrefix(err.Error(), "redirect_uris[0]: must use https") {
		t.Fatalf("outside dev mode: %v", err)
	}
	if _, err := New(Config{Dev: true}).checkApp(spec); err != nil {
		t.Fatalf("in dev mode: %v", err)
	}
}
