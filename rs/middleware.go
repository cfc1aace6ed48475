package rs

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
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
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok, malformed := bearer(r.Header.Get("Authorization"))
		switch {
		case malformed != "":
			refuse(w, v.cfg.Realm, http.StatusBadRequest, "invalid_request", malformed, "")
			return
		case !ok:
			refuse(w, v.cfg.Realm, http.StatusUnauthorized, "", "An access token is required: send it as Authorization: Bearer <token>.", "")
			return
		}
		tok, err := v.Verify(r.Context(), raw)
		if err != nil {
			v.refuseToken(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), authKey{}, auth{token: tok, realm: v.cfg.Realm})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// refuseToken answers a request whose token Verify refused.
func (v *Verifier) refuseToken(w http.ResponseWriter, r *http.Request, err error) {
	var bad *InvalidTokenError
	switch {
	case errors.As(err, &bad):
		refuse(w, v.cfg.Realm, http.StatusUnauthorized, "invalid_token", "The access token is not valid: "+bad.Reason+".", "")
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
			a, ok := r.Context().Value(authKey{}).(auth)
			if !ok {
				refuse(w, DefaultRealm, http.StatusUnauthorized, "", "An access token is required: send it as Authorization: Bearer <token>.", "")
				return
			}
			if missing := a.token.missingScopes(scopes); len(missing) > 0 {
				scope := strings.Join(missing, " ")
				refuse(w, a.realm, http.StatusForbidden, "insufficient_scope", "The access token lacks the scope "+scope+".", scope)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
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

// errorBody is the JSON body of a refusal.
type errorBody struct {
	Error       string `json:"error,omitempty"`
	Description string `json:"error_description"`
	Scope       string `json:"scope,omitempty"`
}

// refuse answers with a WWW-Authenticate challenge (RFC 6750 section 3)
// and the same error as JSON. An empty code sends no error attribute.
func refuse(w http.ResponseWriter, realm string, status int, code, description, scope string) {
	challenge := "Bearer realm=" + quote(realm)
	if code != "" {
		challenge += ", error=" + quote(code) + ", error_description=" + quote(description)
	}
	if scope != "" {
		challenge += ", scope=" + quote(scope)
	}
	w.Header().Set("WWW-Authenticate", challenge)
	writeJSON(w, status, errorBody{Error: code, Description: description, Scope: scope})
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

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
