package oauth

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ory/fosite"

	"github.com/tokenim/tokenim-auth/provider/authzdetails"
	"github.com/tokenim/tokenim-auth/provider/params"
)

// Bounds of an authorization request. It comes in a URL, and its state
// and any error go back to the client in one: the Location header of the
// redirect, which proxies and browsers cap at a few KiB.
const (
	// maxAuthorizeQuery bounds the query of an authorization request: 8
	// KiB, the request line common servers and proxies accept (nginx's
	// default large_client_header_buffers). A client with more to send
	// pushes it (RFC 9126).
	maxAuthorizeQuery = 8 << 10
	// maxParameter bounds each parameter of an authorization request,
	// pushed or not: 2 KiB holds any redirect URI, scope list, nonce or
	// state clients send (state is a random value or a short encoded
	// blob; most clients use 32 to a few hundred bytes).
	maxParameter = 2 << 10
	// maxEchoed bounds the error description sent back in a redirect:
	// fosite's hints quote what the request sent (a scope, a prompt).
	maxEchoed = 512
)

// errRepeated refuses a request with a parameter sent more than once
// (params.Repeated).
func errRepeated(name string) *fosite.RFC6749Error {
	return fosite.ErrInvalidRequest.WithHintf("The parameter %q is sent more than once; send each parameter once (RFC 6749 section 3.1).", name)
}

// answerShaping are the parameters that say where and how the answer to
// an authorization request goes: sent twice, there is no telling which
// the client meant, so the request ends on the error page.
var answerShaping = []string{"client_id", "redirect_uri", "request_uri", "response_mode", "response_type", "state"}

// oversized reports whether an authorization request is over the bounds
// (maxAuthorizeQuery, maxParameter), leaving out the client credentials a
// pushed request carries.
func oversized(rawQuery string, form url.Values) bool {
	if len(rawQuery) > maxAuthorizeQuery {
		return true
	}
	for name, values := range form {
		if slices.Contains(clientCredentials, name) {
			continue
		}
		limit := maxParameter
		if name == authzdetails.Param {
			// Bounded by its own parser (RFC 9396 objects are longer).
			limit = authzdetails.MaxBytes
		}
		if len(name) > maxParameter || slices.ContainsFunc(values, func(v string) bool { return len(v) > limit }) {
			return true
		}
	}
	return false
}

// errOversized refuses a pushed request over maxParameter.
func errOversized() *fosite.RFC6749Error {
	return fosite.ErrInvalidRequest.WithHintf("A parameter is longer than %d bytes; keep state, nonce, scope and redirect_uri short.", maxParameter)
}

// checkQuery checks a new authorization request's query before anything
// is read from it: an oversized request, or one repeating a parameter
// that shapes the answer, ends on the error page and false is returned.
// Another repeated parameter is returned, for the client to be told by
// redirect once its redirect URI is known good.
func (p *Provider) checkQuery(w http.ResponseWriter, r *http.Request) (repeated string, ok bool) {
	q := r.URL.Query()
	if oversized(r.URL.RawQuery, q) {
		p.logger.InfoContext(r.Context(), "oversized authorization request refused", "bytes", len(r.URL.RawQuery))
		p.errorPage(w, r, http.StatusBadRequest, "error.request_too_large")
		return "", false
	}
	repeated = params.Repeated(q)
	if slices.Contains(answerShaping, repeated) {
		p.errorPage(w, r, http.StatusBadRequest, "error.invalid_request")
		return "", false
	}
	return repeated, true
}

// checkRedirectURI is the one check, after fosite's, of the redirect URI
// an authorization request (pushed or not) is answered at. fosite matches
// a loopback URI with any port and ignores a user@ part, for any client
// (RFC 8252 section 7.3 relaxes only native apps'). Here it must be one the
// client registered, exactly; only a public (native) client's loopback
// URI, http://127.0.0.1 or http://[::1], may differ in its port, with the
// same path and query. A redirect URI with a user name or password is
// never used.
func checkRedirectURI(ar fosite.AuthorizeRequester) error {
	u := ar.GetRedirectURI()
	if u == nil {
		return nil // fosite has not matched one: nothing is redirected
	}
	if u.User != nil {
		return fosite.ErrInvalidRequest.WithHint("A redirect_uri may not carry a user name or password.")
	}
	requested := ar.GetRequestForm().Get("redirect_uri")
	registered := ar.GetClient().GetRedirectURIs()
	if requested == "" || slices.Contains(registered, requested) || (ar.GetClient().IsPublic() && loopbackPortOnly(requested, registered)) {
		return nil
	}
	return fosite.ErrInvalidRequest.WithHint("The redirect_uri must be one the client registered, exactly; only a native app's loopback redirect URI may change its port (RFC 8252 section 7.3).")
}

// loopbackPortOnly reports whether requested is one of registered's
// loopback IP redirect URIs with another port (RFC 8252 section 7.3).
func loopbackPortOnly(requested string, registered []string) bool {
	req, err := url.Parse(requested)
	if err != nil || req.Scheme != "http" || req.User != nil || req.Fragment != "" || !loopbackIP(req.Hostname()) {
		return false
	}
	return slices.ContainsFunc(registered, func(s string) bool {
		reg, err := url.Parse(s)
		return err == nil && reg.Scheme == "http" && reg.User == nil && reg.Hostname() == req.Hostname() &&
			reg.Path == req.Path && reg.RawQuery == req.RawQuery
	})
}

// loopbackIP is RFC 8252 section 7.3's loopback literals; "localhost" is
// not one (section 8.3).
func loopbackIP(host string) bool {
	return host == "127.0.0.1" || host == "::1"
}

// forRedirect prepares the error of an authorization request for the
// redirect to the client: in a form_post when the client asked for one,
// otherwise in the query (an unsupported response_mode too), with iss
// (RFC 9207) either way; and the description is cut to maxEchoed bytes.
func forRedirect(ar fosite.AuthorizeRequester, err error) error {
	if a, ok := ar.(*fosite.AuthorizeRequest); ok && a.ResponseMode != fosite.ResponseModeFormPost {
		a.ResponseMode = fosite.ResponseModeQuery
	}
	var rfc *fosite.RFC6749Error
	if !errors.As(err, &rfc) || len(rfc.GetDescription()) <= maxEchoed {
		return err
	}
	clipped := strings.ToValidUTF8(rfc.GetDescription()[:maxEchoed], "") + "…"
	return (&fosite.RFC6749Error{ErrorField: rfc.ErrorField, DescriptionField: clipped, CodeField: rfc.CodeField}).WithWrap(err)
}
