package workspace

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// Sessions tells who is signed in and protects forms.
type Sessions interface {
	Current(ctx context.Context, r *http.Request) (session.Signed, bool, error)
	Protect(h http.Handler) http.Handler
}

// Pages renders the invitation page and its results.
type Pages interface {
	Invitation(w http.ResponseWriter, r *http.Request, status int, p web.InvitationPage) error
	Message(w http.ResponseWriter, r *http.Request, status int, p web.MessagePage) error
	Error(w http.ResponseWriter, r *http.Request, status int, p web.ErrorPage) error
}

// Throttle counts the dead tokens a client's address presents.
type Throttle interface {
	Wait(ctx context.Context, key string) (wait time.Duration, err error)
	Fail(ctx context.Context, key string) (wait time.Duration, err error)
}

// PageConfig holds the invitation page's dependencies.
type PageConfig struct {
	Service  *Service
	Sessions Sessions
	Pages    Pages
	// IPs throttles the addresses that present dead tokens
	// (provider/throttle, the sign-in pages' per-address one).
	IPs    Throttle
	Logger *slog.Logger
}

// Page serves the invitation page.
type Page struct{ cfg PageConfig }

// NewPage returns the invitation page.
func NewPage(cfg PageConfig) *Page {
	cfg.Logger = defaults.Logger(cfg.Logger)
	return &Page{cfg: cfg}
}

// Mount registers the page's routes, behind CSRF protection.
func (p *Page) Mount(mux Mux) {
	mux.Handle("GET /invitations/{token}", p.cfg.Sessions.Protect(http.HandlerFunc(p.show)))
	gate := session.Gate{Sessions: p.cfg.Sessions, Fail: func(w http.ResponseWriter, r *http.Request, err error) { p.fail(w, r, "load session", err) }}
	mux.Handle("POST /invitations/{token}", p.cfg.Sessions.Protect(gate.Require(p.accept)))
}

// pending reads the request's invitation, answering a throttled address
// or a dead token itself (ok false). A dead token counts against the
// address.
func (p *Page) pending(w http.ResponseWriter, r *http.Request) (Pending, bool) {
	ctx := r.Context()
	// The address holds the token: never send it on.
	w.Header().Set("Referrer-Policy", "no-referrer")
	key := throttle.IPKey(reqctx.ClientIP(ctx))
	wait, err := p.cfg.IPs.Wait(ctx, key)
	if err != nil {
		p.fail(w, r, "throttle", err)
		return Pending{}, false
	}
	if wait > 0 {
		w.Header().Set("Retry-After", throttle.Seconds(wait))
		web.ShowMessage(p.cfg.Pages, p.cfg.Logger, w, r, http.StatusTooManyRequests, web.MessagePage{Title: "invitation.title", Message: "invitation.throttled"})
		return Pending{}, false
	}
	inv, err := p.cfg.Service.Lookup(ctx, r.PathValue("token"))
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput) {
		if _, err := p.cfg.IPs.Fail(ctx, key); err != nil {
			p.cfg.Logger.WarnContext(ctx, "invitation page: count a dead token", "err", err)
		}
		web.Rendered(p.cfg.Logger, w, r, "invitation page", p.cfg.Pages.Invitation(w, r, http.StatusNotFound, web.InvitationPage{Expired: true}))
		return Pending{}, false
	}
	if err != nil {
		p.fail(w, r, "look up the invitation", err)
		return Pending{}, false
	}
	return inv, true
}

// show shows the invitation: the workspace, the role and the address it
// was sent to, and a button to join for a signed-in user, or the way to
// sign in and back. Opening it changes nothing.
func (p *Page) show(w http.ResponseWriter, r *http.Request) {
	inv, ok := p.pending(w, r)
	if !ok {
		return
	}
	s, signedIn, err := p.cfg.Sessions.Current(r.Context(), r)
	if err != nil {
		p.fail(w, r, "load session", err)
		return
	}
	page := web.InvitationPage{
		CSRFToken: session.CSRFToken(r), Workspace: inv.Workspace.Name, Role: inv.Invitation.Role, Email: inv.Invitation.Email,
		Action: r.URL.EscapedPath(),
	}
	if signedIn {
		page.SignedIn = s.User.Email
	}
	w.Header().Set("Cache-Control", "no-store")
	web.Rendered(p.cfg.Logger, w, r, "invitation page", p.cfg.Pages.Invitation(w, r, http.StatusOK, page))
}

// accept makes the signed-in user a member, whatever their address (the
// link is the proof; the record says whether it matched).
func (p *Page) accept(w http.ResponseWriter, r *http.Request, s session.Signed) {
	if _, ok := p.pending(w, r); !ok {
		return
	}
	_, err := p.cfg.Service.Accept(r.Context(), r.PathValue("token"), s.User.ID)
	switch {
	case errors.Is(err, ErrAlreadyMember):
		web.ShowMessage(p.cfg.Pages, p.cfg.Logger, w, r, http.StatusConflict,
			web.MessagePage{Title: "invitation.title", Message: "invitation.already_member", LinkText: "message.account", LinkURL: "/account"})
	case errors.Is(err, storage.ErrNotFound):
		// Accepted by someone else between the look-up and now.
		web.Rendered(p.cfg.Logger, w, r, "invitation page", p.cfg.Pages.Invitation(w, r, http.StatusNotFound, web.InvitationPage{Expired: true}))
	case err != nil:
		p.fail(w, r, "accept the invitation", err)
	default:
		web.ShowMessage(p.cfg.Pages, p.cfg.Logger, w, r, http.StatusOK,
			web.MessagePage{Title: "invitation.title", Message: "invitation.joined", LinkText: "message.account", LinkURL: "/account"})
	}
}

func (p *Page) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	web.Fail(p.cfg.Pages, p.cfg.Logger, w, r, "invitation page: "+what, err)
}
