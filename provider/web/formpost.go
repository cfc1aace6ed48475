package web

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// FormPostPage carries an authorization response to the app in the body
// of a POST to its redirect URI (OAuth 2.0 Form Post Response Mode): a
// form that submits itself, with a button for a browser without scripts.
type FormPostPage struct {
	UILocales string
	// Action is the app's redirect URI, validated by the caller.
	Action string
	// Params are the response's parameters (code or error, state, iss).
	Params url.Values
}

// formPostField is one hidden field of the form.
type formPostField struct{ Name, Value string }

type formPostView struct {
	meta
	Action string
	Fields []formPostField
	Script template.JS
}

// formPostScript submits the form once the page has loaded; the page's
// Content-Security-Policy allows it, and nothing else, by its hash.
const formPostScript = `document.forms[0].submit();`

// formPostScriptHash is formPostScript's CSP hash source.
func formPostScriptHash() string {
	sum := sha256.Sum256([]byte(formPostScript))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// formPostCSP is the form_post page's Content-Security-Policy: the pages'
// own (pageCSP), the submitting script by its hash, and the form's
// action limited to the redirect URI's origin.
func formPostCSP(origin string) string {
	return pageCSP + "; script-src " + formPostScriptHash() + "; form-action " + origin
}

// sourceOrigin is the CSP source expression of an absolute URL's origin:
// scheme://host[:port] for http and https, the scheme alone for an app's
// own scheme. Anything that could end the directive is refused.
func sourceOrigin(action string) (string, error) {
	u, err := url.Parse(action)
	if err != nil || u.Scheme == "" {
		return "", fmt.Errorf("web: %q is not an absolute URL", action)
	}
	origin := u.Scheme + ":"
	if u.Scheme == "http" || u.Scheme == "https" {
		origin = u.Scheme + "://" + u.Host
	}
	if u.Opaque != "" || strings.ContainsFunc(origin, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-+:/[]", r))
	}) {
		return "", fmt.Errorf("web: %q has no origin a Content-Security-Policy can name", action)
	}
	return origin, nil
}

// FormPost renders the form_post page. Its Content-Security-Policy
// replaces the pages' own: the one inline script by hash, and form-action
// the redirect URI's origin alone.
func (r *Renderer) FormPost(w http.ResponseWriter, req *http.Request, p FormPostPage) error {
	origin, err := sourceOrigin(p.Action)
	if err != nil {
		return fmt.Errorf("web: form_post action: %w", err)
	}
	loc := r.Locale(req, p.UILocales)
	v := formPostView{meta: r.meta(loc), Action: p.Action, Script: template.JS(formPostScript)}
	for name, values := range p.Params {
		for _, value := range values {
			v.Fields = append(v.Fields, formPostField{Name: name, Value: value})
		}
	}
	return r.renderCSP(w, req, http.StatusOK, pageFormPost, loc, v, formPostCSP(origin))
}
