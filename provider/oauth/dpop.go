package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"

	"github.com/tokenim/tokenim-auth/dpop"
	"github.com/tokenim/tokenim-auth/provider/web"
)

// DPoP tokens (RFC 9449). A request to the token endpoint with a valid
// DPoP proof gets tokens bound to the proof's key: the session keeps the
// key's thumbprint (sessionJKTKey), the token response says token_type
// DPoP, introspection and JWT access tokens carry cnf.jkt (section 6),
// and the userinfo endpoint accepts such a token only with a proof of the
// same key (section 7). A public client's refresh token is bound too: a
// refresh needs a proof of the same key (section 5); a confidential
// client's refresh token is bound by its authentication already, and each
// refresh binds the new access token to the key it proves then. An
// authorization code is bound to a key by dpop_jkt at the authorization
// endpoint, or by a proof sent to the PAR endpoint (section 10).

// DPoP checks DPoP proofs (dpop.Verifier).
type DPoP interface {
	// Verify checks proof for a request of method to url, presenting
	// accessToken ("" at the token and PAR endpoints).
	Verify(ctx context.Context, proof, method, url, accessToken string) (dpop.Proof, error)
	// Algs are the accepted signature algorithms, for discovery.
	Algs() []string
	// Nonce is the nonce to send in DPoP-Nonce; "" when nonces are not
	// used.
	Nonce() string
}

// Kinds of client Config.DPoPRequired may name.
const (
	// DPoPPublic: every public client (native, desktop, browser).
	DPoPPublic = "public"
	// DPoPBrowser: browser apps (storage.Client.BrowserApp).
	DPoPBrowser = "browser"
)

// sessionJKTKey is where a session keeps the thumbprint of the key its
// tokens are bound to; for an authorization code, the key the
// authorization request named, which the token request must prove. Kept
// out of ID tokens (withoutPrivateClaims).
const sessionJKTKey = "dpop_jkt"

// sessionJKT is the key thumbprint sess is bound to; "" when none.
func sessionJKT(sess fosite.Session) string {
	oidc, ok := sess.(*openid.DefaultSession)
	if !ok || oidc.Claims == nil {
		return ""
	}
	jkt, _ := oidc.Claims.Extra[sessionJKTKey].(string)
	return jkt
}

// setSessionJKT binds sess to jkt ("" unbinds it).
func setSessionJKT(sess fosite.Session, jkt string) {
	oidc, ok := sess.(*openid.DefaultSession)
	if !ok || oidc.Claims == nil {
		return
	}
	if jkt == "" {
		delete(oidc.Claims.Extra, sessionJKTKey)
		return
	}
	if oidc.Claims.Extra == nil {
		oidc.Claims.Extra = map[string]any{}
	}
	oidc.Claims.Extra[sessionJKTKey] = jkt
}

// invalidProof is RFC 9449's invalid_dpop_proof (section 5), saying what
// is wrong.
func invalidProof(description string) *fosite.RFC6749Error {
	return &fosite.RFC6749Error{ErrorField: "invalid_dpop_proof", DescriptionField: description, CodeField: http.StatusBadRequest}
}

// errUseDPoPNonce is RFC 9449's use_dpop_nonce (section 8).
var errUseDPoPNonce = &fosite.RFC6749Error{
	ErrorField:       "use_dpop_nonce",
	DescriptionField: "The authorization server requires a nonce in the DPoP proof: make a new proof with the nonce of the DPoP-Nonce header.",
	CodeField:        http.StatusBadRequest,
}

// sendNonce puts the current DPoP nonce, when nonces are used, in every
// answer of an endpoint taking proofs (RFC 9449 section 8.2).
func (p *Provider) sendNonce(w http.ResponseWriter) {
	if p.cfg.DPoP == nil {
		return
	}
	if n := p.cfg.DPoP.Nonce(); n != "" {
		w.Header().Set(dpop.NonceHeader, n)
	}
}

