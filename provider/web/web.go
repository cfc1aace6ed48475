package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/i18n"
)

// Config holds what a Renderer is built from.
type Config struct {
	// FS holds the page templates at its root and the static files under
	// static/: templates.FS().
	FS fs.FS
	// Logger receives warnings about message keys and scopes the catalogue
	// does not know. Nil discards them.
	Logger *slog.Logger
	// SignedIn tells who is signed in to the browser that sent a request
	// (an email address or a name), for the bar every page but the
	// sign-out ones shows with links to the account page and to sign
	// out. It must answer fast and never fail a page: when it cannot
	// tell, it answers not ok and the bar is not shown. Nil shows no bar.
	SignedIn func(*http.Request) (who string, ok bool)
	// SecureCookies marks the language cookie Secure and names it with
	// the __Host- prefix, as the session cookies are: everywhere but
	// dev mode over http.
	SecureCookies bool
}

// Renderer renders the provider's pages and serves their static files.
// It is safe for concurrent use.
type Renderer struct {
	logger *slog.Logger
	msgs   i18n.Catalogue
	// pages holds each page parsed with the layout, once per locale.
	pages    map[string]map[Locale]*template.Template
	assets   map[string]asset
	styleURL string
	// scriptURL is the passkey script's versioned address.
	scriptURL string
	scopes    atomic.Pointer[map[string]map[Locale]string]
	locales   chooser
	signedIn  func(*http.Request) (string, bool)
	// langCookie is the name of the cookie keeping the language chosen
	// with the switcher; secure marks it Secure.
	langCookie string
	secure     bool
}

// The pages, by template file name without ".html".
const (
	pageLogin       = "login"
	pageConsent     = "consent"
	pageLogout      = "logout"
	pageLoggedOut   = "logged_out"
	pageError       = "error"
	pageRegister    = "register"
	pageCheckEmail  = "check_email"
	pageForgot      = "forgot"
	pageReset       = "reset"
	pageMessage     = "message"
	pageMFA         = "mfa"
	pageAccount     = "account"
	pageApps        = "apps"
	pageAppForm     = "app_form"
	pageSecretShown = "secret_shown"
	pageDeleteApp   = "delete_app"
	pageDevice      = "device"
	pageActivate    = "activate"
	pageFormPost    = "form_post"
	pageInvitation  = "invitation"
	// pageInstall is where a member installs an app into a workspace.
	pageInstall = "install"
	// pageWorkspaceChooser is where a member of several workspaces picks
	// the one an app's sign-in is for.
	pageWorkspaceChooser = "workspace_chooser"
	// pageDirectory is a directory connector's (LDAP) sign-in page.
	pageDirectory = "directory"
)

func pageNames() []string {
	return append([]string{
		pageLogin, pageConsent, pageLogout, pageLoggedOut, pageError,
		pageRegister, pageCheckEmail, pageForgot, pageReset, pageMessage, pageMFA, pageAccount,
		pageApps, pageAppForm, pageSecretShown, pageDeleteApp, pageDevice, pageActivate, pageFormPost, pageAccountConfirm, pageInvitation,
		pageWorkspaceChooser, pageInstall, pageDirectory,
	}, adminPageNames()...)
}

// layoutFile wraps every page: it calls the page's "title" and "main".
const layoutFile = "layout.html"

// pageCSP is every page's Content-Security-Policy: the site's own style
// sheet and nothing else. It has no form-action directive on purpose:
// after a form is posted the provider redirects the browser to the app's
// redirect URI, and browsers apply form-action to that redirect too, which
// would block every sign-in.
// Pages showing app logos widen img-src to the logos' origins (logoCSP).
const pageCSP = "default-src 'none'; style-src 'self'; " + pageImgSrc + "; base-uri 'none'; frame-ancestors 'none'"

// scriptCSP is the Content-Security-Policy of the pages that run the
// passkey script (scriptPages): pageCSP with the site's own scripts, which
// call the provider's own endpoints, and nothing else (no inline script,
// no other origin).
const scriptCSP = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; " + pageImgSrc + "; base-uri 'none'; frame-ancestors 'none'"

// scriptPages are the pages that use passkeys.
func scriptPage(page string) bool {
	return page == pageLogin || page == pageMFA || page == pageAccount
}

// New parses every page once per locale and checks, before the provider
// serves anything, that each page, each message its templates use (in
// both languages) and the style sheet exist, and that every template file
// in cfg.FS belongs to a page.
func New(cfg Config) (*Renderer, error) {
	return newRenderer(cfg, messages())
}

