package install

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// Mux is what Mount registers the routes on (see provider/admin.Mux).
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// Sessions tells who is signed in and protects forms.
type Sessions interface {
	Current(ctx context.Context, r *http.Request) (session.Signed, bool, error)
	Protect(h http.Handler) http.Handler
}

// Pages renders the installation page.
type Pages interface {
	Install(w http.ResponseWriter, r *http.Request, status int, p web.InstallPage) error
	Message(w http.ResponseWriter, r *http.Request, status int, p web.MessagePage) error
	Error(w http.ResponseWriter, r *http.Request, status int, p web.ErrorPage) error
}

// PageConfig holds the installation page's dependencies.
type PageConfig struct {
	Service  *Service
	Sessions Sessions
	Pages    Pages
	Logger   *slog.Logger
}

// Page serves the installation page.
type Page struct{ cfg PageConfig }

// NewPage returns the installation page.
func NewPage(cfg PageConfig) *Page {
	cfg.Logger = defaults.Logger(cfg.Logger)
	return &Page{cfg: cfg}
}

// PathPattern is the installation page's route, without its method.
const PathPattern = "/workspaces/{handle}/apps/{client_id}/install"

// Path returns the installation page's address for the workspace handle
// and the app.
func Path(handle, clientID string) string {
	return "/workspaces/" + url.PathEscape(handle) + "/apps/" + url.PathEscape(clientID) + "/install"
}

// Mount registers the page's routes, behind CSRF protection; a browser
// not signed in goes to sign in and comes back.
func (p *Page) Mount(mux Mux) {
	gate := session.Gate{Sessions: p.cfg.Sessions, Fail: func(w http.ResponseWriter, r *http.Request, err error) { p.fail(w, r, "load session", err) }}
	mux.Handle("GET "+PathPattern, p.cfg.Sessions.Protect(gate.Require(p.show)))
	mux.Handle("POST "+PathPattern, p.cfg.Sessions.Protect(gate.Require(p.request)))
}

// offer reads what the page shows, answering an unknown workspace or app
// and a non-member itself (ok false).
func (p *Page) offer(w http.ResponseWriter, r *http.Request, s session.Signed) (Offer, bool) {
	o, err := p.cfg.Service.OfferFor(r.Context(), r.PathValue("handle"), r.PathValue("client_id"), s.User.ID)
	switch {
	case errors.Is(err, ErrNotMember):
		web.ShowMessage(p.cfg.Pages, p.cfg.Logger, w, r, http.StatusForbidden, web.MessagePage{Title: "install.title", Message: "install.not_member"})
	case errors.Is(err, storage.ErrNotFound) || errors.Is(err, ErrAppUnavailable):
		web.ShowMessage(p.cfg.Pages, p.cfg.Logger, w, r, http.StatusNotFound, web.MessagePage{Title: "install.title", Message: "install.unknown"})
	case err != nil:
		p.fail(w, r, "read the offer", err)
	default:
		return o, true
	}
	return o, false
}

// view is the page for o, with the scopes ticked.
func (p *Page) view(r *http.Request, o Offer, checked []string) web.InstallPage {
	v := web.InstallPage{CSRFToken: session.CSRFToken(r), Workspace: o.Workspace.Name, App: o.Client.Name, ClientID: o.Client.ID,
		Action: Path(o.Workspace.Handle, o.Client.ID), Scopes: Wants(o.Client), Checked: checked, Installs: o.Installs}
	if o.Installed {
		in := o.Installation
		v.Status, v.Waiting, v.Reason = in.Status, in.Requested, in.Reason
	}
	return v
}

// show lists what the app asks for, ticked but for what the workspace
// declined, with the installation's state. Opening it changes nothing
// but an installation's re-approval (Sync).
func (p *Page) show(w http.ResponseWriter, r *http.Request, s session.Signed) {
	o, ok := p.offer(w, r, s)
	if !ok {
		return
	}
	checked := Wants(o.Client)
	if o.Installed {
		checked = without(checked, o.Installation.Declined)
	}
	w.Header().Set("Cache-Control", "no-store")
	web.Rendered(p.cfg.Logger, w, r, "install page", p.cfg.Pages.Install(w, r, http.StatusOK, p.view(r, o, checked)))
}

// request installs the app with the scopes ticked, or asks the admins
// to, then shows the page again (303) with the outcome.
func (p *Page) request(w http.ResponseWriter, r *http.Request, s session.Signed) {
	o, ok := p.offer(w, r, s)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		web.ShowMessage(p.cfg.Pages, p.cfg.Logger, w, r, http.StatusBadRequest, web.MessagePage{Title: "install.title", Message: "install.bad_scope"})
		return
	}
	scopes := r.PostForm["scope"]
	_, err := p.cfg.Service.Request(r.Context(), o.Workspace.ID, o.Client.ID, s.User.ID, scopes)
	var se *ScopeError
	switch {
	case errors.Is(err, ErrNoScopes) || errors.As(err, &se):
		v := p.view(r, o, scopes)
		v.Error = "install.no_scopes"
		if se != nil {
			v.Error = "install.bad_scope"
		}
		web.Rendered(p.cfg.Logger, w, r, "install page", p.cfg.Pages.Install(w, r, http.StatusBadRequest, v))
	case errors.Is(err, ErrNotMember):
		web.ShowMessage(p.cfg.Pages, p.cfg.Logger, w, r, http.StatusForbidden, web.MessagePage{Title: "install.title", Message: "install.not_member"})
	case errors.Is(err, ErrAppUnavailable):
		web.ShowMessage(p.cfg.Pages, p.cfg.Logger, w, r, http.StatusNotFound, web.MessagePage{Title: "install.title", Message: "install.unknown"})
	case err != nil:
		p.fail(w, r, "request", err)
	default:
		http.Redirect(w, r, Path(o.Workspace.Handle, o.Client.ID), http.StatusSeeOther)
	}
}

func (p *Page) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	web.Fail(p.cfg.Pages, p.cfg.Logger, w, r, "install page: "+what, err)
}
