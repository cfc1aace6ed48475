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
	// log line: Error logs every error page it renders with it.
	RequestID string
	// Detail says why, for that log line only; the page never shows it.
	Detail string
}

type errorView struct {
	meta
	ErrorPage
	TitleText   string
	MessageText string
}

// Error renders the error page with the given status, and logs it at
// info with its reference, message key and detail: the user sees only the
// reference, and support finds the why by it. Faults of the provider are
// logged at error where they are handled; this line is the one every
// error page has, client mistakes included.
func (r *Renderer) Error(w http.ResponseWriter, req *http.Request, status int, p ErrorPage) error {
	attrs := []any{"status", status, "path", req.URL.Path, "reason", p.Message, "reference", p.RequestID}
	if p.Detail != "" {
		attrs = append(attrs, "detail", p.Detail)
	}
	r.logger.InfoContext(req.Context(), "error page shown", attrs...)
	loc := r.Locale(req, p.UILocales)
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
