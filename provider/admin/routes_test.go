package admin

import (
	"testing"

	"github.com/tokenim/tokenim-auth/provider/internal/routetest"
)

// TestDocListsRoutes checks the routes doc.go lists against those the
// API's and the console's Mount register, both ways.
func TestDocListsRoutes(t *testing.T) {
	t.Parallel()
	api := New(Config{})
	console := NewConsole(api, ConsoleConfig{Sessions: routetest.Sessions(t)})
	routetest.Check(t, func(m routetest.Mux) {
		api.Mount(m)
		console.Mount(m)
	})
}
