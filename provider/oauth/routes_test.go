package oauth_test

import (
	"testing"

	"github.com/tokenim/tokenim-auth/provider/cors"
	"github.com/tokenim/tokenim-auth/provider/internal/routetest"
	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// TestDocListsRoutes checks the routes doc.go lists against those Mount
// registers with CORS configured, both ways.
func TestDocListsRoutes(t *testing.T) {
	t.Parallel()
	store := memory.New()
	h := newHarness(t, store, func(c *oauth.Config) {
		c.CORS = cors.New(cors.Config{Clients: store, Issuer: c.Issuer})
	})
	routetest.Check(t, h.p.Mount)
}
