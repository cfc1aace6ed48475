package oauth_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/storage/postgres"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// recorder keeps what the provider reports.
type recorder struct {
	mu      sync.Mutex
	issued  []string // grant_type client_id
	results []string
}

func (r *recorder) TokenIssued(grantType, clientID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.issued = append(r.issued, grantType+" "+clientID)
}

func (r *recorder) Introspected(result string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d < 0 {
		result += " (negative duration)"
	}
	r.results = append(r.results, result)
}

// take returns what was reported since the last call.
func (r *recorder) take() (issued, results []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	issued, results = r.issued, r.results
	r.issued, r.results = nil, nil
	return issued, results
}

func observedBy(obs oauth.Observer) func(*oauth.Config) {
	return func(c *oauth.Config) { c.Observer = obs }
}

func TestObserver(t *testing.T) {
	t.Parallel()
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			obs := &recorder{}
			h := newHarness(t, open(t), observedBy(obs))
			rsSecret := h.resourceServer("im-gateway")
			botSecret := h.bot("bot", "im:messages.send")
			cc := clientcredentials.Config{ClientID: "bot", ClientSecret: botSecret, TokenURL: h.url("/oauth2/token"), AuthStyle: oauth2.AuthStyleInHeader}
			tok, err := cc.Token(t.Context())
			if err != nil {
				t.Fatal(err)
			}

			t.Run("a token response is reported with its grant type and client", func(t *testing.T) {
				if issued, _ := obs.take(); !slices.Equal(issued, []string{"client_credentials bot"}) {
					t.Fatalf("issued %v", issued)
				}
			})
			t.Run("a refused token request is not", func(t *testing.T) {
				bad := cc
				bad.ClientSecret = "wrong"
				if _, err := bad.Token(t.Context()); err == nil {
					t.Fatal("a wrong secret got a token")
				}
				if issued, _ := obs.take(); len(issued) != 0 {
					t.Fatalf("issued %v", issued)
				}
			})
			t.Run("each introspection is reported once with its result", func(t *testing.T) {
				h.introspect(tok.AccessToken, "im-gateway", rsSecret)
				h.introspect("at_unknown.token", "im-gateway", rsSecret)
				h.introspect(tok.AccessToken, "im-gateway", "wrong")
				h.introspect(tok.AccessToken, "", "")
				h.post("/oauth2/introspect", nil, "im-gateway", rsSecret)
				want := []string{oauth.IntrospectionActive, oauth.IntrospectionInactive, oauth.IntrospectionUnauthorized, oauth.IntrospectionUnauthorized, oauth.IntrospectionError}
				if _, results := obs.take(); !slices.Equal(results, want) {
					t.Fatalf("results %v, want %v", results, want)
				}
			})
		})
	}

	t.Run("a lookup the store cannot answer is an error, answered inactive", func(t *testing.T) {
		u := pgtest.URL(t)
		store, err := postgres.Open(t.Context(), postgres.Config{URL: u})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(store.Close)
		if err := store.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		obs := &recorder{}
		h := newHarness(t, store, observedBy(obs))
		rsSecret := h.resourceServer("im-gateway")
		conn, err := pgx.Connect(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(t.Context())
		if _, err := conn.Exec(t.Context(), "ALTER TABLE tokens RENAME TO tokens_gone"); err != nil {
			t.Fatal(err)
		}
		if r := h.introspect("at_some.token", "im-gateway", rsSecret); active(r) || r.status != 200 {
			t.Fatalf("got %d %s, want 200 inactive", r.status, r.raw)
		}
		if _, results := obs.take(); !slices.Equal(results, []string{oauth.IntrospectionError}) {
			t.Fatalf("results %v, want [error]", results)
		}
	})
}
