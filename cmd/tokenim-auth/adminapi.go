package main

import (
	"errors"
	"time"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/admin"
	"github.com/tokenim/tokenim-auth/storage"
)

// checkApp checks an app an administrator registers through the admin API
// as a configured client, by the rules and in the mode of cfg, and returns
// it as it is stored, without a secret (the API makes it).
func checkApp(cfg config.Config) func(admin.AppSpec) (storage.Client, error) {
	return func(s admin.AppSpec) (storage.Client, error) {
		window, problem := config.ParseReuseWindow(s.RefreshTokenReuseWindow)
		if problem != "" {
			return storage.Client{}, errors.New("refresh_token_reuse_window: " + problem)
		}
		c := config.Client{
			ID: s.ClientID, Name: s.Name, Type: s.Type, RedirectURIs: s.RedirectURIs, PostLogoutRedirectURIs: s.PostLogoutRedirectURIs,
			Scopes: s.Scopes, GrantTypes: s.GrantTypes, TokenEndpointAuthMethod: s.TokenEndpointAuthMethod, JWKSURI: s.JWKSURI,
			TokenEndpointAuthSigningAlg: s.TokenEndpointAuthSigningAlg, IDTokenSignedResponseAlg: s.IDTokenSignedResponseAlg,
			SkipConsent: s.SkipConsent, RequirePushedAuthorizationRequests: s.RequirePAR, AccessTokenFormat: s.AccessTokenFormat,
			RefreshTokenReuseWindow: window, AllowedOrigins: s.AllowedOrigins,
			BackchannelLogoutURI: s.BackchannelLogoutURI, BackchannelLogoutSessionRequired: s.BackchannelLogoutSessionRequired,
		}
		if err := cfg.CheckClient(c); err != nil {
			return storage.Client{}, err
		}
		return c.Record(time.Time{}), nil
	}
}
