package web

import (
	"net/http"
	"net/url"
)

// frame is what the layout shows around a page that depends on the
// request rather than on the page's view: the language switcher and, when
// someone is signed in, who, with links to the account page and to sign
// out. render fills it in, so no page handler has to.
type frame struct {
	// Languages are the switcher's entries, one per locale, in the
	// order of locales(); none on a page that shows no switcher.
	Languages []languageLink
	// Who is who is signed in to the browser; empty when nobody is, or
	// on a page where the signed-in bar has no place.
	Who string
}

// languageLink is one language of the switcher.
type languageLink struct {
	Tag Locale
	// Name is the language's name in its own language.
	Name string
	// URL switches to the language and comes back to the page; empty for
	// the page's own language, which is shown as the current one.
	URL string
}

// carriedFields are the fields of a posted form that say where a sign-in
// is headed: a page answering the form keeps them in its switcher's return
// address, so that switching shows the form again on the same way.
func carriedFields() []string { return []string{"flow", "next"} }

// addresser is a view that knows its own address better than the
// request does: a page answering a form whose GET address holds more
// than carriedFields (the new-password page's link token).
type addresser interface {
	pageAddress() string
}

// frame returns the frame of page, rendered in loc with status for req,
// and view's (see addresser).
func (r *Renderer) frame(req *http.Request, status int, page string, loc Locale, view any) frame {
	if page == pageFormPost {
		// Shown for an instant while it posts itself to the app: a switch
		// would replay the authorization request, and the sign-out link
		// would race the response on its way.
		return frame{}
	}
	back := pageAddress(req, status)
	if a, ok := view.(addresser); ok {
		back = localPath(a.pageAddress())
	}
	f := frame{Languages: r.languageLinks(loc, back)}
	switch page {
	case pageLogout, pageLoggedOut:
		// The sign-out confirmation and its result: a sign-out link there
		// would lead to the page itself.
	default:
		if r.signedIn != nil {
			if who, ok := r.signedIn(req); ok {
				f.Who = who
			}
		}
	}
	return f
}

// languageLinks are the switcher's entries on a page in loc whose return
// address is back.
func (r *Renderer) languageLinks(loc Locale, back string) []languageLink {
	var links []languageLink
	for _, l := range locales() {
		link := languageLink{Tag: l, Name: ownName(l)}
		if l != loc {
			link.URL = langPath + "?to=" + url.QueryEscape(string(l)) + "&back=" + url.QueryEscape(back)
		}
		links = append(links, link)
	}
	return links
}

// pageAddress is the address the switcher returns to from a page answered
// with status, kept to this site by localPath: for a GET, the page's own,
// path and query. A form refused (a 4xx or 5xx) returns to the form's page
// with carriedFields of the form, which shows the form again; a form's
// result (a page saying it is done, or what to do next) to the start page,
// as the result cannot be shown again and the form's address may name
// what is gone (a deleted app). A page that does not exist returns to the
// start page too, so that it repeats nothing of the address asked for, not
// even in a link. The switcher's own error page returns to where the
// switch was to go back to.
func pageAddress(req *http.Request, status int) string {
	form := req.Method != http.MethodGet && req.Method != http.MethodHead
	switch {
	case req.URL.Path == langPath:
		return localPath(req.URL.Query().Get("back"))
	case status == http.StatusNotFound, form && status < http.StatusBadRequest:
		return "/"
	}
	q := req.URL.RawQuery
	if form && req.PostForm != nil {
		// Only a form the handler has read: the body is not read here.
		kept := url.Values{}
		for _, k := range carriedFields() {
			if v := req.PostForm.Get(k); v != "" {
				kept.Set(k, v)
			}
		}
		if e := kept.Encode(); e != "" {
			if q != "" {
				q += "&"
			}
			q += e
		}
	}
	addr := req.URL.EscapedPath()
	if q != "" {
		addr += "?" + q
	}
	if back := localPath(addr); back != "/" || len(addr) <= maxBack {
		return back
	}
	// Too long with its query: the page's path at least.
	return localPath(req.URL.EscapedPath())
}

// sampleMeta is the meta the sample views are rendered with at start-up:
// every part of the frame shown, so that the layout's branches are
// checked too.
func (r *Renderer) sampleMeta(loc Locale) meta {
	m := r.meta(loc)
	*m.Frame = frame{Languages: r.languageLinks(loc, "/"), Who: "sample@example.com"}
	return m
}
