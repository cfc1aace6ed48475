package web

import (
	"cmp"
	"net/http"
)

// MessagePage's texts when the handler gives none.
const (
	messageTitleKey = "message.title"
	linkTextKey     = "message.continue"
)

// MessagePage is the view of a page reporting the result of following an
// emailed link or of a form with nowhere else to go: "Your account is
// active", "This reset link has expired", ... All its texts are message
// keys, as ErrorPage's are.
type MessagePage struct {
	UILocales string
	// Title is a message key ("activate.title", "reset.title", ...); empty
	// means "message.title".
	Title string
	// Message is a message key ("activate.done", "reset.done", ...), or
	// empty.
	Message string
	// MessageArg fills a Message that takes one argument
	// ("scope.not_allowed": the scopes the role does not allow).
	MessageArg string
	// LinkURL, when set, adds a button linking there: the way forward.
	LinkURL string
	// LinkText is the button's message key ("message.sign_in",
	// "message.new_link", "message.account"); empty means
	// "message.continue".
	LinkText string
}

type messageView struct {
	meta
	MessagePage
	TitleText   string
	MessageText string
	// LinkLabel is the button's text, empty when there is no link.
	LinkLabel string
}

// Message renders a result page with the given status.
func (r *Renderer) Message(w http.ResponseWriter, req *http.Request, status int, p MessagePage) error {
	loc := r.Locale(req, p.UILocales)
	title := p.Title
	if title == "" {
		title = messageTitleKey
	}
	v := messageView{
		meta:        r.meta(loc),
		MessagePage: p,
		TitleText:   r.message(req.Context(), loc, "title", title),
		MessageText: r.message(req.Context(), loc, "message", p.Message, arg(p.MessageArg)...),
	}
	if p.LinkURL != "" {
		// An unknown key falls back to "Continue", which suits any link,
		// rather than to the generic error title.
		key := cmp.Or(p.LinkText, linkTextKey)
		if _, ok := r.msgs.Lookup(loc, key); !ok {
			r.logger.WarnContext(req.Context(), "unknown page message key", "key", key, "field", "link")
			key = linkTextKey
		}
		v.LinkLabel = r.message(req.Context(), loc, "link", key)
	}
	return r.render(w, req, status, pageMessage, loc, v)
}

// BusyPage is the result page of a request refused because the server is
// doing as much password work as it may (answered 503 with Retry-After):
// try again in a few seconds.
func BusyPage(uiLocales string) MessagePage {
	return MessagePage{UILocales: uiLocales, Title: "busy.title", Message: "busy.message"}
}
