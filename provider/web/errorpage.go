package web

import "net/http"

// ErrorPage is the error page's view: a short, safe explanation and a way
// forward; the details belong in the log line RequestID points to.
type ErrorPage struct {
	UILocales string
	// Title is a message key; empty means "error.title".
	Title string
	// Message is a message key ("error.csrf", ...), or empty.
	Message string
	// RequestID is shown small as "Reference: …" so support can find the
	// log line.
	RequestID string
}

type errorView struct {
	meta
	ErrorPage
	TitleText   string
	MessageText string
}

// Error renders the error page with the given status.
func (r *Renderer) Error(w http.ResponseWriter, req *http.Request, status int, p ErrorPage) error {
	loc := r.locales.choose(p.UILocales, req.Header.Get("Accept-Language"))
	title := p.Title
	if title == "" {
		title = genericKey
	}
	v := errorView{
		meta:        r.meta(loc),
		ErrorPage:   p,
		TitleText:   r.message(req.Context(), loc, "title", title),
		MessageText: r.message(req.Context(), loc, "message", p.Message),
	}
	return r.render(w, req, status, pageError, loc, v)
}
