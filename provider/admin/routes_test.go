package admin

import (
	"testing"

	"github.com/tokenim/tokenim-auth/provider/internal/routetest"
	"github.com/tokenim/tokenim-auth/provider/session"
)

// TestDocListsRoutes checks the routes doc.go lists against those the
// API's and the console's Mount register, both ways.
func TestDocListsRoutes(t *testing.T) {
	t.Parallel()
	sessions, err := session.New(session.Config{Issuer: "http://127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	api := New(Config{})
	console := NewConsole(api, ConsoleConfig{Sessions: sessions})
	routetest.Check(t, func(m routetest.Mux) {
		api.Mount(m)
		console.Mount(m)
	})
}
