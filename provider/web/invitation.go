package web

import "net/http"

// InvitationPage is the view of the page an invitation to a workspace
// opens (provider/workspace). Opening it changes nothing, as mail
// scanners fetch links too: a signed-in user joins with its button,
// posting csrf_token to the same address; anyone else is offered to sign
// in or register, and comes back.
type InvitationPage struct {
	UILocales string
	CSRFToken string
	// Workspace is the workspace's name, Role the role offered, Email
	// the address the invitation was sent to.
	Workspace, Role, Email string
	// Action is the page's own address, where the button posts and
	// sign-in returns to.
	Action string
	// SignedIn is the signed-in user's address; empty when nobody is.
	SignedIn string
	// Expired says the link is unknown, expired, used or revoked: the
	// page says so and offers nothing else.
	Expired bool
}

type invitationView struct {
	meta
	InvitationPage
}

// Invitation renders the invitation page, or the dead link's page, with
// the given status. The page is sent with Referrer-Policy: no-referrer by
// its handler (its address holds the token).
func (r *Renderer) Invitation(w http.ResponseWriter, req *http.Request, status int, p InvitationPage) error {
	loc := r.Locale(req, p.UILocales)
	return r.render(w, req, status, pageInvitation, loc, invitationView{meta: r.meta(loc), InvitationPage: p})
}

func invitationSamples(m meta) []any {
	const s = "sample"
	return []any{
		invitationView{meta: m},
		invitationView{meta: m, InvitationPage: InvitationPage{UILocales: s, CSRFToken: s, Workspace: s, Role: s, Email: s, Action: s, SignedIn: s}},
		invitationView{meta: m, InvitationPage: InvitationPage{UILocales: s, Workspace: s, Role: s, Email: s, Action: s}},
		invitationView{meta: m, InvitationPage: InvitationPage{Expired: true}},
	}
}
