package consent_test

import (
	"testing"

	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/provider/internal/routetest"
	"github.com/tokenim/tokenim-auth/provider/session"
)

// TestDocListsRoutes checks the routes doc.go lists against those Mount
// registers, both ways.
func TestDocListsRoutes(t *testing.T) {
	t.Parallel()
	sessions, err := session.New(session.Config{Issuer: "http://127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	routetest.Check(t, consent.New(consent.Config{Sessions: sessions}).Mount)
}