// requestProof checks the DPoP proof of r, a request to the endpoint at
// path (the token or PAR endpoint). It is nil when the request has none,
// or when DPoP is off: the header is then ignored and tokens are Bearer
// (RFC 9449 section 5).
func (p *Provider) requestProof(ctx context.Context, r *http.Request, path string) (*dpop.Proof, error) {
	if p.cfg.DPoP == nil {
		return nil, nil
	}
	raw, err := dpop.ProofFrom(r.Header)
	if err != nil {
		return nil, proofError(err)
	}
	if raw == "" {
		return nil, nil
	}
	proof, err := p.cfg.DPoP.Verify(ctx, raw, r.Method, p.cfg.Issuer+path, "")
	if err != nil {
		return nil, proofError(err)
	}
	return &proof, nil
}

// proofError is the RFC 6749 shape of a dpop.Verify error. What was
// wrong with the proof is told: the proof is the client's own.
func proofError(err error) error {
	switch {
	case errors.Is(err, dpop.ErrUseNonce):
		return errUseDPoPNonce.WithWrap(err)
	case errors.Is(err, dpop.ErrInvalidProof):
		return invalidProof(dpop.Refusal(err)).WithWrap(err)
	}
	return fosite.ErrServerError.WithWrap(err)
}

// bindDPoP binds the tokens about to be issued for ar to the key of proof
// (nil: unbound), after checking the key the presented grant is bound to
// (presented is its stored session): an authorization code's dpop_jkt,
// a public client's refresh token's key. A client that must use DPoP
// (dpopRequired) gets no token without a proof; one that registered
// dpop_bound_access_tokens gets none while DPoP is off either, rather
// than tokens it said it would never use (RFC 9449 section 5.2).
func (p *Provider) bindDPoP(ar fosite.AccessRequester, presented fosite.Session, proof *dpop.Proof) error {
	if p.cfg.DPoP == nil {
		if cl, ok := ar.GetClient().(*client); ok && cl.DPoPBoundAccessTokens {
			return invalidProof("This client must bind its tokens with DPoP (dpop_bound_access_tokens), and DPoP is turned off on this server.")
		}
		return nil
	}
	bound := sessionJKT(presented)
	var what string
	switch {
	case bound == "":
	case ar.GetGrantTypes().ExactOne("authorization_code"):
		what = "The authorization request bound this code to a DPoP key (dpop_jkt)"
	case ar.GetGrantTypes().ExactOne("refresh_token") && ar.GetClient().IsPublic():
		what = "This refresh token is bound to a DPoP key"
	}
	if what != "" {
		if proof == nil {
			return invalidProof(what + ": send a DPoP proof made with that key.")
		}
		if proof.JKT != bound {
			return invalidProof(what + ", and the DPoP proof was made with another key.")
		}
	}
	if proof == nil && p.dpopRequired(ar.GetClient()) {
		return invalidProof("This client must bind its tokens with DPoP: send a DPoP proof with the token request (RFC 9449).")
	}
	jkt := ""
	if proof != nil {
		jkt = proof.JKT
	}
	setSessionJKT(ar.GetSession(), jkt)
	return nil
}

// dpopRequired reports whether c must bind its tokens with DPoP: it set
// dpop_bound_access_tokens (storage.Client.DPoPBoundAccessTokens, RFC 9449
// section 5.2), or it is of a kind Config.DPoPRequired names.
func (p *Provider) dpopRequired(c fosite.Client) bool {
	cl, ok := c.(*client)
	if !ok {
		return false
	}
	return cl.DPoPBoundAccessTokens ||
		(slices.Contains(p.cfg.DPoPRequired, DPoPPublic) && cl.IsPublic()) ||
		(slices.Contains(p.cfg.DPoPRequired, DPoPBrowser) && cl.BrowserApp())
}

// requestedJKT checks the dpop_jkt authorization request parameter (RFC
// 9449 section 10): absent, or a key thumbprint. With DPoP off it is
// ignored.
func (p *Provider) requestedJKT(form url.Values) (string, error) {
	if p.cfg.DPoP == nil {
		return "", nil
	}
	jkt := form.Get("dpop_jkt")
	if jkt != "" && !dpop.ValidThumbprint(jkt) {
		return "", fosite.ErrInvalidRequest.WithHint("The dpop_jkt parameter must be the 43-character base64url SHA-256 JWK thumbprint of the DPoP key (RFC 9449 section 10).")
	}
	return jkt, nil
}

