package oidc

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Preset adapts the connector to a provider with known quirks.
type Preset string

const (
	// Generic: any OpenID Provider, from its issuer's discovery document.
	Generic Preset = ""
	// Google: issuer https://accounts.google.com.
	// https://developers.google.com/identity/openid-connect/openid-connect#discovery
	Google Preset = "google"
	// Entra: Microsoft Entra ID, issuer
	// https://login.microsoftonline.com/{tenant}/v2.0. With Tenant common,
	// organizations or consumers the metadata's issuer is the template
	// https://login.microsoftonline.com/{tenantid}/v2.0 and each token's
	// iss is checked against its tid claim (checkTenant).
	// https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri
	// https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer
	Entra Preset = "entra"
	// Okta: the org authorization server (https://{org}.okta.com) or a
	// custom one (https://{org}.okta.com/oauth2/{id}); Issuer is required.
	// https://developer.okta.com/docs/concepts/auth-servers/
	Okta Preset = "okta"
	// GitLab: https://gitlab.com or a self-hosted instance's URL (Issuer
	// defaults to gitlab.com); groups from groups_direct.
	// https://docs.gitlab.com/integration/openid_connect_provider/
	GitLab Preset = "gitlab"
	// Apple: issuer https://appleid.apple.com, a client secret signed
	// with the team's key (AppleKey), response_mode=form_post when name or
	// email is asked, email_verified sent as a string, no userinfo.
	// https://developer.apple.com/documentation/accountorganizationaldatasharing/creating-a-client-secret
	// https://developer.apple.com/documentation/sign_in_with_apple/request_an_authorization_to_the_sign_in_with_apple_server
	Apple Preset = "apple"
)

const (
	entraBase   = "https://login.microsoftonline.com"
	appleIssuer = "https://appleid.apple.com"
)

func applyPreset(cfg Config) (Config, error) {
	setIssuer := func(v string) {
		if cfg.Issuer == "" {
			cfg.Issuer = v
		}
	}
	switch cfg.Preset {
	case Generic, Okta:
	case Google:
		setIssuer("https://accounts.google.com")
	case GitLab:
		setIssuer("https://gitlab.com")
	case Entra:
		if !validTenantID(strings.ReplaceAll(cfg.Tenant, ".", "-")) {
			return cfg, fmt.Errorf("oidc: connector %q: Entra ID needs a tenant (ID, domain, common or organizations)", cfg.ID)
		}
		setIssuer(entraBase + "/" + cfg.Tenant + "/v2.0")
	case Apple:
		setIssuer(appleIssuer)
		if cfg.Apple == nil {
			return cfg, fmt.Errorf("oidc: connector %q: Sign in with Apple needs the team's key", cfg.ID)
		}
		if err := cfg.Apple.check(); err != nil {
			return cfg, fmt.Errorf("oidc: connector %q: %w", cfg.ID, err)
		}
		// Apple has no userinfo endpoint, and takes the scopes name and
		// email only (profile is refused as invalid).
		cfg.UserInfo = false
		if len(cfg.Scopes) == 0 {
			cfg.Scopes = []string{"name", "email"}
		}
	default:
		return cfg, fmt.Errorf("oidc: connector %q: unknown preset %q", cfg.ID, cfg.Preset)
	}
	if cfg.Preset != Apple && cfg.Apple != nil {
		return cfg, fmt.Errorf("oidc: connector %q: an Apple key needs the Apple preset", cfg.ID)
	}
	return cfg, nil
}

// issuerTemplate is the multi-tenant issuer an Entra connector's
// metadata names, or "" for a single issuer.
func issuerTemplate(cfg Config) string {
	if cfg.Preset != Entra {
		return ""
	}
	switch strings.ToLower(cfg.Tenant) {
	case "common", "organizations", "consumers":
		return strings.Replace(cfg.Issuer, "/"+cfg.Tenant+"/", "/"+tenantPlaceholder+"/", 1)
	}
	return ""
}

// AppleKey is the Sign in with Apple private key (ES256, from the
// developer account) the client secret is signed with.
type AppleKey struct {
	TeamID string
	KeyID  string
	Key    *ecdsa.PrivateKey
	// Lifetime of each client secret; default 5 minutes (Apple allows
	// up to six months: a short one is one fewer long-lived secret).
	Lifetime time.Duration
}

func (k *AppleKey) check() error {
	if k.TeamID == "" || k.KeyID == "" || k.Key == nil {
		return errors.New("the Apple key needs a team ID, a key ID and the private key")
	}
	return nil
}

// clientSecret is the JWT Apple takes as client_secret: ES256 with the
// key's kid, iss the team, sub the client ID (Services ID), aud Apple.
func (k *AppleKey) clientSecret(clientID string, now time.Time) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k.Key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.KeyID))
	if err != nil {
		return "", fmt.Errorf("apple client secret: %w", err)
	}
	life := k.Lifetime
	if life <= 0 {
		life = 5 * time.Minute
	}
	s, err := jwt.Signed(signer).Claims(jwt.Claims{
		Issuer:   k.TeamID,
		Subject:  clientID,
		Audience: jwt.Audience{appleIssuer},
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(life)),
	}).Serialize()
	if err != nil {
		return "", fmt.Errorf("apple client secret: %w", err)
	}
	return s, nil
}
