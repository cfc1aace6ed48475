package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/tokenim/tokenim-auth/storage"
)

// ErrNotResourceServer is returned by ResourceServer for a client that
// authenticated but is not a resource server.
var ErrNotResourceServer = errors.New("oauth: the client is not a resource server")

// ErrClientAuthentication is returned by ResourceServer when the client
// could not be authenticated.
var ErrClientAuthentication = errors.New("oauth: client authentication failed")

// ResourceServer authenticates the client of r as the introspection
// endpoint does (its registered method, normally HTTP Basic with its
// secret) and returns its ID when it is a resource server, for endpoints
// only resource servers may use.
func (p *Provider) ResourceServer(ctx context.Context, r *http.Request) (string, error) {
	if err := r.ParseForm(); err != nil {
		return "", fmt.Errorf("%w: %w", ErrClientAuthentication, err)
	}
	c, err := p.fosite.AuthenticateClient(ctx, r, r.Form)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrClientAuthentication, err)
	}
	if cl, ok := c.(*client); !ok || cl.Type != storage.ClientResourceServer {
		return c.GetID(), ErrNotResourceServer
	}
	return c.GetID(), nil
}
