package oidc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// JTIs remembers the IDs (jti) of the logout tokens a connector
// accepted, so that a captured token cannot be played again.
type JTIs interface {
	// Use records key until until and reports whether this is its first
	// use: false when key is recorded and until has not passed.
	Use(ctx context.Context, key string, until time.Time) (first bool, err error)
}

// Bounds on a logout token.
const (
	// maxLogoutToken bounds the token's length, before anything parses it.
	maxLogoutToken = 16 << 10
	// logoutTokenMaxAge is how long after its iat a logout token is
	// accepted: Back-Channel Logout 1.0 section 4 asks for a short life
	// (two minutes or so), and a token may lack exp, so iat bounds it.
	logoutTokenMaxAge = 5 * time.Minute
	// logoutClockSkew is how far in the future an iat may be.
	logoutClockSkew = time.Minute
)

// backchannelLogoutEvent is the member of a logout token's events claim
// that makes it one (Back-Channel Logout 1.0 section 2.4).
const backchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// EndSessionURL is where to send the browser to end the user's session at
// the upstream too (OpenID Connect RP-Initiated Logout 1.0 section 2): the
// upstream's end_session_endpoint with id_token_hint when the caller kept
// the ID token (else client_id, so that the upstream knows the client),
// and post_logout_redirect_uri and state when given. ok is false when the
// upstream has no end_session_endpoint. The endpoint's own query is kept,
// as section 2 requires.
func (c *Connector) EndSessionURL(ctx context.Context, idTokenHint, postLogoutRedirectURI, state string) (string, bool, error) {
	d, err := c.discover(ctx)
	if err != nil {
		return "", false, err
	}
	if d.endSession == nil {
		return "", false, nil
	}
	u := *d.endSession
	q := u.Query()
	if idTokenHint != "" {
		q.Set("id_token_hint", idTokenHint)
	} else {
		q.Set("client_id", c.cfg.ClientID)
	}
	if postLogoutRedirectURI != "" {
		q.Set("post_logout_redirect_uri", postLogoutRedirectURI)
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	return u.String(), true, nil
}

// VerifyLogoutToken checks a logout token the upstream posted to its
// back-channel logout URI (OpenID Connect Back-Channel Logout 1.0 section
// 2.6) and returns the sessions it names:
//
//   - a JWT no longer than 16 KiB, of type logout+jwt or untyped, signed
//     with one of the connector's algorithms by the upstream's keys, for
//     this client (audience, and azp when there are several audiences),
//     from the upstream's issuer (multi-tenant Entra: the tenant's, as
//     for ID tokens);
//   - iat present and at most five minutes old (a minute ahead at most,
//     on the injected clock), exp not passed when present;
//   - jti present, events holding the back-channel logout event as a
//     JSON object, no nonce, and sub or sid (or both), each a usable
//     identifier;
//   - with Config.JTIs, a jti not seen before from this connector.
//
// A token that fails any of these is upstream.ErrRefused; the upstream's
// metadata or keys out of reach is upstream.ErrUnavailable; the replay
// store failing is its own error, wrapped.
//
// When the connector reads subjects from another claim than sub
// (ClaimMapping.Subject), the token's sub is not the subject sessions
// record: Logout.Subject is then empty, and a token without sid is
// refused, since it names no session this connector could find.
func (c *Connector) VerifyLogoutToken(ctx context.Context, raw string) (upstream.Logout, error) {
	refuse := func(format string, args ...any) (upstream.Logout, error) {
		return upstream.Logout{}, fmt.Errorf("%w: connector %q: logout token: %s", upstream.ErrRefused, c.cfg.ID, fmt.Sprintf(format, args...))
	}
	if raw == "" {
		return refuse("missing")
	}
	if len(raw) > maxLogoutToken {
		return refuse("longer than %d bytes", maxLogoutToken)
	}
	if err := checkLogoutHeader(raw, c.cfg.SigningAlgs); err != nil {
		return refuse("%v", err)
	}
	d, err := c.discover(ctx)
	if err != nil {
		return upstream.Logout{}, err
	}
	idt, err := d.logout.Verify(gooidc.ClientContext(ctx, c.client), raw)
	if err != nil {
		return upstream.Logout{}, c.classify("logout token", err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return refuse("claims: %v", err)
	}
	if err := c.checkAudienceAndTenant(idt, claims); err != nil {
		return refuse("%v", err)
	}
	now := c.now()
	switch {
	case idt.IssuedAt.IsZero():
		return refuse("no iat")
	case idt.IssuedAt.Before(now.Add(-logoutTokenMaxAge)):
		return refuse("issued at %s, more than %s ago", idt.IssuedAt.UTC().Format(time.RFC3339), logoutTokenMaxAge)
	case idt.IssuedAt.After(now.Add(logoutClockSkew)):
		return refuse("issued at %s, in the future", idt.IssuedAt.UTC().Format(time.RFC3339))
	}
	if _, ok := claims["exp"]; ok && !idt.Expiry.After(now) {
		return refuse("expired at %s", idt.Expiry.UTC().Format(time.RFC3339))
	}
	if _, ok := claims["nonce"]; ok {
		return refuse("it has a nonce (an ID token?)")
	}
	events, _ := claims["events"].(map[string]any)
	if _, ok := events[backchannelLogoutEvent].(map[string]any); !ok {
		return refuse("its events claim lacks the back-channel logout event")
	}
	jti := identifier(claims["jti"])
	if jti == "" {
		return refuse("no usable jti")
	}
	var out upstream.Logout
	for name, into := range map[string]*string{"sub": &out.Subject, "sid": &out.SID} {
		v, ok := claims[name]
		if !ok {
			continue
		}
		if *into = identifier(v); *into == "" {
			return refuse("the %s claim is not a usable identifier", name)
		}
	}
	if out.Subject == "" && out.SID == "" {
		return refuse("neither sub nor sid")
	}
	if m := c.cfg.Claims.withDefaults(c.cfg.Preset); m.Subject != "sub" {
		if out.SID == "" {
			return refuse("only sub, and this connector's subjects are its %s claim", m.Subject)
		}
		out.Subject = ""
	}
	if c.cfg.JTIs != nil {
		// The token is refused by its iat once the window has passed, so
		// its jti need be kept no longer.
		first, err := c.cfg.JTIs.Use(ctx, "upstream-logout:"+c.cfg.ID+":"+jti, idt.IssuedAt.Add(logoutTokenMaxAge))
		if err != nil {
			return upstream.Logout{}, fmt.Errorf("oidc: connector %q: logout token: replay check: %w", c.cfg.ID, err)
		}
		if !first {
			return refuse("jti %q was used already (replayed)", jti)
		}
	}
	return out, nil
}

// checkLogoutHeader reads the JWS header of a logout token before its
// signature is checked: one of the allowed algorithms (never none), and
// the type logout+jwt (Back-Channel Logout 1.0 section 2.4, "application/"
// optional, letter case ignored, RFC 7515 section 4.1.9) or none at all,
// which section 4.1 lets the tokens of earlier implementations be. Any
// other declared type (an ID token's "JWT", an access token's at+jwt) is
// refused: it says the token is something else.
func checkLogoutHeader(raw string, algs []string) error {
	allowed := make([]jose.SignatureAlgorithm, len(algs))
	for i, a := range algs {
		allowed[i] = jose.SignatureAlgorithm(a)
	}
	jws, err := jose.ParseSignedCompact(raw, allowed)
	if err != nil {
		return fmt.Errorf("not a JWS signed with an allowed algorithm: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return errors.New("not signed exactly once")
	}
	typ, ok := jws.Signatures[0].Protected.ExtraHeaders[jose.HeaderType]
	if !ok {
		return nil
	}
	s, _ := typ.(string)
	if t := strings.TrimPrefix(strings.ToLower(s), "application/"); t != "logout+jwt" {
		return fmt.Errorf("its type is %q, not logout+jwt", upstream.Clip(s))
	}
	return nil
}
