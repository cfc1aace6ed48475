package rs

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/tokenim/tokenim-auth/dpop"
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
		cred, ok, malformed := readCredential(r.Header.Get("Authorization"))
		ch := v.challenge
		ch.dpop = cred.dpop
		switch {
		case malformed != "":
			ch.refuse(w, http.StatusBadRequest, errorBody{Error: "invalid_request", Description: malformed})
			return
		case !ok:
			ch.refuse(w, http.StatusUnauthorized, errorBody{Description: tokenRequired})
			return
		}
		tok, err := v.Verify(r.Context(), cred.token)
		if err != nil {
			v.refuseToken(w, r, ch, err)
			return
		}
		if no := v.checkBinding(r.Context(), r, cred, tok); no != nil {
			if no.nonce != "" {
				w.Header().Set(dpop.NonceHeader, no.nonce)
			}
			if no.status == http.StatusServiceUnavailable {
				w.Header().Set("Retry-After", "5")
				writeJSON(w, no.status, no.body)
				return
			}
			ch.dpop = true
			ch.refuse(w, no.status, no.body)
			return
		}
		ctx := context.WithValue(r.Context(), authKey{}, auth{token: tok, challenge: ch, now: v.cfg.Now})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// refuseToken answers a request whose token Verify refused.
func (v *Verifier) refuseToken(w http.ResponseWriter, r *http.Request, ch challenge, err error) {
	var bad *InvalidTokenError
	switch {
	case errors.As(err, &bad):
		ch.refuse(w, http.StatusUnauthorized, errorBody{Error: "invalid_token", Description: "The access token is not valid: " + bad.Reason + "."})
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
const tokenRequired = "An access token is required: send it as Authorization: Bearer <token>, or a DPoP-bound one as Authorization: DPoP <token> with its proof."

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
// metadata; and which scheme it is in.
type challenge struct {
	realm, metadata string
	// algs are the DPoP proof algorithms, space-separated (RFC 9449
	// section 7.1); empty in a challenge made without a Verifier.
	algs string
	// dpopOnly: bearer tokens are refused (DPoP.Required), so only the
	// DPoP scheme is offered.
	dpopOnly bool
	// dpop: the request used the DPoP scheme, or was refused for its DPoP
	// binding, so its refusals are DPoP challenges.
	dpop bool
}

// refuse answers with a WWW-Authenticate challenge (RFC 6750 section 3,
// RFC 9449 section 7.1, RFC 9470 section 3, RFC 9728 section 5.1) and the
// same error as JSON. Without an error code (no token was sent) the
// challenge has no error attribute and both schemes are offered, Bearer
// first, unless bearer tokens are refused.
func (c challenge) refuse(w http.ResponseWriter, status int, e errorBody) {
	params := ""
	if c.metadata != "" {
		// The resource identifier is printable ASCII without '"' or '\'
		// (metadataLocation), so quote keeps the URL whole.
		params += ", resource_metadata=" + quote(c.metadata)
	}
	if e.Error != "" {
		params += ", error=" + quote(e.Error) + ", error_description=" + quote(e.Description)
	}
	if e.Scope != "" {
		params += ", scope=" + quote(e.Scope)
	}
	if e.ACRValues != "" {
		params += ", acr_values=" + quote(e.ACRValues)
	}
	if e.MaxAge > 0 {
		// Quoted as RFC 9470 section 3 shows it (a quoted integer parses
		// the same, RFC 9110 section 11.2).
		params += `, max_age="` + strconv.FormatInt(e.MaxAge, 10) + `"`
	}
	bearer := "Bearer realm=" + quote(c.realm) + params
	dpopScheme := "DPoP algs=" + quote(c.algs) + ", realm=" + quote(c.realm) + params
	h := w.Header()
	switch {
	case c.algs == "":
		h.Set("WWW-Authenticate", bearer)
	case e.Error == "" && !c.dpopOnly:
		h.Set("WWW-Authenticate", bearer)
		h.Add("WWW-Authenticate", dpopScheme)
	case c.dpop || c.dpopOnly:
		h.Set("WWW-Authenticate", dpopScheme)
	default:
		h.Set("WWW-Authenticate", bearer)
	}
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
