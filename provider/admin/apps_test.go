package admin

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func TestAppShowsAssertionAlgorithm(t *testing.T) {
	a := New(Config{})
	for _, tc := range []struct {
		name   string
		client storage.Client
		want   any
	}{
		{"a private_key_jwt client registered for ES256", storage.Client{ID: "bot", TokenEndpointAuthMethod: "private_key_jwt", TokenEndpointAuthSigningAlg: "ES256"}, "ES256"},
		{"a private_key_jwt client with no algorithm uses RS256", storage.Client{ID: "svc", TokenEndpointAuthMethod: "private_key_jwt"}, "RS256"},
		{"a client with a secret has none", storage.Client{ID: "web", TokenEndpointAuthMethod: "client_secret_basic"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := json.Marshal(a.appOut(tc.client))
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if got["token_endpoint_auth_signing_alg"] != tc.want {
				t.Fatalf("token_endpoint_auth_signing_alg = %v, want %v (%s)", got["token_endpoint_auth_signing_alg"], tc.want, raw)
			}
		})
	}
}

func TestAppShowsOriginsAndReuseWindow(t *testing.T) {
	a := New(Config{})
	w := 30 * time.Second
	for _, tc := range []struct {
		name        string
		client      storage.Client
		wantOrigins []any
		wantWindow  any
	}{
		{"a browser app with its own window", storage.Client{ID: "spa", AllowedOrigins: []string{"https://spa.example"}, RefreshReuseWindow: &w}, []any{"https://spa.example"}, "30s"},
		{"an app with neither", storage.Client{ID: "web"}, []any{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := json.Marshal(a.appOut(tc.client))
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got["allowed_origins"], tc.wantOrigins) || got["refresh_token_reuse_window"] != tc.wantWindow {
				t.Fatalf("allowed_origins %v, refresh_token_reuse_window %v; want %v, %v (%s)", got["allowed_origins"], got["refresh_token_reuse_window"], tc.wantOrigins, tc.wantWindow, raw)
			}
		})
	}
}
