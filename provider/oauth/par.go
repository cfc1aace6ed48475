package oauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ory/fosite"

	"github.com/tokenim/tokenim-auth/storage"
)

// parPrefix starts every request_uri the pushed authorization request
// endpoint issues (RFC 9126 section 2.2); fosite's default.
const parPrefix = "urn:ietf:params:oauth:request_uri:"

// par is the pushed authorization request endpoint (RFC 9126 section 2).
// The client authenticates as at the token endpoint and pushes the
// parameters of an authorization request; they are validated as at the
// authorization endpoint (and PKCE is required, as there) and stored, and
// the client gets a request_uri to send the browser to /oauth2/auth with.
// fosite's PAR handler does the protocol; the store below keeps the
// request.
func (p *Provider) par(w http.ResponseWriter, r *http.Request) {
	if !readClientForm(w, r, "Client authentication is required: send the client's credentials, or its client_id for a public client.") {
		return
	}
	p.sendNonce(w)
	r, secret := withSecretRecorder(r)
	ctx := r.Context()
	proof, err := p.requestProof(ctx, r, "/oauth2/par")
	if err == nil {
		err = pushedJKT(r, proof)
	}
	if err != nil {
		p.writePARError(w, r, err)
		return
	}
	// Sign-in scopes the client is not registered for are left out here,
	// as at the authorization endpoint. A client that authenticates with
	// an assertion names itself only inside it, unless it sends client_id
	// too: its request is checked as it came.
	id, _ := presentedCredentials(r)
	if kept, narrowed := p.registeredScope(ctx, id, r.Form.Get("scope")); narrowed {
		r.Form.Set("scope", kept)
		r.PostForm.Set("scope", kept)
	}
	ar, err := p.fosite.NewPushedAuthorizeRequest(ctx, r)
	switch {
	case err != nil:
	case oversized("", ar.GetRequestForm()):
		err = errOversized()
	default:
		err = checkRedirectURI(ar)
	}
	if err == nil {
		err = checkEarly(ar.GetRequestForm(), strings.Fields(ar.GetRequestForm().Get("prompt")))
	}
	if err == nil {
		_, err = p.requestedJKT(ar.GetRequestForm())
	}
	if err == nil {
		_, err = p.requestedResources(ar.GetRequestForm(), ar.GetClient())
	}
	if err != nil {
		p.writePARError(w, r, err)
		return
	}
	p.touch(ctx, ar.GetClient(), secret)
	resp, err := p.fosite.NewPushedAuthorizeResponse(ctx, ar, NewSession(""))
	if err != nil {
		p.writePARError(w, r, err)
		return
	}
	p.fosite.WritePushedAuthorizeResponse(ctx, w, ar, resp)
}

// writePARError answers a refused push with an RFC 6749 error (RFC 9126
// section 2.3): 401 invalid_client when the client did not authenticate,
// 400 for a bad request.
func (p *Provider) writePARError(w http.ResponseWriter, r *http.Request, err error) {
	err = p.expiredSecret(r, clientAuthError(r, err))
	p.logServerError(r.Context(), "par", err)
	writeFositeError(w, err)
}

// pushed reports whether an authorization request refers to a pushed one.
func pushed(r *http.Request) bool {
	return r.URL.Query().Get("request_uri") != ""
}

// refusePushed answers an authorization request whose request_uri is not
// usable (unknown, used, expired, or pushed by another client) on the
// error page, never by redirect: the redirect URI it would go to is the
// pushed request's, not one this request proved it may use.
func (p *Provider) refusePushed(w http.ResponseWriter, r *http.Request, err error) {
	var rfc *fosite.RFC6749Error
	if !errors.As(err, &rfc) || rfc.CodeField >= http.StatusInternalServerError || errors.Is(err, fosite.ErrServerError) {
		p.logServerError(r.Context(), "authorize", err)
		p.errorPage(w, r, http.StatusInternalServerError, "error.server")
		return
	}
	p.logger.InfoContext(r.Context(), "pushed authorization request refused", "client_id", r.URL.Query().Get("client_id"), "err", err)
	p.errorPage(w, r, http.StatusBadRequest, "error.invalid_request")
}

// requiresPAR reports whether c may only send pushed authorization
// requests (RFC 9126 section 5).
func requiresPAR(c fosite.Client) bool {
	fc, ok := c.(*client)
	return ok && fc.RequirePAR
}

// errPARRequired refuses a request sent without a request_uri by a client
// that must push its requests.
func errPARRequired() error {
	return fosite.ErrInvalidRequest.WithHint("This client must push its authorization requests to the pushed authorization request endpoint first (RFC 9126) and send the browser here with the request_uri it receives.")
}

// checkRequestURI refuses a request_uri this provider did not issue:
// there are no request objects by reference (request_uri_parameter_supported
// is false), only pushed requests.
func checkRequestURI(r *http.Request) error {
	if !strings.HasPrefix(r.URL.Query().Get("request_uri"), parPrefix) {
		return fosite.ErrInvalidRequestURI.WithHintf("Only request_uri values from the pushed authorization request endpoint (%s...) are accepted.", parPrefix)
	}
	return nil
}

