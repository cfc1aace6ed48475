package oidc

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// Finish exchanges the code (with the sign-in's PKCE verifier), verifies
// the ID token and its nonce, reads userinfo when configured, and maps
// the claims to an Identity. Any token problem is upstream.ErrRefused;
// the upstream not answering its protocol is upstream.ErrUnavailable.
func (c *Connector) Finish(ctx context.Context, code, pkceVerifier, nonce string) (upstream.Identity, error) {
	if code == "" || pkceVerifier == "" || nonce == "" {
		return upstream.Identity{}, fmt.Errorf("%w: connector %q: missing code, verifier or nonce", upstream.ErrRefused, c.cfg.ID)
	}
	d, err := c.discover(ctx)
	if err != nil {
		return upstream.Identity{}, err
	}
	oc := d.oauth
	if c.cfg.Apple != nil {
		secret, err := c.cfg.Apple.clientSecret(c.cfg.ClientID, c.now())
		if err != nil {
			return upstream.Identity{}, fmt.Errorf("oidc: connector %q: %w", c.cfg.ID, err)
		}
		oc.ClientSecret = secret
	}
	tok, err := oc.Exchange(context.WithValue(ctx, oauth2.HTTPClient, c.client), code, oauth2.VerifierOption(pkceVerifier))
	if err != nil {
		return upstream.Identity{}, c.classify("token exchange", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return upstream.Identity{}, fmt.Errorf("%w: connector %q: the token response has no ID token", upstream.ErrRefused, c.cfg.ID)
	}
	idt, claims, err := c.verify(ctx, d, raw, nonce)
	if err != nil {
		return upstream.Identity{}, err
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return upstream.Identity{}, fmt.Errorf("%w: connector %q: %w", upstream.ErrRefused, c.cfg.ID, err)
		}
	}
	if c.cfg.UserInfo && d.provider.UserInfoEndpoint() != "" {
		ui, err := d.provider.UserInfo(gooidc.ClientContext(ctx, c.client), oauth2.StaticTokenSource(tok))
		if err != nil {
			return upstream.Identity{}, c.classify("userinfo", err)
		}
		if subtle.ConstantTimeCompare([]byte(ui.Subject), []byte(idt.Subject)) != 1 {
			return upstream.Identity{}, fmt.Errorf("%w: connector %q: userinfo names subject %q, the ID token %q", upstream.ErrRefused, c.cfg.ID, upstream.Clip(ui.Subject), upstream.Clip(idt.Subject))
		}
		var more map[string]any
		if err := ui.Claims(&more); err != nil {
			return upstream.Identity{}, fmt.Errorf("%w: connector %q: userinfo: %w", upstream.ErrUnavailable, c.cfg.ID, err)
		}
		for k, v := range more {
			if _, protocol := protocolClaims[k]; !protocol {
				claims[k] = v
			}
		}
	}
	id, err := mapClaims(c.cfg.Claims, c.cfg.Preset, claims)
	if err != nil {
		return upstream.Identity{}, fmt.Errorf("%w: connector %q: %w", upstream.ErrRefused, c.cfg.ID, err)
	}
	id.Connector, id.IDToken = c.cfg.ID, raw
	return id, nil
}

// protocolClaims are the ID token's own: userinfo never overrides them.
var protocolClaims = map[string]struct{}{"sub": {}, "iss": {}, "aud": {}, "azp": {}, "exp": {}, "iat": {}, "nbf": {}, "nonce": {}, "tid": {}, "amr": {}}

// verify checks the ID token (go-oidc: signature, issuer, audience,
// expiry, algorithm), its nonce, azp, and a multi-tenant issuer, and
// returns its claims.
func (c *Connector) verify(ctx context.Context, d *discovered, raw, nonce string) (*gooidc.IDToken, map[string]any, error) {
	idt, err := d.verifier.Verify(gooidc.ClientContext(ctx, c.client), raw)
	if err != nil {
		return nil, nil, c.classify("ID token", err)
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, nil, fmt.Errorf("%w: connector %q: the ID token's nonce is not this sign-in's", upstream.ErrRefused, c.cfg.ID)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, nil, fmt.Errorf("%w: connector %q: ID token claims: %w", upstream.ErrRefused, c.cfg.ID, err)
	}
	if err := c.checkAudienceAndTenant(idt, claims); err != nil {
		return nil, nil, fmt.Errorf("%w: connector %q: %w", upstream.ErrRefused, c.cfg.ID, err)
	}
	return idt, claims, nil
}

// checkAudienceAndTenant completes go-oidc's checks of a token (an ID
// token, a logout token): with several audiences, or an azp, azp must be
// this client; a multi-tenant connector's token must come from its own
// tenant's issuer, and that tenant be allowed (checkTenant).
func (c *Connector) checkAudienceAndTenant(idt *gooidc.IDToken, claims map[string]any) error {
	azp, _ := claims["azp"].(string)
	if (len(idt.Audience) > 1 || azp != "") && azp != c.cfg.ClientID {
		return fmt.Errorf("the token's azp %q is not this client", upstream.Clip(azp))
	}
	if c.template != "" {
		return checkTenant(c.template, c.cfg.Tenants, idt.Issuer, claims)
	}
	return nil
}

// classify wraps an error from talking to the upstream: an answer the
// upstream refused (4xx from the token endpoint, a bad token) is
// ErrRefused; no answer, a 5xx, a timeout, or signing keys that could
// not be fetched is ErrUnavailable.
func (c *Connector) classify(step string, err error) error {
	kind := upstream.ErrRefused
	var re *oauth2.RetrieveError
	var ue *url.Error
	var ne net.Error
	switch {
	case errors.As(err, &re):
		if re.Response == nil || re.Response.StatusCode >= 500 {
			kind = upstream.ErrUnavailable
		}
	case errors.As(err, &ue), errors.As(err, &ne), errors.Is(err, context.DeadlineExceeded), keysUnreachable(err):
		kind = upstream.ErrUnavailable
	}
	return fmt.Errorf("%w: connector %q: %s: %w", kind, c.cfg.ID, step, err)
}

// keysUnreachable reports whether a token verification failed because
// the upstream's keys (its jwks_uri) could not be fetched, rather than
// because of the token. go-oidc says so only in the message of the error
// it returns (it formats the cause with %v, so no type survives):
// "failed to verify signature: fetching keys ...". The tests pin it: an
// upstream that is down while a token is verified is ErrUnavailable.
func keysUnreachable(err error) bool {
	return strings.Contains(err.Error(), "failed to verify signature: fetching keys")
}
