package consent_test

import (
	"testing"

	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/provider/internal/routetest"
)

// TestDocListsRoutes checks the routes doc.go lists against those Mount
// registers, both ways.
func TestDocListsRoutes(t *testing.T) {
	t.Parallel()
	routetest.Check(t, consent.New(consent.Config{Sessions: routetest.Sessions(t)}).Mount)
}
