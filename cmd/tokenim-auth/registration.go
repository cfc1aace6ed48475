package main

import (
	"log/slog"
	"strings"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/admin"
	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/registration"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// registrationEndpoint is the registration_endpoint the provider's
// metadata advertises: empty while dynamic client registration is off.
func registrationEndpoint(cfg config.Config) string {
	if !cfg.Registration.Enabled {
		return ""
	}
	return strings.TrimSuffix(cfg.Issuer, "/") + registration.Path
}

// newRegistration builds dynamic client registration as the
// configuration's registration block says: the endpoint, and the initial
// access token service the admin API and the console issue tokens with.
// Both are nil while registration is off. Its clients' secrets are
// hashed as every client's (hasher); its tokens under the system secret's
// registration key.
func newRegistration(cfg config.Config, store storage.Store, ring secret.Keyring, hasher secret.Hasher, records *audit.Recorder,
	logger *slog.Logger) (*registration.Handler, admin.RegistrationTokens) {
	if !cfg.Registration.Enabled {
		return nil, nil
	}
	tokens := newRegistrationTokens(store, ring, records)
	r := cfg.Registration
	h := registration.New(registration.Config{
		Store: store, Tokens: tokens, Issuer: cfg.Issuer,
		Policy: registration.Policy{Open: r.Open, GrantTypes: r.GrantTypes, AuthMethods: r.AuthMethods, Scopes: r.Scopes,
			Catalogue: appScopes(cfg), Dev: cfg.Dev, DPoPOff: !cfg.DPoP.Enabled},
		ClientSecrets: hasher, APIKeys: apikey.Policy{Lifetime: cfg.APIKeys.Lifetime, Grace: cfg.APIKeys.Grace},
		AccessTokens: secret.NewHasherFor(ring, registration.Purpose), Audit: records, Logger: logger,
	})
	return h, tokens
}
