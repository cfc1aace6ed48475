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
	// now is the time of the request: secrets expired then are left out.
	now time.Time
}

var (
	_ fosite.Client                   = (*client)(nil)
	_ fosite.OpenIDConnectClient      = (*client)(nil)
	_ fosite.ClientWithSecretRotation = (*client)(nil)
	_ fosite.ResponseModeClient       = (*client)(nil)
)

func newClient(c storage.Client, now time.Time) *client {
	return &client{Client: c, now: now}
}

// live reports whether secret s still works at the time of the request.
func (c *client) live(s storage.ClientSecret) bool {
	return s.ExpiresAt.IsZero() || s.ExpiresAt.After(c.now)
}

func (c *client) GetID() string { return c.ID }

// GetHashedSecret returns the newest live secret's hash; older live
// secrets are offered through GetRotatedHashes.
func (c *client) GetHashedSecret() []byte {
	for i := len(c.Secrets) - 1; i >= 0; i-- {
		if c.live(c.Secrets[i]) {
			return c.Secrets[i].Hash
		}
	}
	return nil
}

func (c *client) GetRotatedHashes() [][]byte {
	var older [][]byte
	newest := true
	for i := len(c.Secrets) - 1; i >= 0; i-- {
		if !c.live(c.Secrets[i]) {
			continue
		}
		if newest {
			newest = false
			continue
		}
		older = append([][]byte{c.Secrets[i].Hash}, older...)
	}
	return older
}

func (c *client) GetRedirectURIs() []string { return c.RedirectURIs }

func (c *client) GetGrantTypes() fosite.Arguments { return c.GrantTypes }

// GetResponseTypes is always "code": OAuth 2.1 has no implicit grant.
func (c *client) GetResponseTypes() fosite.Arguments { return fosite.Arguments{"code"} }

// GetResponseModes are query, the default, and form_post (OAuth 2.0 Form
// Post Response Mode), as discovery says (response_modes_supported); both
// carry iss (RFC 9207). fosite refuses any other response_mode as
// unsupported_response_mode, which goes back in the query.
func (c *client) GetResponseModes() []fosite.ResponseModeType {
	return []fosite.ResponseModeType{fosite.ResponseModeQuery, fosite.ResponseModeFormPost}
}

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
