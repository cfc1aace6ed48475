package admin

import (
	"context"
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
)

// addOpsBot registers the platform-wide admin client the tests' tokens
// are issued to ("ops-bot"), as the API looks its caller up.
func addOpsBot(t *testing.T, store interface {
	CreateClient(ctx context.Context, c storage.Client) error
}) {
	t.Helper()
	if err := store.CreateClient(t.Context(), storage.Client{ID: "ops-bot", Name: "Ops", Type: storage.ClientConfidential,
		TokenEndpointAuthMethod: "client_secret_basic", GrantTypes: []string{"client_credentials"}, Scopes: []string{"admin"}}); err != nil {
		t.Fatal(err)
	}
}
