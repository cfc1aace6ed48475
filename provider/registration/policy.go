package registration

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/clientrules"
	"github.com/tokenim/tokenim-auth/storage"
)

// Policy is what may register itself, from the configuration's
// registration block.
type Policy struct {
	// Open lets a client register without an initial access token.
	Open bool
	// GrantTypes are the grant types a client may register.
	GrantTypes []string
	// AuthMethods are the token endpoint authentication methods a client
	// may register.
	AuthMethods []string
	// Scopes are the scopes a client gets at once; any other scope of
	// Catalogue it asks for waits for an administrator's approval
	// (storage.Client.RequestedScopes).
	Scopes []string
	// Catalogue is every scope a client may ask for: the scope catalogue
	// without the admin scope.
	Catalogue []string
	// Dev allows http URIs on any host (clientrules.Options.Dev).
	Dev bool
	// DPoPOff says the provider takes no DPoP proofs: a client asking for
	// dpop_bound_access_tokens is refused (clientrules.Options.DPoPOff).
	DPoPOff bool
}

// build checks m against the policy and the rules of every client and
// returns the client to store as id, without secrets or registration
// token, registered (or updated) at now. approved are the scopes an
// administrator approved already (an update keeps them); a scope asked
// that is neither in Scopes nor approved is requested. The first problem
// found is the refusal, naming its field.
func (p Policy) build(m Metadata, id string, approved []string, now time.Time) (storage.Client, *Error) {
	if m.JWKS {
		return storage.Client{}, metadataError("jwks", "not supported: publish the keys at jwks_uri")
	}
	grants := m.GrantTypes
	if len(grants) == 0 {
		grants = []string{clientrules.GrantAuthorizationCode} // RFC 7591 section 2
	}
	for _, g := range grants {
		if !slices.Contains(p.GrantTypes, g) {
			return storage.Client{}, metadataError("grant_types", fmt.Sprintf("%q is not open to self-registered clients (open: %s)", g, strings.Join(p.GrantTypes, ", ")))
		}
	}
	method := m.TokenEndpointAuthMethod
	if method == "" {
		method = clientrules.AuthClientSecretBasic // RFC 7591 section 2
	}
	if !slices.Contains(p.AuthMethods, method) {
		return storage.Client{}, metadataError("token_endpoint_auth_method", fmt.Sprintf("%q is not open to self-registered clients (open: %s)", method, strings.Join(p.AuthMethods, ", ")))
	}
	if err := checkResponseTypes(m.ResponseTypes, grants); err != nil {
		return storage.Client{}, err
	}
	scopes, requested, err := p.scopes(m.Scope, approved)
	if err != nil {
		return storage.Client{}, err
	}
	typ := clientrules.TypeConfidential
	if method == clientrules.AuthNone {
		typ = clientrules.TypePublic
	}
	name := strings.TrimSpace(m.ClientName)
	if name == "" {
		name = defaultName(m.ClientURI, id)
	}
	c := clientrules.Client{
		ID: id, Name: name, Type: typ, RedirectURIs: m.RedirectURIs, PostLogoutRedirectURIs: m.PostLogoutRedirectURIs,
		Scopes: append(slices.Clone(scopes), requested...), GrantTypes: grants, TokenEndpointAuthMethod: method,
		JWKSURI: m.JWKSURI, TokenEndpointAuthSigningAlg: m.TokenEndpointAuthSigningAlg, IDTokenSignedResponseAlg: m.IDTokenSignedResponseAlg,
		DPoPBoundAccessTokens: m.DPoPBoundAccessTokens, IntrospectionSignedResponseAlg: m.IntrospectionSignedResponseAlg,
		IntrospectionEncryptedResponseAlg: m.IntrospectionEncryptedResponseAlg, IntrospectionEncryptedResponseEnc: m.IntrospectionEncryptedResponseEnc,
	}
	problems := clientrules.Check(c, clientrules.Options{Dev: p.Dev, Scopes: p.Catalogue, DPoPOff: p.DPoPOff})
	problems = append(problems, clientrules.CheckSelfRegistered(c, clientrules.Published{
		ClientURI: m.ClientURI, LogoURI: m.LogoURI, PolicyURI: m.PolicyURI, TOSURI: m.TOSURI}, p.Dev)...)
	if len(problems) > 0 {
		return storage.Client{}, refusal(problems[0])
	}
	rec := c.Record(now)
	rec.Scopes, rec.RequestedScopes = scopes, requested
	rec.LogoURI = m.LogoURI
	rec.Registration = storage.ClientRegistration{
		At: now, ClientURI: m.ClientURI, PolicyURI: m.PolicyURI, TOSURI: m.TOSURI,
		Contacts: m.Contacts, SoftwareID: m.SoftwareID, SoftwareVersion: m.SoftwareVersion,
	}
	return rec, nil
}

// checkResponseTypes checks response_types against grant_types (RFC 7591
// section 2.1): the provider's only response type is code, which goes
// with the authorization_code grant.
func checkResponseTypes(types, grants []string) *Error {
	for _, t := range types {
		if t != "code" {
			return metadataError("response_types", fmt.Sprintf("%q is not supported: only code", t))
		}
	}
	if len(types) > 0 && !slices.Contains(grants, clientrules.GrantAuthorizationCode) {
		return metadataError("response_types", "code needs the authorization_code grant type")
	}
	return nil
}

// scopes splits the scope asked (space-separated, RFC 7591 section 2)
// into the scopes granted at once (the policy's, and those approved
// already) and those waiting for approval. An empty scope asks for the
// policy's scopes of the catalogue.
func (p Policy) scopes(asked string, approved []string) (scopes, requested []string, err *Error) {
	list := strings.Fields(asked)
	if len(list) == 0 {
		for _, s := range p.Scopes {
			if slices.Contains(p.Catalogue, s) {
				list = append(list, s)
			}
		}
	}
	for _, s := range list {
		switch {
		case !slices.Contains(p.Catalogue, s):
			return nil, nil, metadataError("scope", fmt.Sprintf("%q is not a scope of this provider", s))
		case slices.Contains(scopes, s) || slices.Contains(requested, s):
		case slices.Contains(p.Scopes, s) || slices.Contains(approved, s):
			scopes = append(scopes, s)
		default:
			requested = append(requested, s)
		}
	}
	return scopes, requested, nil
}

// defaultName names a client that gave no client_name: the host of its
// client_uri, else its ID.
func defaultName(clientURI, id string) string {
	if u, err := url.Parse(clientURI); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return id
}

// refusal is the answer to a problem of clientrules, naming the field as
// RFC 7591 does.
func refusal(p clientrules.Problem) *Error {
	field := map[string]string{"scopes": "scope", "name": "client_name"}[p.Field]
	if field == "" {
		field = p.Field
	}
	path := field
	if p.Index >= 0 {
		path = fmt.Sprintf("%s[%d]", field, p.Index)
	}
	return fieldError(path, p.Message)
}
