package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"

	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
)

// Workspaces (organizations) at the authorization endpoint. A request is
// for one workspace of the user's: the one its organization parameter
// names (a handle or an ID, as Keycloak's and ZITADEL's organization
// hints), else the user's only one, else the one the user picks on the
// chooser page (ChooserPath, provider/chooser). The token then says which
// (the org_id and org_handle claims), carries only what the user's role
// in that workspace allows (consent.RoleScopes), and the sign-in must meet
// the workspace's policy (session.MeetsPolicy).
//
// A user who is not a member of the named workspace never gets a token
// for it: the app gets access_denied (after a page that says why, unless
// prompt=none). An unknown organization is invalid_request. With several
// workspaces, no organization and prompt=none, the app gets
// interaction_required (OpenID Connect Core 1.0 section 3.1.2.6): the
// user must pick one, as Keycloak answers when its organization selection
// would be shown.

// OrganizationParam is the authorization request parameter naming the
// workspace, also accepted in a pushed request.
const OrganizationParam = "organization"

// ChooserPath is the workspace chooser page, which provider/chooser
// serves: GET with ?flow=ID.
const ChooserPath = "/choose-workspace"

// DecisionNotMember marks a flow stopped because the signed-in user is not
// a member of the workspace the request named: the chooser page says so,
// then the browser comes back and the app gets access_denied.
const DecisionNotMember = storage.FlowNotMember

// The claims naming a token's workspace, in ID tokens, JWT access tokens,
// introspection and userinfo.
const (
	ClaimOrgID     = "org_id"
	ClaimOrgHandle = "org_handle"
)

// workspaceStore is what the authorization endpoint reads of workspaces.
type workspaceStore interface {
	GetWorkspace(ctx context.Context, id string) (storage.Workspace, error)
	GetWorkspaceByHandle(ctx context.Context, handle string) (storage.Workspace, error)
	GetMember(ctx context.Context, workspaceID, userID string) (storage.Member, error)
	ListUserWorkspaces(ctx context.Context, userID string) ([]storage.Member, error)
}

// picked is the workspace an authorization is for and the user's role
// in it.
type picked struct {
	workspace storage.Workspace
	role      string
}

// missing reports whether err says a record is absent, or a key that is
// not text names none (storage.ErrInvalidInput).
func missing(err error) bool {
	return errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput)
}

// namedWorkspace is the workspace the request's organization parameter
// names, by handle (in any letter case) or by ID; ok is false when it
// names none. An unknown one is invalid_request.
func (p *Provider) namedWorkspace(ctx context.Context, form url.Values) (ws storage.Workspace, ok bool, err error) {
	org := form.Get(OrganizationParam)
	if org == "" {
		return storage.Workspace{}, false, nil
	}
	ws, err = p.cfg.Store.GetWorkspaceByHandle(ctx, org)
	if missing(err) {
		ws, err = p.cfg.Store.GetWorkspace(ctx, org)
	}
	switch {
	case missing(err):
		return ws, false, fosite.ErrInvalidRequest.WithHintf("The organization %q is unknown: send the handle or the ID of a workspace.", truncate(org, 64))
	case err != nil:
		return ws, false, fosite.ErrServerError.WithWrap(err)
	}
	return ws, true, nil
}

// namedWorkspaceID is the ID of the workspace the request names, or
// empty: for a flow parked before the user signed in, so that the
// sign-in pages know its policy.
func (p *Provider) namedWorkspaceID(ctx context.Context, form url.Values) string {
	ws, ok, _ := p.namedWorkspace(ctx, form)
	if !ok {
		return ""
	}
	return ws.ID
}

