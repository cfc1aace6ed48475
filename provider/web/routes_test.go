package web

import (
	"testing"

	"github.com/tokenim/tokenim-auth/provider/internal/routetest"
)

// TestDocListsRoutes checks the routes doc.go lists against those Mount
// registers, both ways.
func TestDocListsRoutes(t *testing.T) {
	t.Parallel()
	routetest.Check(t, newTestRenderer(t).Mount)
}
