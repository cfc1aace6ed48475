package rs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// maxResponse bounds what is read of a provider's answer.
const maxResponse = 1 << 20

// introspection is an RFC 7662 section 2.2 answer, as far as it is used.
type introspection struct {
	Active    bool     `json:"active"`
	Scope     string   `json:"scope"`
	ClientID  string   `json:"client_id"`
	TokenType string   `json:"token_type"`
	Exp       int64    `json:"exp"`
	Iat       int64    `json:"iat"`
	Sub       string   `json:"sub"`
	Aud       audience `json:"aud"`
	Iss       string   `json:"iss"`
	// TokenUse is the provider's answer to "access or refresh token?".
	TokenUse string `json:"token_use"`
	// Jti names the token's family, as revocation events do.
	Jti string `json:"jti"`
	// AuthTime, Acr and Amr describe the user's sign-in behind the token.
	AuthTime int64    `json:"auth_time"`
	Acr      string   `json:"acr"`
	Amr      []string `json:"amr"`
	// OrgID and OrgHandle name the token's workspace.
	OrgID     string `json:"org_id"`
	OrgHandle string `json:"org_handle"`
	// Cnf names the key a DPoP-bound token is bound to (RFC 9449
	// section 6.2).
	Cnf *confirmation `json:"cnf"`
	// Act names who acts for the subject (RFC 8693 section 4.1).
	Act *Actor `json:"act"`
	// ExchangedFrom are the families an exchanged token derives from.
	ExchangedFrom []string `json:"exchanged_from"`
}

// confirmation is a token's cnf claim; JKT is the SHA-256 thumbprint of
// its DPoP key (RFC 9449 section 6).
type confirmation struct {
	JKT string `json:"jkt"`
}

// jkt is the thumbprint c names; "" for no confirmation.
func (c *confirmation) jkt() string {
	if c == nil {
		return ""
	}
	return c.JKT
}

// audience is "aud", a string or an array of strings.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("aud: neither a string nor an array of strings: %w", err)
	}
	*a = many
	return nil
}

// introspect asks the provider about raw (RFC 7662 section 2.1), as the
// resource server with client_secret_basic (RFC 6749 section 2.3.1: the id
// and secret are form-encoded before base64).
func (v *Verifier) introspect(ctx context.Context, raw string) (Token, error) {
	ctx, cancel := context.WithTimeout(ctx, v.cfg.Timeout)
	defer cancel()
	form := url.Values{"token": {raw}, "token_type_hint": {"access_token"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.introspectURL, strings.NewReader(form.Encode()))
	if err != nil {
		return Token{}, fmt.Errorf("rs: introspection request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if v.cfg.SignedIntrospection {
		req.Header.Set("Accept", introspectionJWTMedia)
	}
	req.SetBasicAuth(url.QueryEscape(v.cfg.ClientID), url.QueryEscape(v.cfg.ClientSecret))
	resp, err := v.cfg.HTTPClient.Do(req)
	if err != nil {
		return Token{}, v.fault(ctx, "introspect", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return Token{}, v.fault(ctx, "introspect: read answer", err)
	}
	if resp.StatusCode != http.StatusOK {
		// 401 means our own credentials were refused: a configuration
		// fault, not the client's; it is reported as unavailability.
		return Token{}, v.fault(ctx, "introspect", fmt.Errorf("status %d: %s", resp.StatusCode, providerError(body)))
	}
	if v.cfg.SignedIntrospection {
		// RFC 9701: nothing but the provider's signed answer is taken.
		if body, err = v.openSignedIntrospection(ctx, resp.Header.Get("Content-Type"), body); err != nil {
			return Token{}, v.fault(ctx, "introspect: signed answer", err)
		}
	}
	var in introspection
	if err := json.Unmarshal(body, &in); err != nil {
		return Token{}, v.fault(ctx, "introspect: decode answer", err)
	}
	var claims map[string]any
	_ = json.Unmarshal(body, &claims)
	return v.fromIntrospection(in, claims)
}

// fromIntrospection turns an answer into a Token, refusing what is not an
// active access token for this resource server.
func (v *Verifier) fromIntrospection(in introspection, claims map[string]any) (Token, error) {
	now := v.cfg.Now()
	switch {
	case !in.Active:
		return Token{}, invalid("the access token is not active: it expired, was revoked or is unknown", nil)
	case in.TokenUse != "" && in.TokenUse != "access_token":
		return Token{}, invalid("the token is not an access token", nil)
	case in.TokenType != "" && !strings.EqualFold(in.TokenType, "bearer") && !strings.EqualFold(in.TokenType, "DPoP"):
		return Token{}, invalid("the token is neither a bearer nor a DPoP token", nil)
	case strings.EqualFold(in.TokenType, "DPoP") && in.Cnf.jkt() == "":
		return Token{}, invalid("the DPoP token names no key (cnf.jkt)", nil)
	case in.Iss != "" && in.Iss != v.cfg.Issuer:
		return Token{}, invalid("the access token was issued by another authorization server", nil)
	case v.cfg.Audience != "" && len(in.Aud) > 0 && !slices.Contains(in.Aud, v.cfg.Audience):
		return Token{}, invalid("the access token is not meant for this resource server", nil)
	case in.Exp != 0 && !now.Before(time.Unix(in.Exp, 0)):
		return Token{}, invalid("the access token expired", nil)
	}
	tok := Token{
		Subject:  in.Sub,
		ClientID: in.ClientID,
		Scopes:   strings.Fields(in.Scope),
		Audience: in.Aud,
		ID:       in.Jti,
		ACR:      in.Acr,
		AMR:      in.Amr,
		Format:   FormatOpaque,

		WorkspaceID:     in.OrgID,
		WorkspaceHandle: in.OrgHandle,
		JKT:             in.Cnf.jkt(),
		Actor:           in.Act,
		DerivedFrom:     in.ExchangedFrom,
		Claims:          claims,
	}
	if in.AuthTime != 0 {
		tok.AuthTime = time.Unix(in.AuthTime, 0)
	}
	if in.Exp != 0 {
		tok.Expiry = time.Unix(in.Exp, 0)
	}
	if in.Iat != 0 {
		tok.IssuedAt = time.Unix(in.Iat, 0)
	}
	return tok, nil
}

// inactiveReason says whether err is a refusal of the token, which may be
// cached, rather than a fault.
func inactiveReason(err error) (string, bool) {
	var e *InvalidTokenError
	if errors.As(err, &e) {
		return e.Reason, true
	}
	return "", false
}

// fault logs a provider fault and wraps it as ErrUnavailable.
func (v *Verifier) fault(ctx context.Context, op string, err error) error {
	v.cfg.Logger.WarnContext(ctx, "authorization server call failed", "op", op, "issuer", v.cfg.Issuer, "err", err)
	return unavailable(op, err)
}

// providerError is the RFC 6749 error of an answer body, for logs.
func providerError(body []byte) string {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		return "no OAuth error in the answer"
	}
	return e.Error + ": " + e.Description
}
