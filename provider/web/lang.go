package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// langPath is the switcher's route: GET /lang?to=TAG&back=PATH.
const langPath = "/lang"

// langCookieLifetime is how long the language chosen with the switcher is
// remembered.
const langCookieLifetime = 365 * 24 * time.Hour

// langCookieName is the cookie keeping the language chosen with the
// switcher. With secure cookies it takes the __Host- prefix, as the
// session cookies do, so that no other host can set it for this one.
func langCookieName(secure bool) string {
	if secure {
		return "__Host-tokenim_lang"
	}
	return "tokenim_lang"
}

// maxBack bounds a return address, in bytes: a page's address longer than
// this is not carried through the switcher.
const maxBack = 2048

// localPath returns back when it is an address on this site the browser
// may be sent to after switching language, else "/": it starts with one
// "/" and is not followed by another "/" or a "\" (which a browser reads
// as the start of another host), holds no "\" at all, no control
// character (browsers drop tabs and newlines from an address, so "/\t/x"
// would become "//x"), is UTF-8, parses as a URL with neither scheme nor
// host, and is at most maxBack bytes. It is not the sign-in return rule
// (provider/login's safeNext), which allows only a few of the provider's
// own pages: a language switch returns to any page of the site, as a link
// on that page could.
func localPath(back string) string {
	switch {
	case len(back) == 0 || len(back) > maxBack || back[0] != '/',
		strings.HasPrefix(back, "//"),
		strings.ContainsRune(back, '\\'),
		!utf8.ValidString(back),
		strings.ContainsFunc(back, unicode.IsControl):
		return "/"
	}
	u, err := url.Parse(back)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return back
}

// switchLanguage remembers the language a reader chose with the switcher
// and sends the browser back to the page it was on (303 See Other to
// back, which localPath keeps on this site). A language the pages are not
// written in is a 400 page. It changes nothing but a preference of the
// browser, so it needs no CSRF token: a link on another site can at worst
// change the language of these pages, as the reader can with one click.
func (r *Renderer) switchLanguage(w http.ResponseWriter, req *http.Request) {
	q := req.URL.Query()
	to, ok := chosenLocale(q.Get("to"))
	if !ok {
		ShowError(r, r.logger, w, req, http.StatusBadRequest, "", "lang.unknown")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: r.langCookie, Value: string(to), Path: "/", MaxAge: int(langCookieLifetime / time.Second),
		HttpOnly: true, Secure: r.secure, SameSite: http.SameSiteLaxMode,
	})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, req, localPath(q.Get("back")), http.StatusSeeOther)
}
