package oauth

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"

	"github.com/tokenim/tokenim-auth/provider/install"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
)

// Apps installed into workspaces (provider/install). A confidential
// client installed (active) in a workspace gets bot tokens for it:
// client_credentials with the organization parameter (a handle or an
// ID) yields an access token whose subject is the installation's ID,
// with org_id and org_handle set, carrying only scopes installed that
// the client still has (install.Effective) and the request asked for
// (all of them when it asked for none). An app not installed there, or
// whose installation waits or was denied, is unauthorized_client; a
// scope not installed is invalid_scope. Without organization the grant
// is what it always was: a token of the client itself, of no workspace.
//
// At the authorization endpoint, an app installed in exactly one of the
// user's workspaces picks that one without the chooser
// (installedWorkspace).

// installationStore is what the token and authorization endpoints read
// of installations.
type installationStore interface {
	GetWorkspaceInstallation(ctx context.Context, workspaceID, clientID string) (storage.Installation, error)
	ListClientInstallations(ctx context.Context, clientID string) ([]storage.Installation, error)
}

// botGrant makes a client-credentials request naming a workspace a bot
// token of the client's installation there; a request naming none is
// left as it is. grantClientScopes has granted the scopes first.
func (p *Provider) botGrant(ctx context.Context, ar fosite.AccessRequester, form url.Values) ([]string, error) {
	if form.Get(OrganizationParam) == "" {
		return nil, nil
	}
	ws, _, err := p.namedWorkspace(ctx, form)
	if err != nil {
		return nil, err
	}
	c, ok := ar.GetClient().(*client)
	if !ok {
		return nil, fosite.ErrServerError.WithDebugf("a client is %T", ar.GetClient())
	}
	in, err := p.cfg.Store.GetWorkspaceInstallation(ctx, ws.ID, c.ID)
	switch {
	case missing(err):
		return nil, fosite.ErrUnauthorizedClient.WithHintf("The app is not installed in the organization %q: a member or admin of the workspace must install it first.", ws.Handle)
	case err != nil:
		return nil, fosite.ErrServerError.WithWrap(err)
	case in.Status == storage.InstallPending:
		return nil, fosite.ErrUnauthorizedClient.WithHintf("The app's installation in the organization %q waits for an admin's approval.", ws.Handle)
	case in.Status != storage.InstallActive:
		return nil, fosite.ErrUnauthorizedClient.WithHintf("The app's installation in the organization %q was denied.", ws.Handle)
	}
	installed := install.Effective(in, c.Client)
	req, ok := ar.(*fosite.AccessRequest)
	if !ok {
		return nil, fosite.ErrServerError.WithDebugf("a client-credentials request is %T, not *fosite.AccessRequest", ar)
	}
	if len(ar.GetRequestedScopes()) > 0 {
		for _, s := range ar.GetRequestedScopes() {
			if !slices.Contains(installed, s) {
				return nil, fosite.ErrInvalidScope.WithHintf("The scope %q is not installed in the organization %q: an admin of the workspace must approve it.", s, ws.Handle)
			}
		}
	}
	req.GrantedScope = slices.DeleteFunc(slices.Clone(req.GrantedScope), func(s string) bool { return !slices.Contains(installed, s) })
	if len(req.GrantedScope) == 0 {
		return nil, fosite.ErrInvalidScope.WithHintf("This request would grant no scope: the app has none installed in the organization %q (%s).", ws.Handle, strings.Join(installed, " "))
	}
	sess, ok := ar.GetSession().(*openid.DefaultSession)
	if !ok {
		return nil, fosite.ErrServerError.WithDebugf("a session is %T", ar.GetSession())
	}
	sess.Subject, sess.Claims.Subject = in.ID, in.ID
	setWorkspaceClaims(sess, ws)
	return installed, nil
}

// installedWorkspace returns the one workspace among the user's active
// memberships where the client is installed (active), or empty when it
// is installed in none or several of them: the chooser then asks.
func (p *Provider) installedWorkspace(ctx context.Context, clientID string, mine []workspace.Membership) (string, error) {
	list, err := p.cfg.Store.ListClientInstallations(ctx, clientID)
	if err != nil {
		return "", err
	}
	found := ""
	for _, in := range list {
		if in.Status != storage.InstallActive || !slices.ContainsFunc(mine, func(m workspace.Membership) bool { return m.Workspace.ID == in.WorkspaceID }) {
			continue
		}
		if found != "" {
			return "", nil
		}
		found = in.WorkspaceID
	}
	return found, nil
}