// newRenderer is New with the message catalogue as a parameter, so tests
// can check what New does with an incomplete one.
func newRenderer(cfg Config, msgs i18n.Catalogue) (*Renderer, error) {
	if cfg.FS == nil {
		return nil, errors.New("web: no template file system")
	}
	logger := defaults.Logger(cfg.Logger)
	// The texts shown in place of a view's missing or unknown keys.
	for _, key := range []string{genericKey, messageTitleKey, linkTextKey} {
		for _, loc := range locales() {
			if _, ok := msgs.Lookup(loc, key); !ok {
				return nil, fmt.Errorf("web: message %q has no %s text", key, loc)
			}
		}
	}
	assets, err := loadAssets(cfg.FS)
	if err != nil {
		return nil, err
	}
	style, ok := assets[styleSheet]
	if !ok {
		return nil, fmt.Errorf("web: static/%s is missing", styleSheet)
	}
	script, ok := assets[passkeyScript]
	if !ok {
		return nil, fmt.Errorf("web: static/%s is missing", passkeyScript)
	}
	r := &Renderer{
		logger:  logger,
		msgs:    msgs,
		locales: newChooser(),
		pages:   map[string]map[Locale]*template.Template{},
		assets:  assets,
		// The version makes the URL change with the file, so browsers may
		// keep it for a year (see serveStatic).
		styleURL:   "/static/" + styleSheet + "?v=" + style.version,
		scriptURL:  "/static/" + passkeyScript + "?v=" + script.version,
		signedIn:   cfg.SignedIn,
		langCookie: langCookieName(cfg.SecureCookies),
		secure:     cfg.SecureCookies,
	}
	var errs []error
	used := map[string]bool{layoutFile: true, adminPartials: true}
	for _, page := range pageNames() {
		used[page+".html"] = true
		if err := r.parse(cfg.FS, page); err != nil {
			errs = append(errs, err)
		}
	}
	if err := checkUnused(cfg.FS, used); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// parse parses one page with the layout for each locale, checks its
// messages and renders it with sample views, so that a template that
// cannot render fails start-up rather than a request.
func (r *Renderer) parse(fsys fs.FS, page string) error {
	file := page + ".html"
	r.pages[page] = map[Locale]*template.Template{}
	for _, loc := range locales() {
		t, err := template.New(file).
			Funcs(template.FuncMap{"t": r.msgs.Translator(loc)}).
			ParseFS(fsys, pageFiles(page)...)
		if err != nil {
			return fmt.Errorf("web: parse %s page: %w", page, err)
		}
		// The trees are the same in every locale: check the keys once.
		if loc == English {
			if err := checkMessages(t, r.msgs); err != nil {
				return fmt.Errorf("web: %s page: %w", page, err)
			}
		}
		for _, v := range samples(page, r.sampleMeta(loc)) {
			if err := t.ExecuteTemplate(io.Discard, "layout", v); err != nil {
				return fmt.Errorf("web: render %s page (%s) with sample data: %w", page, loc, err)
			}
		}
		r.pages[page][loc] = t
	}
	return nil
}

// Locale returns the language a page for req is in, given the
// authorization request's ui_locales (or ""): every page's render method
// asks it, and so do handlers whose email should match the page the user
// saw. The order (ui_locales, the switcher's cookie, Accept-Language) is
// chooser.choose's.
func (r *Renderer) Locale(req *http.Request, uiLocales string) Locale {
	cookie := ""
	if c, err := req.Cookie(r.langCookie); err == nil {
		cookie = c.Value
	}
	return r.locales.choose(uiLocales, cookie, req.Header.Get("Accept-Language"))
}

// meta is what the layout needs on every page. Frame, what the layout
// shows around the page that depends on the request (the language
// switcher, who is signed in), is filled in by render, which has the
// request: the render methods build meta with r.meta(loc) alone.
type meta struct {
	Lang     Locale
	StyleURL string
	Frame    *frame
}

func (r *Renderer) meta(loc Locale) meta {
	return meta{Lang: loc, StyleURL: r.styleURL, Frame: &frame{}}
}

// pageFrame is how render reaches the frame of any view: each embeds meta.
func (m meta) pageFrame() *frame { return m.Frame }

// message returns the text of a message key a handler put in a view field,
// filled with args (the view's ErrorArg, where it has one). Such keys
// cannot be checked at start-up: an unknown one, or one that takes more
// arguments than it was given, shows the generic error title rather than
// failing the page or printing a fmt error, and is logged. Arguments the
// text does not take are left out, and logged.
func (r *Renderer) message(ctx context.Context, loc Locale, field, key string, args ...any) string {
	if key == "" {
		return ""
	}
	s, ok := r.msgs.LookupFor(loc, key, args...)
	if !ok {
		r.logger.WarnContext(ctx, "unknown page message key", "key", key, "field", field)
		s, _ := r.msgs.Lookup(loc, genericKey)
		return s
	}
	want := i18n.Verbs(s)
	if want != len(args) {
		r.logger.WarnContext(ctx, "page message key given the wrong number of arguments",
			"key", key, "field", field, "takes", want, "given", len(args))
		if want > len(args) {
			s, _ := r.msgs.Lookup(loc, genericKey)
			return s
		}
	}
	if want == 0 {
		return s
	}
	return fmt.Sprintf(s, args[:want]...)
}

// arg is a view's optional message argument as message takes it: none
// when empty.
func arg(s string) []any {
	if s == "" {
		return nil
	}
	return []any{s}
}

// render executes a page into a buffer and only then writes headers,
// status and body: a template error returns with nothing written, so the
// caller can still answer with an error page. A failure to write the body
// (the browser went away) is only logged, as nothing more can be sent.
func (r *Renderer) render(w http.ResponseWriter, req *http.Request, status int, page string, loc Locale, view any) error {
	if scriptPage(page) {
		return r.renderCSP(w, req, status, page, loc, view, scriptCSP)
	}
	return r.renderCSP(w, req, status, page, loc, view, pageCSP)
}

// renderCSP is render with the page's Content-Security-Policy.
func (r *Renderer) renderCSP(w http.ResponseWriter, req *http.Request, status int, page string, loc Locale, view any, csp string) error {
	if status == 0 {
		status = http.StatusOK
	}
	if v, ok := view.(interface{ pageFrame() *frame }); ok && v.pageFrame() != nil {
		*v.pageFrame() = r.frame(req, status, page, loc, view)
	}
	var buf bytes.Buffer
	if err := r.pages[page][loc].ExecuteTemplate(&buf, "layout", view); err != nil {
		return fmt.Errorf("web: render %s page (%s): %w", page, loc, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", string(loc))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	// Pages carry CSRF tokens, flow IDs and email addresses: no cache may
	// keep them (RFC 9111 section 5.2.2.5).
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", csp)
	w.WriteHeader(status)
	if _, err := w.Write(buf.Bytes()); err != nil {
		r.logger.DebugContext(req.Context(), "write page", "page", page, "err", err)
	}
	return nil
}