// pickWorkspace decides which workspace of the signed-in user the request
// is for (see the comment at the top of this file). When it cannot yet
// (the user must choose) or must not (not a member), it answers the
// browser and returns false.
func (p *Provider) pickWorkspace(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, flow *storage.Flow, user storage.User, promptNone bool, now time.Time) (picked, bool) {
	ctx := r.Context()
	switch {
	case flow != nil && flow.Decision == DecisionNotMember:
		p.writeAuthorizeError(w, r, ar, errNotMember())
		return picked{}, false
	case flow != nil && flow.Decision == "deny" && flow.UserID == user.ID:
		// Refused on the chooser (or consent) page.
		p.writeAuthorizeError(w, r, ar, fosite.ErrAccessDenied.WithHint("The user denied the request."))
		return picked{}, false
	}
	named, isNamed, err := p.namedWorkspace(ctx, ar.GetRequestForm())
	if err != nil {
		p.writeAuthorizeError(w, r, ar, err)
		return picked{}, false
	}
	id := named.ID
	// chosen is the membership already read when the user's workspaces
	// were listed; otherwise it is read below.
	var chosen *workspace.Membership
	switch {
	case isNamed:
	case flow != nil && flow.WorkspaceID != "" && flow.UserID == user.ID:
		// Picked on the chooser page by this user.
		id = flow.WorkspaceID
	default:
		mine, err := workspace.Offered(ctx, p.cfg.Store, user.ID)
		if err != nil {
			p.writeAuthorizeError(w, r, ar, fosite.ErrServerError.WithWrap(err))
			return picked{}, false
		}
		switch len(mine) {
		case 0:
			p.writeAuthorizeError(w, r, ar, fosite.ErrAccessDenied.WithHint("The user is a member of no workspace."))
			return picked{}, false
		case 1:
			chosen = &mine[0]
		default:
			// The app installed in exactly one of them picks it.
			if id, err = p.installedWorkspace(ctx, ar.GetClient().GetID(), mine); err != nil {
				p.writeAuthorizeError(w, r, ar, fosite.ErrServerError.WithWrap(err))
				return picked{}, false
			}
			if id == "" {
				p.askUser(w, r, ar, flow, promptNoneList(promptNone), ChooserPath, "", now,
					fosite.ErrInteractionRequired.WithHintf("The user is a member of several workspaces: send the %s parameter, or let the user choose one without prompt=none.", OrganizationParam))
				return picked{}, false
			}
			i := slices.IndexFunc(mine, func(m workspace.Membership) bool { return m.Workspace.ID == id })
			chosen = &mine[i]
		}
	}
	if chosen == nil {
		am, err := workspace.ActiveMember(ctx, p.cfg.Store, id, user.ID)
		switch {
		case workspace.NotActive(err):
			p.notMember(w, r, ar, flow, promptNone, id, now)
			return picked{}, false
		case err != nil:
			p.writeAuthorizeError(w, r, ar, fosite.ErrServerError.WithWrap(err))
			return picked{}, false
		}
		chosen = &am
	}
	return picked{workspace: chosen.Workspace, role: chosen.Member.Role}, true
}

// promptNoneList is the prompt askUser reads: none, or nothing.
func promptNoneList(none bool) []string {
	if none {
		return []string{"none"}
	}
	return nil
}

func errNotMember() *fosite.RFC6749Error {
	return fosite.ErrAccessDenied.WithHint("The user is not a member of the organization the request named.")
}

// notMember answers a request for a workspace the user is not a member
// of: access_denied to the app, after the chooser page has told the user
// why (unless prompt=none).
func (p *Provider) notMember(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, flow *storage.Flow, promptNone bool, workspaceID string, now time.Time) {
	if promptNone {
		p.writeAuthorizeError(w, r, ar, errNotMember())
		return
	}
	p.stopFlow(w, r, ar, flow, now, ChooserPath, func(f storage.Flow) storage.Flow {
		f.Decision, f.WorkspaceID = DecisionNotMember, workspaceID
		return f
	})
}

// stopFlow records why a request stops in its flow (created if need
// be) and sends the browser to page, which explains and sends it back;
// the flow's decision then answers the app.
func (p *Provider) stopFlow(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, flow *storage.Flow, now time.Time, page string, record func(storage.Flow) storage.Flow) {
	if flow == nil {
		f, err := p.newFlow(r, ar, "", now)
		if err != nil {
			p.writeAuthorizeError(w, r, ar, fosite.ErrServerError.WithWrap(err))
			return
		}
		flow = &f
	}
	if _, err := p.cfg.Store.UpdateFlow(r.Context(), flow.ID, func(f storage.Flow) (storage.Flow, error) {
		return record(f), nil
	}); err != nil {
		p.writeAuthorizeError(w, r, ar, fosite.ErrServerError.WithWrap(err))
		return
	}
	http.Redirect(w, r, page+"?"+url.Values{"flow": {flow.ID}}.Encode(), http.StatusSeeOther)
}

// roleScopes is what the user may grant the app clientID for the picked
// workspace (consent.RoleScopes, capped by the app's installation there:
// consent.InstalledScopes); an unknown workspace role is logged.
func (p *Provider) roleScopes(ctx context.Context, user storage.User, pk picked, clientID string) ([]string, error) {
	scopes, known := consent.RoleScopes(p.cfg.RoleScopes, user.Role, pk.role)
	if !known {
		p.logger.WarnContext(ctx, "workspace role has no configured scopes; granting sign-in scopes only",
			"workspace_id", pk.workspace.ID, "role", pk.role, "subject", user.ID)
	}
	return consent.InstalledScopes(ctx, p.cfg.Store, pk.workspace.ID, clientID, scopes)
}

// setWorkspaceClaims names the workspace in the session of the grant: its
// ID token's claims, which JWT access tokens, introspection and userinfo
// read too (workspaceOf), and which a refresh carries over.
func setWorkspaceClaims(sess *openid.DefaultSession, ws storage.Workspace) {
	sess.Claims.Extra[ClaimOrgID] = ws.ID
	sess.Claims.Extra[ClaimOrgHandle] = ws.Handle
}

// workspaceOf is the workspace a grant's session names: its ID and
// handle, empty for a grant of no workspace.
func workspaceOf(sess fosite.Session) (id, handle string) {
	oidc, ok := sess.(*openid.DefaultSession)
	if !ok || oidc.Claims == nil {
		return "", ""
	}
	id, _ = oidc.Claims.Extra[ClaimOrgID].(string)
	handle, _ = oidc.Claims.Extra[ClaimOrgHandle].(string)
	return id, handle
}

// truncate shortens s to at most n bytes for a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
