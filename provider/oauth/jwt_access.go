package oauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"

	"github.com/tokenim/tokenim-auth/provider/authzdetails"
)

// atJWTType is the "typ" header of a JWT access token (RFC 9068 section
// 2.1), telling it apart from an ID token signed with the same keys.
const atJWTType = "at+jwt"

// accessTokens issues JWT access tokens (RFC 9068) to the clients whose
// access token format is jwt, and opaque tokens to every other client.
// Refresh tokens and authorization codes are always opaque.
//
// A JWT access token is stored like an opaque one, by a signature: here a
// keyed hash (HMAC-SHA-256 under the token key) of the whole JWT, so the
// stored record is found only by the exact token issued, not by a token
// whose header or claims were changed around its JWS signature. Finding
// the record is therefore the token's proof of authenticity; validating
// then checks the stored expiry, as for an opaque token. Introspection,
// revocation, refresh rotation, the Redis cache and the revocation stream
// see no difference, and a JWT signed with a key since rotated out still
// introspects.
type accessTokens struct {
	tokenStrategy
	// signer signs with the current key of the provider's own algorithm
	// (keys.algorithm): a resource server verifying JWT access tokens
	// expects one algorithm, whatever the client's ID tokens use.
	signer   jwt.Signer
	issuer   string
	key      []byte
	lifespan time.Duration
	now      func() time.Time
}

var _ oauth2.CoreStrategy = accessTokens{}

// isJWT says whether token has the shape of a JWS compact serialization:
// three dot-separated parts. Opaque access tokens have two.
func isJWT(token string) bool {
	return strings.Count(token, ".") == 2
}

// jwtSignature is what a JWT access token is stored under.
func (s accessTokens) jwtSignature(token string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// issuesJWT says whether r's client gets JWT access tokens.
func issuesJWT(r fosite.Requester) bool {
	c, ok := r.GetClient().(*client)
	return ok && c.IssuesJWT()
}

func (s accessTokens) AccessTokenSignature(ctx context.Context, token string) string {
	if isJWT(token) {
		return s.jwtSignature(token)
	}
	return s.tokenStrategy.AccessTokenSignature(ctx, token)
}

func (s accessTokens) GenerateAccessToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	if !issuesJWT(r) {
		return s.tokenStrategy.GenerateAccessToken(ctx, r)
	}
	claims, err := s.claims(r)
	if err != nil {
		return "", "", err
	}
	token, _, err := s.signer.Generate(ctx, claims, &jwt.Headers{Extra: map[string]any{"typ": atJWTType}})
	if err != nil {
		return "", "", fmt.Errorf("oauth: sign a JWT access token for client %s: %w", r.GetClient().GetID(), err)
	}
	return token, s.jwtSignature(token), nil
}

func (s accessTokens) ValidateAccessToken(ctx context.Context, r fosite.Requester, token string) error {
	if !isJWT(token) {
		return s.tokenStrategy.ValidateAccessToken(ctx, r, token)
	}
	exp := s.expiry(r)
	if now := s.now(); exp.Before(now) {
		return fosite.ErrTokenExpired.WithHintf("Access token expired at '%s'.", exp)
	}
	return nil
}

// expiry is when r's access token expires: the session's expiry, which
// every grant sets before generating the token, or the lifespan from the
// request's time.
func (s accessTokens) expiry(r fosite.Requester) time.Time {
	if exp := r.GetSession().GetExpiresAt(fosite.AccessToken); !exp.IsZero() {
		return exp
	}
	return r.GetRequestedAt().Add(s.lifespan)
}

// audience is the "aud" of r's JWT access token, which RFC 9068 section
// 2.2 requires: the audience granted to the request (fosite's audience
// parameter), else the client's registered audience, else the issuer
// itself, whose own endpoints (userinfo) accept
// the token. Only a granted audience is kept in the request, so
// introspection names that one alone: granting the fallback would make
// fosite refuse the refresh of a client with no registered audience.
func audience(r fosite.Requester, issuer string) []string {
	if aud := tokenAudience(r); len(aud) > 0 {
		return aud
	}
	if aud := r.GetClient().GetAudience(); len(aud) > 0 {
		return aud
	}
	return []string{issuer}
}

// claims are the claims of r's JWT access token (RFC 9068 section 2.2):
// the same values introspection tells of the stored request.
func (s accessTokens) claims(r fosite.Requester) (jwt.MapClaims, error) {
	sess, ok := r.GetSession().(*openid.DefaultSession)
	if !ok {
		return nil, fmt.Errorf("oauth: a JWT access token needs an OpenID Connect session, not %T", r.GetSession())
	}
	clientID := r.GetClient().GetID()
	iat := r.GetRequestedAt()
	if iat.IsZero() {
		iat = s.now()
	}
	c := jwt.MapClaims{
		"iss":       s.issuer,
		"exp":       s.expiry(r).Unix(),
		"aud":       audience(r, s.issuer),
		"sub":       clientID,
		"client_id": clientID,
		"iat":       iat.Unix(),
		"jti":       r.GetID(),
	}
	if scope := strings.Join(r.GetGrantedScopes(), " "); scope != "" {
		c["scope"] = scope
	}
	if l := sessionDetails(sess); len(l) > 0 {
		// RFC 9396 section 9.2.
		c[authzdetails.Param] = l
	}
	if in, ok := userSignIn(sess); ok {
		// A user signed in (RFC 9068 section 2.2.1).
		c["sub"] = sess.GetSubject()
		if !in.AuthTime.IsZero() {
			c["auth_time"] = in.AuthTime.Unix()
		}
		if in.ACR != "" {
			c["acr"] = in.ACR
		}
		if len(in.AMR) > 0 {
			c["amr"] = in.AMR
		}
	}
	if id, handle := workspaceOf(sess); id != "" {
		c[ClaimOrgID], c[ClaimOrgHandle] = id, handle
	}
	if act := sessionAct(sess); act != nil {
		// RFC 8693 section 4.1.
		c["act"] = act
	}
	if cnf := tokenConfirmation(sess); cnf != nil {
		// RFC 9449 section 6.1.
		c["cnf"] = map[string]any{"jkt": cnf.JKT}
	}
	return c, nil
}
