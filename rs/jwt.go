package rs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// algorithms are the signature algorithms accepted on a JWT access token:
// asymmetric only (RFC 9068 section 4 forbids "none"; a shared secret
// would let any resource server mint tokens).
func algorithms() []jose.SignatureAlgorithm {
	return []jose.SignatureAlgorithm{
		jose.ES256, jose.ES384, jose.ES512, jose.RS256, jose.RS384, jose.RS512,
		jose.PS256, jose.PS384, jose.PS512, jose.EdDSA,
	}
}

// looksLikeJWT says whether raw has the shape of a JWS compact
// serialization: three base64url parts. Opaque tokens of the provider have
// two.
func looksLikeJWT(raw string) bool {
	return strings.Count(raw, ".") == 2
}

// atClaims are the claims of a JWT access token (RFC 9068 section 2.2).
type atClaims struct {
	jwt.Claims
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
	// AuthTime, ACR and AMR describe the user's sign-in (RFC 9068
	// section 2.2.1), absent from a token of no user.
	AuthTime *jwt.NumericDate `json:"auth_time"`
	ACR      string           `json:"acr"`
	AMR      []string         `json:"amr"`
	// OrgID and OrgHandle name the token's workspace.
	OrgID     string `json:"org_id"`
	OrgHandle string `json:"org_handle"`
	// Cnf names the token's DPoP key (RFC 9449 section 6.1).
	Cnf *confirmation `json:"cnf"`
	// Act names who acts for the subject (RFC 8693 section 4.1).
	Act *Actor `json:"act"`
}

// verifyJWT checks a JWT access token (RFC 9068 section 4): its "typ",
// its signature with a key of the provider's JWKS, "iss", "aud", "exp",
// "nbf" and "iat", and the presence of the required claims.
func (v *Verifier) verifyJWT(ctx context.Context, raw string) (Token, error) {
	parsed, err := jwt.ParseSigned(raw, algorithms())
	if err != nil {
		return Token{}, invalid("the access token is not a well-formed signed JWT", err)
	}
	if len(parsed.Headers) != 1 {
		return Token{}, invalid("the access token must have exactly one signature", nil)
	}
	h := parsed.Headers[0]
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); !isATJWT(typ) {
		return Token{}, invalid("the JWT is not an access token: its typ header must be at+jwt", nil)
	}
	key, err := v.keys.lookup(ctx, h.KeyID)
	if err != nil {
		return Token{}, err
	}
	var c atClaims
	var claims map[string]any
	if err := parsed.Claims(key, &c, &claims); err != nil {
		return Token{}, invalid("the access token's signature does not verify", err)
	}
	exp := jwt.Expected{Issuer: v.cfg.Issuer, Time: v.cfg.Now()}
	if v.cfg.Audience != "" {
		exp.AnyAudience = jwt.Audience{v.cfg.Audience}
	}
	switch err := c.ValidateWithLeeway(exp, v.cfg.Leeway); {
	case errors.Is(err, jwt.ErrExpired):
		return Token{}, invalid("the access token expired", err)
	case errors.Is(err, jwt.ErrNotValidYet), errors.Is(err, jwt.ErrIssuedInTheFuture):
		return Token{}, invalid("the access token is not valid yet", err)
	case errors.Is(err, jwt.ErrInvalidIssuer):
		return Token{}, invalid("the access token was issued by another authorization server", err)
	case errors.Is(err, jwt.ErrInvalidAudience):
		return Token{}, invalid("the access token is not meant for this resource server", err)
	case err != nil:
		return Token{}, invalid("the access token's claims are not valid", err)
	}
	var missing []string
	for _, m := range []struct {
		name    string
		present bool
	}{
		{"exp", c.Expiry != nil}, {"iat", c.IssuedAt != nil}, {"aud", len(c.Audience) > 0},
		{"sub", c.Subject != ""}, {"client_id", c.ClientID != ""}, {"jti", c.ID != ""},
	} {
		if !m.present {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		return Token{}, invalid("the access token lacks required claims: "+strings.Join(missing, ", "), nil)
	}
	tok := Token{
		Subject:  c.Subject,
		ClientID: c.ClientID,
		Scopes:   strings.Fields(c.Scope),
		Audience: c.Audience,
		Expiry:   c.Expiry.Time(),
		IssuedAt: c.IssuedAt.Time(),
		ID:       c.ID,
		ACR:      c.ACR,
		AMR:      c.AMR,
		Format:   FormatJWT,

		WorkspaceID:     c.OrgID,
		WorkspaceHandle: c.OrgHandle,
		JKT:             c.Cnf.jkt(),
		Actor:           c.Act,
		Claims:          claims,
	}
	if c.AuthTime != nil {
		tok.AuthTime = c.AuthTime.Time()
	}
	return tok, nil
}

