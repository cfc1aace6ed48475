package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/login"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc"
	"github.com/tokenim/tokenim-auth/storage"
)

// withUpstreamSecrets returns cfg with each configured connector's secret
// read (from the YAML, its file or its environment variable, looked up
// with lookupEnv) into the plain field, so that building the connectors
// needs no environment. A disabled connector's is left unread.
func withUpstreamSecrets(cfg config.Config, lookupEnv func(string) (string, bool)) (config.Config, error) {
	ups := slices.Clone(cfg.Upstreams)
	for i, u := range ups {
		if u.Disabled {
			continue
		}
		s, err := u.Secret(lookupEnv)
		if err != nil {
			return cfg, err
		}
		if u.Kind == storage.ConnectorLDAP {
			ups[i].BindPassword, ups[i].BindPasswordFile, ups[i].BindPasswordEnv = s, "", ""
		} else {
			ups[i].ClientSecret, ups[i].ClientSecretFile, ups[i].ClientSecretEnv = s, "", ""
		}
	}
	cfg.Upstreams = ups
	return cfg, nil
}

// loginUpstreams builds the sign-in page's upstream identity providers:
// the enabled OpenID Connect connectors of cfg.Upstreams, in their order.
// Other kinds, Sign in with Apple (its answer is a cross-site form post)
// and the connectors stored from the console are not served yet: they
// are logged and left out.
func loginUpstreams(ctx context.Context, cfg config.Config, logger *slog.Logger) ([]login.Upstream, error) {
	var out []login.Upstream
	for _, u := range cfg.Upstreams {
		if u.Disabled {
			continue
		}
		if u.Kind != storage.ConnectorOIDC || u.Preset == string(oidc.Apple) {
			logger.WarnContext(ctx, "upstream connector not offered: this kind is not served yet", "connector", u.ID, "kind", u.Kind, "preset", u.Preset)
			continue
		}
		c, err := oidc.New(oidc.Config{
			ID: u.ID, Issuer: u.Issuer, Preset: oidc.Preset(u.Preset), Tenant: u.Tenant,
			ClientID: u.ClientID, ClientSecret: u.ClientSecret, RedirectURL: cfg.RedirectURL(u.ID), Scopes: u.Scopes,
			Logger: logger,
		})
		if err != nil {
			return nil, fmt.Errorf("upstreams: %w", err)
		}
		out = append(out, login.Upstream{ID: u.ID, Name: u.Name, NameZH: u.NameZH, JIT: u.JIT, DefaultRole: u.DefaultRole, Connector: c})
	}
	return out, nil
}
