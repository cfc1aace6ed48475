package admin

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func TestAppShowsAssertionAlgorithm(t *testing.T) {
	testAppShows(t, "token_endpoint_auth_signing_alg", []appShows{
		{"a private_key_jwt client registered for ES256", storage.Client{ID: "bot", TokenEndpointAuthMethod: "private_key_jwt", TokenEndpointAuthSigningAlg: "ES256"}, "ES256"},
		{"a private_key_jwt client with no algorithm uses RS256", storage.Client{ID: "svc", TokenEndpointAuthMethod: "private_key_jwt"}, "RS256"},
		{"a client with a secret has none", storage.Client{ID: "web", TokenEndpointAuthMethod: "client_secret_basic"}, nil},
	})
}

func TestAppShowsIDTokenAlgorithm(t *testing.T) {
	testAppShows(t, "id_token_signed_response_alg", []appShows{
		{"a client registered for ES256", storage.Client{ID: "es", IDTokenSignedResponseAlg: "ES256"}, "ES256"},
		{"a client with no algorithm gets RS256", storage.Client{ID: "web"}, "RS256"},
	})
}

// appShows is a client and the value the API shows of one of its fields.
type appShows struct {
	name   string
	client storage.Client
	want   any
}

// testAppShows checks the value of field in the API's view of each client.
func testAppShows(t *testing.T, field string, cases []appShows) {
	a := New(Config{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := json.Marshal(a.appOut(tc.client))
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if got[field] != tc.want {
				t.Fatalf("%s = %v, want %v (%s)", field, got[field], tc.want, raw)
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
