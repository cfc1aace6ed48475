// Package web renders the provider's pages: sign-in and its two-step
// verification step, consent, sign-out, signed-out, registration,
// check-your-email, account activation, forgotten and new password, account, the developer
// portal (apps, app form, a secret shown once, deleting an app), the admin
// console (admin_*.html: records, users, a user, apps, an app, a scope's
// grants, a confirmation; parsed with admin_partials.html and linking
// static/admin.css), result messages and error. The handlers that own those routes (provider/login,
// provider/consent, provider/oauth, provider/portal, ...) fill a typed
// view (LoginPage, MFAPage, ConsentPage, RegisterPage, AccountPage,
// AppFormPage, ...) and call the
// matching Renderer method; this package never decides what a request
// means. Each view's doc comment names the fields its forms post, and
// where.
//
// Handlers pass texts as message keys (LoginPage.Error, ErrorPage.Message,
// AccountPage.Notice, MessagePage.Title, ...), never as text, so that each
// page stays in one language. A key that takes an argument gets it from the
// view's ErrorArg (login.throttled, portal.redirect_invalid). A key the catalogue does not know is
// logged and shown as the generic error title.
//
// Every page shares the layout (layout.html): a header with a language
// switcher (English, 简体中文), whose links go to GET /lang with the page's
// own address as back, and, when someone is signed in (Config.SignedIn),
// who with links to the account page and to sign out. Render fills both
// in from the request (frame.go), so no handler passes them. The
// sign-out confirmation and signed-out pages show no signed-in bar; the
// form_post page, shown for an instant, shows neither.
//
// Routes:
//
//	GET /static/   the pages' style sheet, from templates/static
//	GET /lang      switch the pages' language (?to=en or zh-CN), remembered in a cookie, and go back to ?back=, a path on this site
//
// New parses every page from templates.FS() once per locale with the shared
// layout, and refuses to start if a page or a static file is missing, if a
// template file is used by no page, or if a template asks for a message
// that is not in the catalogue (messages.go) in both English and
// Simplified Chinese. Each page's language is chosen per request (locale.go),
// from the OpenID Connect ui_locales parameter, then the language chosen
// with the switcher, then Accept-Language.
//
// A page is rendered into a buffer before anything is written, so a
// template error reaches the handler as an error and never as half a page.
// Every page is sent with no-store caching and a Content-Security-Policy
// that allows only this site's style sheet and images from this site or
// data: URIs (the account page's QR code): no scripts, no inline styles.
// The one exception is the form_post page (formpost.go), which carries an
// authorization response to an app: its policy allows its one inline
// script by hash and its form to post to the redirect URI's origin alone.
package web

import "net/http"

// Mux is what Mount registers the routes on: an *http.ServeMux, or a
// test's recorder (provider/internal/routetest). It is an alias of the
// same interface type in every package that mounts routes, so each one's
// Mount is a provider.Mounter.
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}