// isATJWT says whether typ names a JWT access token (RFC 9068 section
// 2.1; media types compare case-insensitively).
func isATJWT(typ string) bool {
	return strings.EqualFold(typ, "at+jwt") || strings.EqualFold(typ, "application/at+jwt")
}

// keySet is the provider's JWKS, fetched on first use and again when a
// token names a key id it lacks, at most once per JWKSRefreshInterval.
type keySet struct {
	v *Verifier
	// mu is held while fetching, so concurrent requests wait for one
	// fetch instead of each making their own.
	mu      sync.Mutex
	jwksURL string
	keys    jose.JSONWebKeySet
	fetched bool
	// tried is when the JWKS was last fetched, successfully or not.
	tried time.Time
	// failed is the last fetch's error, nil once one succeeds.
	failed error
}

// retryAfterFailure is the least time between two fetches after one
// failed, so an unreachable provider is not asked on every request.
const retryAfterFailure = time.Second

// lookup returns the public key with id kid.
func (k *keySet) lookup(ctx context.Context, kid string) (any, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.find(kid); ok {
		return key, nil
	}
	now := k.v.cfg.Now()
	since := now.Sub(k.tried)
	switch {
	case k.failed != nil && since < retryAfterFailure:
		return nil, k.failed
	case k.failed == nil && k.fetched && since < k.v.cfg.JWKSRefreshInterval:
		return nil, invalid("the access token is signed with an unknown key", nil)
	}
	k.tried = now
	if k.failed = k.refresh(ctx); k.failed != nil {
		return nil, k.failed
	}
	if key, ok := k.find(kid); ok {
		return key, nil
	}
	return nil, invalid("the access token is signed with an unknown key", nil)
}

// find looks kid up in the keys held. A token without a kid matches the
// only signing key when there is just one.
func (k *keySet) find(kid string) (any, bool) {
	var found []jose.JSONWebKey
	for _, key := range k.keys.Keys {
		if key.Use != "" && key.Use != "sig" {
			continue
		}
		if key.KeyID == kid || kid == "" {
			found = append(found, key)
		}
	}
	if len(found) != 1 || !found[0].Valid() {
		return nil, false
	}
	return found[0].Public().Key, true
}

// refresh fetches the JWKS, finding its URL through discovery first when
// the configuration names none.
func (k *keySet) refresh(ctx context.Context) error {
	if k.jwksURL == "" {
		k.jwksURL = k.v.cfg.JWKSURL
	}
	if k.jwksURL == "" {
		var d struct {
			Issuer  string `json:"issuer"`
			JWKSURI string `json:"jwks_uri"`
		}
		if err := k.v.getJSON(ctx, "discovery", k.v.base+"/.well-known/openid-configuration", &d); err != nil {
			return err
		}
		if d.Issuer != k.v.cfg.Issuer || d.JWKSURI == "" {
			return k.v.fault(ctx, "discovery", fmt.Errorf("issuer %q (want %q), jwks_uri %q", d.Issuer, k.v.cfg.Issuer, d.JWKSURI))
		}
		k.jwksURL = d.JWKSURI
	}
	var set jose.JSONWebKeySet
	if err := k.v.getJSON(ctx, "jwks", k.jwksURL, &set); err != nil {
		return err
	}
	k.keys, k.fetched = set, true
	return nil
}

// getJSON fetches url and decodes its JSON answer into dst; any fault is
// ErrUnavailable.
func (v *Verifier) getJSON(ctx context.Context, op, url string, dst any) error {
	ctx, cancel := context.WithTimeout(ctx, v.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return v.fault(ctx, op, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.cfg.HTTPClient.Do(req)
	if err != nil {
		return v.fault(ctx, op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return v.fault(ctx, op, fmt.Errorf("status %d", resp.StatusCode))
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(dst); err != nil {
		return v.fault(ctx, op, fmt.Errorf("decode answer: %w", err))
	}
	return nil
}
