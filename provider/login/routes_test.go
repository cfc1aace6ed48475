package login_test

import (
	"testing"

	"github.com/tokenim/tokenim-auth/provider/internal/routetest"
	"github.com/tokenim/tokenim-auth/provider/login"
	"github.com/tokenim/tokenim-auth/provider/passkey"
)

// TestDocListsRoutes checks the routes doc.go lists against those Mount
// registers, both ways.
func TestDocListsRoutes(t *testing.T) {
	t.Parallel()
	// With passkeys on and an upstream, every route is mounted.
	routetest.Check(t, login.New(login.Config{Sessions: routetest.Sessions(t), Passkeys: (*passkey.Ceremonies)(nil), Upstreams: login.UpstreamList{{ID: "corp"}}}).Mount)
}
