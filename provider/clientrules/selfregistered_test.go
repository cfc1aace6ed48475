package clientrules

import (
	"slices"
	"testing"
)

func TestCheckSelfRegistered(t *testing.T) {
	t.Parallel()
	bot := func(redirects ...string) Client {
		return Client{ID: "bot", Name: "Bot", Type: TypePublic, RedirectURIs: redirects}
	}
	site := Published{ClientURI: "https://bot.example", LogoURI: "https://bot.example/logo.png",
		PolicyURI: "https://bot.example/policy", TOSURI: "https://BOT.example/tos"}
	tests := []struct {
		name string
		c    Client
		pub  Published
		dev  bool
		want []string // Problem paths
	}{
		{"redirect URIs and metadata on the client's host pass", bot("https://bot.example/cb", "http://127.0.0.1:9000/cb", "com.example.bot:/cb"), site, false, nil},
		{"no client_uri: any host", bot("https://elsewhere.example/cb"), Published{}, false, nil},
		{"a wildcard in a redirect URI", bot("https://*.bot.example/cb"), Published{}, false, []string{"redirect_uris[0]"}},
		{"a redirect URI on another host", bot("https://bot.example/cb", "https://evil.example/cb"), site, false, []string{"redirect_uris[1]"}},
		{"a loopback redirect URI on any port passes", bot("http://localhost:41234/cb", "http://[::1]/cb"), site, false, nil},
		{"metadata on another host", bot("https://bot.example/cb"),
			Published{ClientURI: "https://bot.example", LogoURI: "https://cdn.example/l.png", TOSURI: "https://evil.example/tos"}, false,
			[]string{"logo_uri", "tos_uri"}},
		{"http metadata", bot(), Published{ClientURI: "http://bot.example", PolicyURI: "http://bot.example/p"}, false, []string{"client_uri", "policy_uri"}},
		{"http metadata in dev mode", bot(), Published{ClientURI: "http://bot.example", PolicyURI: "http://bot.example/p"}, true, nil},
		{"a fragment in a metadata URI", bot(), Published{LogoURI: "https://bot.example/l.png#x"}, false, []string{"logo_uri"}},
		{"a jwks_uri on another host", Client{ID: "k", Name: "K", Type: TypeConfidential, JWKSURI: "https://keys.example/jwks"}, site, false, []string{"jwks_uri"}},
		{"not a URL", bot(), Published{ClientURI: "::"}, false, []string{"client_uri"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, p := range CheckSelfRegistered(tc.c, tc.pub, tc.dev) {
				got = append(got, p.Path())
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("problems at %v, want %v (%v)", got, tc.want, CheckSelfRegistered(tc.c, tc.pub, tc.dev))
			}
		})
	}
}
