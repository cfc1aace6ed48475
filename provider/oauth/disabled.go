package oauth

import (
	"fmt"

	"github.com/tokenim/tokenim-auth/storage"
)

// usable refuses an app an administrator disabled (storage.Client.Disabled)
// as if it did not exist: fosite then answers invalid_client at the token
// endpoint, /oauth2/auth shows the unknown-app error page, and the tokens
// issued to it, whose requests are rebuilt with their client, are no
// longer active at introspection or for the APIs.
func usable(c storage.Client) error {
	if c.Disabled {
		return fmt.Errorf("client %s is disabled: %w", c.ID, storage.ErrNotFound)
	}
	return nil
}
