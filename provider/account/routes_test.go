package account_test

import (
	"testing"

	"github.com/tokenim/tokenim-auth/provider/account"
	"github.com/tokenim/tokenim-auth/provider/internal/routetest"
	"github.com/tokenim/tokenim-auth/provider/passkey"
)

// TestDocListsRoutes checks the routes doc.go lists against those Mount
// registers, both ways.
func TestDocListsRoutes(t *testing.T) {
	t.Parallel()
	// With passkeys on, every route is mounted.
	routetest.Check(t, account.New(account.Config{Sessions: routetest.Sessions(t), Passkeys: (*passkey.Ceremonies)(nil)}).Mount)
}
