package web

import (
	"cmp"
	"net/http"
	"time"
)

// SecretShownPage is the view of the page showing an app's secret, once:
// right after the app was registered (Created) or a new secret was made.
// It has no form; a button links to /apps/{ClientID}.
type SecretShownPage struct {
	UILocales string
	ClientID  string
	// AppName is the app's name; empty shows ClientID.
	AppName string
	// Secret is the new secret in clear, shown in the element with
	// id="client-secret" with a warning that it will not be shown again.
	// Empty, for an app that has no secret (AppKindNative), says so
	// instead.
	Secret string
	// ExpiresAt is when the secret expires; zero shows "never".
	ExpiresAt time.Time
	// Created titles the page "Your app is ready" rather than "Your new
	// secret".
	Created bool
}

type secretShownView struct {
	meta
	SecretShownPage
	App        string
	AppURL     string
	Expires    string
	ExpiresISO string
}

// SecretShown renders the page showing a new secret with the given status
// (201 after creating it). Like every page it is sent with no-store
// caching, so the secret stays out of caches.
func (r *Renderer) SecretShown(w http.ResponseWriter, req *http.Request, status int, p SecretShownPage) error {
	loc := r.Locale(req, p.UILocales)
	v := secretShownView{
		meta:            r.meta(loc),
		SecretShownPage: p,
		App:             cmp.Or(p.AppName, p.ClientID),
		AppURL:          appURL(p.ClientID),
	}
	v.Expires, v.ExpiresISO = formatTime(p.ExpiresAt)
	return r.render(w, req, status, pageSecretShown, loc, v)
}