// pushedJKT binds a pushed authorization request to the key of the DPoP
// proof sent with it (RFC 9449 section 10.1), by its dpop_jkt parameter:
// set from the proof, or checked against it when the client sent both.
func pushedJKT(r *http.Request, proof *dpop.Proof) error {
	if proof == nil {
		return nil
	}
	if jkt := r.PostForm.Get("dpop_jkt"); jkt != "" {
		if jkt != proof.JKT {
			return invalidProof("The dpop_jkt parameter names another key than the DPoP proof's (RFC 9449 section 10.1).")
		}
		return nil
	}
	r.PostForm.Set("dpop_jkt", proof.JKT)
	r.Form.Set("dpop_jkt", proof.JKT)
	return nil
}

// confirmation is the cnf claim of a bound token (RFC 9449 section 6).
type confirmation struct {
	JKT string `json:"jkt"`
}

// tokenConfirmation is the cnf of a token whose session is sess; nil when
// unbound.
func tokenConfirmation(sess fosite.Session) *confirmation {
	if jkt := sessionJKT(sess); jkt != "" {
		return &confirmation{JKT: jkt}
	}
	return nil
}

// presentedWithKey checks, at the userinfo endpoint, that token (whose
// request is ar) is presented as its binding asks (RFC 9449 section 7):
// a bound token as "Authorization: DPoP" with a proof of its key for this
// request, an unbound one as a bearer token. Otherwise it answers with a
// DPoP challenge and returns false.
func (p *Provider) presentedWithKey(w http.ResponseWriter, r *http.Request, token string, dpopScheme bool, ar fosite.Requester) bool {
	bound := sessionJKT(ar.GetSession())
	switch {
	case bound == "" && !dpopScheme:
		return true
	case bound == "":
		p.dpopError(w, "invalid_token", "This access token is not bound to a DPoP key: send it as Authorization: Bearer.")
		return false
	case !dpopScheme:
		p.dpopError(w, "invalid_token", "This access token is bound to a DPoP key: send it as Authorization: DPoP, with a DPoP proof made with that key.")
		return false
	case p.cfg.DPoP == nil:
		p.dpopError(w, "invalid_token", "This access token is bound to a DPoP key, and DPoP is turned off here.")
		return false
	}
	p.sendNonce(w)
	raw, err := dpop.ProofFrom(r.Header)
	if err == nil && raw == "" {
		p.dpopError(w, "invalid_dpop_proof", "A DPoP proof is required with this access token: send one in the DPoP header.")
		return false
	}
	var proof dpop.Proof
	if err == nil {
		proof, err = p.cfg.DPoP.Verify(r.Context(), raw, r.Method, p.cfg.Issuer+"/userinfo", token)
	}
	if err != nil {
		var rfc *fosite.RFC6749Error
		if !errors.As(proofError(err), &rfc) || rfc.CodeField >= http.StatusInternalServerError {
			p.logServerError(r.Context(), "userinfo", fosite.ErrServerError.WithWrap(err))
			writeFositeError(w, fosite.ErrServerError.WithWrap(err))
			return false
		}
		p.dpopError(w, rfc.ErrorField, rfc.GetDescription())
		return false
	}
	if proof.JKT != bound {
		p.dpopError(w, "invalid_dpop_proof", "The DPoP proof was made with another key than the one this access token is bound to.")
		return false
	}
	return true
}

// dpopChallenge is the DPoP scheme's challenge with the accepted
// algorithms (RFC 9449 section 7.1).
func (p *Provider) dpopChallenge() string {
	return `DPoP algs="` + strings.Join(p.cfg.DPoP.Algs(), " ") + `"`
}

// dpopError refuses a request to a protected resource of the provider
// (userinfo) with a DPoP challenge: 401 and the error in the challenge and
// the body.
func (p *Provider) dpopError(w http.ResponseWriter, code, description string) {
	challenge := "DPoP "
	if p.cfg.DPoP != nil {
		challenge = p.dpopChallenge() + ", "
	}
	w.Header().Set("WWW-Authenticate", challenge+fmt.Sprintf(`error=%q, error_description=%q`, code, description))
	web.JSON(w, http.StatusUnauthorized, oauthError{Error: code, Description: description})
}
