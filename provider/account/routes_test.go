package account_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/account"
	"github.com/tokenim/tokenim-auth/provider/internal/routetest"
	"github.com/tokenim/tokenim-auth/provider/passkey"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// TestDocListsRoutes checks the routes doc.go lists against those Mount
// registers, both ways.
func TestDocListsRoutes(t *testing.T) {
	t.Parallel()
	// With passkeys and linking on, every route is mounted.
	routetest.Check(t, account.New(account.Config{Sessions: routetest.Sessions(t), Passkeys: (*passkey.Ceremonies)(nil), Upstreams: noUpstreams{}}).Mount)
}

// noUpstreams turns linking on with no connector to link.
type noUpstreams struct{}

func (noUpstreams) Linkable(context.Context) []web.UpstreamButton { return nil }

func (noUpstreams) StartLink(w http.ResponseWriter, _ *http.Request, _ string, _ storage.User) {
	w.WriteHeader(http.StatusNotFound)
}
