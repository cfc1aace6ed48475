package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/clientrules"
)

// Registration configures dynamic client registration (RFC 7591, RFC
// 7592): bots, integrations and agents registering themselves as clients
// at <issuer>/oauth2/register, advertised as registration_endpoint.
type Registration struct {
	// Enabled serves the registration endpoint; off by default.
	Enabled bool `yaml:"enabled"`
	// Open lets anyone register a client without an initial access token
	// (issued by administrators from the console, the admin API or
	// "tokenim-auth clients registration-token create"); off by default.
	Open bool `yaml:"open"`
	// GrantTypes are the grant types a client may register.
	GrantTypes []string `yaml:"grant_types"`
	// AuthMethods are the token endpoint authentication methods a client
	// may register.
	AuthMethods []string `yaml:"token_endpoint_auth_methods"`
	// Scopes are the scopes a self-registered client gets at once; any
	// other scope of the catalogue it asks for waits for an
	// administrator's approval, as a portal service's does.
	Scopes []string `yaml:"scopes"`
}

func defaultRegistration() Registration {
	return Registration{
		GrantTypes:  []string{clientrules.GrantAuthorizationCode, clientrules.GrantRefreshToken},
		AuthMethods: []string{clientrules.AuthNone, clientrules.AuthClientSecretBasic, clientrules.AuthPrivateKeyJWT},
		Scopes:      []string{"openid", "profile", "email", "offline_access"},
	}
}

func (c Config) validateRegistration(p *problems) {
	r := c.Registration
	if r.Open && !r.Enabled {
		p.add("registration.open", "needs registration.enabled")
	}
	grants := []string{clientrules.GrantAuthorizationCode, clientrules.GrantRefreshToken, clientrules.GrantClientCredentials, clientrules.GrantDeviceCode}
	if r.Enabled && len(r.GrantTypes) == 0 {
		p.add("registration.grant_types", "must name at least one grant type")
	}
	for i, g := range r.GrantTypes {
		if !slices.Contains(grants, g) {
			p.add(fmt.Sprintf("registration.grant_types[%d]", i), "must be one of %s, got %q", strings.Join(grants, ", "), g)
		}
	}
	methods := []string{clientrules.AuthNone, clientrules.AuthClientSecretBasic, clientrules.AuthClientSecretPost, clientrules.AuthPrivateKeyJWT}
	if r.Enabled && len(r.AuthMethods) == 0 {
		p.add("registration.token_endpoint_auth_methods", "must name at least one method")
	}
	for i, m := range r.AuthMethods {
		if !slices.Contains(methods, m) {
			p.add(fmt.Sprintf("registration.token_endpoint_auth_methods[%d]", i), "must be one of %s, got %q", strings.Join(methods, ", "), m)
		}
	}
	for i, s := range r.Scopes {
		switch {
		case s == ScopeAdmin:
			p.add(fmt.Sprintf("registration.scopes[%d]", i), "the admin scope is never given to a self-registered client")
		case !slices.ContainsFunc(c.Scopes, func(sc Scope) bool { return sc.Name == s }):
			p.add(fmt.Sprintf("registration.scopes[%d]", i), "%q is not in the scope catalogue", s)
		}
	}
}
