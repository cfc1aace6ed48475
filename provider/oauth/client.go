package oauth

import (
	"time"

	jose "github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"

	"github.com/tokenim/tokenim-auth/storage"
)

// client adapts a stored client to fosite's client interfaces. Secrets
// expired at the time of the request are left out, so they fail to
// authenticate.
type client struct {
	storage.Client
	hashes [][]byte
}

var (
	_ fosite.Client                   = (*client)(nil)
	_ fosite.OpenIDConnectClient      = (*client)(nil)
	_ fosite.ClientWithSecretRotation = (*client)(nil)
)

func newClient(c storage.Client, now time.Time) *client {
	fc := &client{Client: c}
	for _, s := range c.Secrets {
		if s.ExpiresAt.IsZero() || s.ExpiresAt.After(now) {
			fc.hashes = append(fc.hashes, s.Hash)
		}
	}
	return fc
}

func (c *client) GetID() string { return c.ID }

// GetHashedSecret returns the newest live secret's hash; older live
// secrets are offered through GetRotatedHashes.
func (c *client) GetHashedSecret() []byte {
	if len(c.hashes) == 0 {
		return nil
	}
	return c.hashes[len(c.hashes)-1]
}

func (c *client) GetRotatedHashes() [][]byte {
	if len(c.hashes) < 2 {
		return nil
	}
	return c.hashes[:len(c.hashes)-1]
}

func (c *client) GetRedirectURIs() []string { return c.RedirectURIs }

func (c *client) GetGrantTypes() fosite.Arguments { return c.GrantTypes }

// GetResponseTypes is always "code": OAuth 2.1 has no implicit grant.
func (c *client) GetResponseTypes() fosite.Arguments { return fosite.Arguments{"code"} }

func (c *client) GetScopes() fosite.Arguments { return c.Scopes }

func (c *client) IsPublic() bool { return c.Type == storage.ClientPublic }

func (c *client) GetAudience() fosite.Arguments { return c.Audience }

func (c *client) GetRequestURIs() []string { return nil }

func (c *client) GetJSONWebKeys() *jose.JSONWebKeySet { return nil }

func (c *client) GetJSONWebKeysURI() string { return c.JWKSURI }

func (c *client) GetRequestObjectSigningAlgorithm() string { return "" }

func (c *client) GetTokenEndpointAuthMethod() string { return c.TokenEndpointAuthMethod }

// GetTokenEndpointAuthSigningAlgorithm is the algorithm a private_key_jwt
// client signs its assertions with: RS256 unless it registered another.
func (c *client) GetTokenEndpointAuthSigningAlgorithm() string { return c.AssertionAlg() }
