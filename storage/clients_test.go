package storage_test

import (
	"slices"
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
)

func TestOriginOf(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"https://app.example.com/callback":  "https://app.example.com",
		"HTTPS://App.Example.COM:443/cb":    "https://app.example.com",
		"https://app.example.com:8443/cb":   "https://app.example.com:8443",
		"http://localhost:5173/":            "http://localhost:5173",
		"http://127.0.0.1:80/cb":            "http://127.0.0.1",
		"http://[::1]:3000/cb":              "http://[::1]:3000",
		"https://app.example.com":           "https://app.example.com",
		"com.example.app:/oauth":            "",
		"com.example.app://callback":        "",
		"javascript:alert(1)":               "",
		"/relative":                         "",
		"https://":                          "",
		"not a url\x7f":                     "",
		"https://user:pass@app.example.com": "https://app.example.com",
	} {
		if got := storage.OriginOf(raw); got != want {
			t.Errorf("OriginOf(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestClientOrigins(t *testing.T) {
	t.Parallel()
	redirects := []string{"https://spa.example/cb", "https://spa.example/silent", "com.example.app:/oauth", "http://127.0.0.1:8080/cb"}
	tests := []struct {
		name    string
		client  storage.Client
		want    []string
		browser bool
	}{
		{"a public client is called from its redirect URIs' origins",
			storage.Client{Type: storage.ClientPublic, RedirectURIs: redirects},
			[]string{"https://spa.example", "http://127.0.0.1:8080"}, false},
		{"a public client with allowed origins is a browser app",
			storage.Client{Type: storage.ClientPublic, RedirectURIs: redirects, AllowedOrigins: []string{"https://other.example", "https://spa.example"}},
			[]string{"https://other.example", "https://spa.example", "http://127.0.0.1:8080"}, true},
		{"a confidential client is called only from the origins it lists",
			storage.Client{Type: storage.ClientConfidential, RedirectURIs: redirects, AllowedOrigins: []string{"https://web.example"}},
			[]string{"https://web.example"}, false},
		{"a confidential client listing none has none",
			storage.Client{Type: storage.ClientConfidential, RedirectURIs: redirects}, []string{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.client.Origins(); !slices.Equal(got, tt.want) {
				t.Errorf("Origins() = %q, want %q", got, tt.want)
			}
			if got := tt.client.BrowserApp(); got != tt.browser {
				t.Errorf("BrowserApp() = %v, want %v", got, tt.browser)
			}
		})
	}
}
