// Package web renders the provider's pages: sign-in, consent, sign-out,
// signed-out and error. The handlers that own those routes (provider/login,
// provider/consent, provider/oauth) fill a typed view (LoginPage,
// ConsentPage, ...) and call the matching Renderer method; this package
// never decides what a request means.
//
// Routes owned here:
//
//	GET /static/   the pages' style sheet, from templates/static
//
// New parses every page from templates.FS() once per locale with the shared
// layout, and refuses to start if a page or a static file is missing, if a
// template file is used by no page, or if a template asks for a message
// that is not in the catalogue (messages.go) in both English and
// Simplified Chinese. Each page's language is chosen per request (locale.go),
// from the OpenID Connect ui_locales parameter, then Accept-Language.
//
// A page is rendered into a buffer before anything is written, so a
// template error reaches the handler as an error and never as half a page.
// Every page is sent with no-store caching and a Content-Security-Policy
// that allows only this site's style sheet: no scripts, no inline styles.
package web
