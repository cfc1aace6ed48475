package rs

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// Middleware verifies the bearer token of every request (RFC 6750 section
// 2.1, the Authorization header only) and calls next with the token in
// the request context (FromContext). It answers itself:
//
//   - 401 with `WWW-Authenticate: Bearer realm="..."` and no error code
//     when the request carries no bearer token (RFC 6750 section 3.1);
//   - 400 invalid_request when the Authorization header is a malformed
//     Bearer credential;
//   - 401 invalid_token when the token is expired, revoked, unknown or
//     not meant for this resource server;
//   - 503 temporarily_unavailable when the provider cannot be reached.
//
// With a Config.Resource, every challenge it and the guards inside it
// (RequireScope, RequireAuth, RequireConversation, RequireWorkspace)
// write names the protected resource metadata after the realm:
// `Bearer realm="...", resource_metadata="<MetadataURL>"` (RFC 9728
// section 5.1).
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok, malformed := bearer(r.Header.Get("Authorization"))
		switch {
		case malformed != "":
			v.challenge.refuse(w, http.StatusBadRequest, errorBody{Error: "invalid_request", Description: malformed})
			return
		case !ok:
			v.challenge.refuse(w, http.StatusUnauthorized, errorBody{Description: tokenRequired})
			return
		}
		tok, err := v.Verify(r.Context(), raw)
		if err != nil {
			v.refuseToken(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), authKey{}, auth{token: tok, challenge: v.challenge, now: v.cfg.Now})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// refuseToken answers a request whose token Verify refused.
func (v *Verifier) refuseToken(w http.ResponseWriter, r *http.Request, err error) {
	var bad *InvalidTokenError
	switch {
	case errors.As(err, &bad):
		v.challenge.refuse(w, http.StatusUnauthorized, errorBody{Error: "invalid_token", Description: "The access token is not valid: " + bad.Reason + "."})
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		w.WriteHeader(http.StatusServiceUnavailable)
	default:
		// ErrUnavailable, or anything unforeseen: the token could not be
		// checked, which is never the client's fault nor a 500.
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, errorBody{
			Error:       "temporarily_unavailable",
			Description: "The authorization server cannot be reached to check the access token; try again shortly.",
		})
	}
}

// RequireScope returns middleware letting a request through only when the
// token Middleware put in its context was granted every one of scopes;
// otherwise it answers 403 insufficient_scope naming the missing scopes
// (RFC 6750 section 3.1). It belongs inside Middleware; a request without
// a verified token gets 401.
func RequireScope(scopes ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a, ok := verified(w, r)
			if !ok {
				return
			}
			if missing := a.token.missingScopes(scopes); len(missing) > 0 {
				scope := strings.Join(missing, " ")
				a.challenge.refuse(w, http.StatusForbidden, errorBody{Error: "insufficient_scope", Description: "The access token lacks the scope " + scope + ".", Scope: scope})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// tokenRequired is the description of a request without a token.
const tokenRequired = "An access token is required: send it as Authorization: Bearer <token>."

// verified returns what Middleware put in the request context; without
// it, the request has no verified token and is answered 401 with a
// challenge, as Middleware answers a request without a token.
func verified(w http.ResponseWriter, r *http.Request) (auth, bool) {
	a, ok := r.Context().Value(authKey{}).(auth)
	if !ok {
		challenge{realm: DefaultRealm}.refuse(w, http.StatusUnauthorized, errorBody{Description: tokenRequired})
	}
	return a, ok
}

// bearer reads a Bearer credential from an Authorization header value (RFC
// 6750 section 2.1). ok is false when there is none (no header, or
// another scheme); malformed explains a Bearer credential that breaks the
// b64token syntax.
func bearer(header string) (token string, ok bool, malformed string) {
	scheme, rest, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false, ""
	}
	token = strings.TrimLeft(rest, " ")
	switch {
	case token == "":
		return "", false, "The Authorization header names the Bearer scheme but carries no token."
	case !isB64Token(token):
		return "", false, "The bearer token is malformed: it must be a single b64token (RFC 6750 section 2.1)."
	}
	return token, true, ""
}

// isB64Token checks the b64token syntax: 1*( ALPHA / DIGIT / "-" / "." /
// "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for _, c := range body {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.ContainsRune("-._~+/", c):
		default:
			return false
		}
	}
	return true
}

// errorBody is a refusal: its JSON body, and what its challenge says.
type errorBody struct {
	Error       string `json:"error,omitempty"`
	Description string `json:"error_description"`
	// Scope names the missing scopes (RFC 6750 section 3).
	Scope string `json:"scope,omitempty"`
	// ACRValues and MaxAge are the sign-in a route needs (RFC 9470
	// section 3); MaxAge is in seconds, at least 1 when set.
	ACRValues string `json:"acr_values,omitempty"`
	MaxAge    int64  `json:"max_age,omitempty"`
}

// challenge is what every challenge of a Verifier says first: its realm
// and, when it has a Config.Resource, the URL of its protected resource
// metadata.
type challenge struct {
	realm, metadata string
}

// refuse answers with a WWW-Authenticate challenge (RFC 6750 section 3,
// RFC 9470 section 3, RFC 9728 section 5.1) and the same error as JSON.
// Without an error code the challenge has no error attribute.
func (c challenge) refuse(w http.ResponseWriter, status int, e errorBody) {
	challenge := "Bearer realm=" + quote(c.realm)
	if c.metadata != "" {
		// The resource identifier is printable ASCII without '"' or '\'
		// (metadataLocation), so quote keeps the URL whole.
		challenge += ", resource_metadata=" + quote(c.metadata)
	}
	if e.Error != "" {
		challenge += ", error=" + quote(e.Error) + ", error_description=" + quote(e.Description)
	}
	if e.Scope != "" {
		challenge += ", scope=" + quote(e.Scope)
	}
	if e.ACRValues != "" {
		challenge += ", acr_values=" + quote(e.ACRValues)
	}
	if e.MaxAge > 0 {
		// Quoted as RFC 9470 section 3 shows it (a quoted integer parses
		// the same, RFC 9110 section 11.2).
		challenge += `, max_age="` + strconv.FormatInt(e.MaxAge, 10) + `"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	writeJSON(w, status, e)
}

// quote makes a quoted-string (RFC 9110 section 5.6.4). RFC 6750 limits
// error_description to printable ASCII without '"' and '\', which our
// descriptions keep to; anything else is dropped.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		if c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' {
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// unquotable says whether s cannot stand as one value in a challenge's
// quoted-string as it is: it has a space (which separates values), or a
// control character, '"', '\' or anything beyond ASCII (which quote
// drops).
func unquotable(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r > '~' || r == '"' || r == '\\' })
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