// flowQuery is what a flow keeps of the authorization request r, to
// validate again when the flow resumes: the query as sent, or, for a
// pushed request, the parameters pushed, since its request_uri works only
// once.
func flowQuery(r *http.Request, ar fosite.AuthorizeRequester) string {
	if !pushed(r) {
		return r.URL.RawQuery
	}
	form := url.Values{}
	for k, v := range ar.GetRequestForm() {
		if k != "request_uri" {
			form[k] = v
		}
	}
	return form.Encode()
}

// parSignature is what a request_uri is stored under: a keyed hash, so
// that the stored records do not hold usable request_uris.
func parSignature(key []byte, requestURI string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("par\x00" + requestURI))
	return hex.EncodeToString(mac.Sum(nil))
}

// clientCredentials are the form parameters that authenticate a client:
// a pushed request is stored without them.
var clientCredentials = []string{"client_secret", "client_assertion", "client_assertion_type"}

// CreatePARSession implements fosite.PARStorage. The request is stored
// without the client's credentials, and expires after the configured
// lifespan by the provider's clock.
func (s *fositeStore) CreatePARSession(ctx context.Context, requestURI string, r fosite.AuthorizeRequester) error {
	form := url.Values{}
	for k, v := range r.GetRequestForm() {
		form[k] = v
	}
	for _, k := range clientCredentials {
		form.Del(k)
	}
	req := &fosite.AuthorizeRequest{
		ResponseTypes: r.GetResponseTypes(),
		RedirectURI:   r.GetRedirectURI(),
		State:         r.GetState(),
		ResponseMode:  r.GetResponseMode(),
		Request: fosite.Request{
			ID: r.GetID(), RequestedAt: r.GetRequestedAt(), Client: r.GetClient(),
			RequestedScope: r.GetRequestedScopes(), RequestedAudience: r.GetRequestedAudience(),
			Form: form, Session: r.GetSession(),
		},
	}
	t, err := s.token(storage.KindPAR, parSignature(s.parKey, requestURI), "", req)
	if err != nil {
		return err
	}
	t.ExpiresAt = s.now().UTC().Add(s.parLifespan).Truncate(time.Microsecond)
	return fositeError(s.store.CreateToken(ctx, t))
}

// GetPARSession implements fosite.PARStorage. It uses the request up, when
// the client presenting it is the one that pushed it:
// fosite reads and then deletes it, and of two requests presenting one
// request_uri at once both could read it; deleting it here lets exactly
// one through (RFC 9126 section 4: a request_uri is for one use). An
// expired request is refused.
func (s *fositeStore) GetPARSession(ctx context.Context, requestURI string) (fosite.AuthorizeRequester, error) {
	signature := parSignature(s.parKey, requestURI)
	tok, sr, req, err := s.load(ctx, storage.KindPAR, signature, nil)
	if err != nil {
		return nil, ourFault(err)
	}
	if !tok.ExpiresAt.After(s.now()) {
		return nil, fosite.ErrNotFound.WithDebug("the pushed authorization request expired")
	}
	// fosite compares the client only after using the request up: then
	// anyone who saw the URL could burn it by presenting it as another
	// client. Only the client that pushed it uses it up (RFC 9126
	// section 4); for another it does not exist.
	if hr, ok := ctx.Value(fosite.RequestContextKey).(*http.Request); !ok || hr.Form.Get("client_id") != sr.ClientID {
		return nil, fosite.ErrNotFound.WithDebug("the pushed authorization request belongs to another client")
	}
	if err := s.store.DeleteToken(ctx, storage.KindPAR, signature); err != nil {
		return nil, ourFault(fositeError(fmt.Errorf("oauth: use pushed authorization request: %w", err)))
	}
	ar := &fosite.AuthorizeRequest{
		ResponseTypes: sr.ResponseTypes,
		State:         sr.State,
		ResponseMode:  fosite.ResponseModeType(sr.ResponseMode),
		Request:       *req,
	}
	if sr.RedirectURI != "" {
		if ar.RedirectURI, err = url.Parse(sr.RedirectURI); err != nil {
			return nil, fmt.Errorf("oauth: decode the redirect URI of a pushed authorization request: %w", err)
		}
	}
	return ar, nil
}

// ourFault marks an error reading a pushed request as a server error,
// unless the request is simply not there (unknown, used, or its client
// gone): fosite reports both as invalid_request_uri, and the cause tells
// them apart for the error page and the log.
func ourFault(err error) error {
	if errors.Is(err, fosite.ErrNotFound) {
		return err
	}
	return fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
}

// DeletePARSession implements fosite.PARStorage. GetPARSession has used
// the request up already, so there is nothing left to delete.
func (s *fositeStore) DeletePARSession(ctx context.Context, requestURI string) error {
	err := s.store.DeleteToken(ctx, storage.KindPAR, parSignature(s.parKey, requestURI))
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return fositeError(err)
}
