package admin

import (
	"context"
	"net/http"
	"slices"

	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
)

// viewer is who uses the console: a platform administrator (the
// configured admin role), or a workspace admin, who is neither but owns
// or administers workspaces (workspace.Manages) and sees only those.
// The default workspace is the platform's: every account is a member of
// it, and its admin role (which CreateUser gives the platform's
// administrators, storage.DefaultRole) opens nothing once the account is
// no longer a platform administrator.
type viewer struct {
	platform bool
	// roles maps each workspace a workspace admin manages to their role
	// there; nil for a platform administrator.
	roles map[string]string
	// managed are those workspaces, by handle.
	managed []storage.Workspace
}

// manages reports whether the viewer may see and change workspace id.
func (v viewer) manages(id string) bool {
	if v.platform {
		return true
	}
	_, ok := v.roles[id]
	return ok
}

// check is the rule a change by the viewer to a member of workspace id
// from one role to another obeys (workspace.MayChange); nil for a
// platform administrator, who is not a member making changes.
func (v viewer) check(id, to string) func(from string) error {
	if v.platform {
		return nil
	}
	return func(from string) error { return workspace.MayChange(v.roles[id], from, to) }
}

// consolePage is a console page given who views it.
type consolePage func(w http.ResponseWriter, r *http.Request, s session.Signed, v viewer)

// access is the one home of "who may open the console": a platform
// administrator, or a workspace admin; either, when the console
// requires a second factor of administrators (AdminRole among
// MFARoles), signed in with one. It returns the viewer, or the message
// key of the refusal (403), or an error of the store.
func (c *Console) access(ctx context.Context, s session.Signed) (viewer, string, error) {
	v := viewer{platform: s.User.Role == c.cfg.AdminRole}
	if !v.platform {
		list, err := workspace.ActiveWorkspaces(ctx, c.cfg.Store, s.User.ID)
		if err != nil {
			return v, "", err
		}
		v.roles = map[string]string{}
		for _, m := range list {
			if !workspace.Manages(m.Member.Role) || m.Workspace.ID == storage.DefaultWorkspaceID {
				continue
			}
			v.roles[m.Workspace.ID] = m.Member.Role
			v.managed = append(v.managed, m.Workspace)
		}
		if len(v.managed) == 0 {
			return v, "admin.forbidden", nil
		}
	}
	if slices.Contains(c.cfg.MFARoles, c.cfg.AdminRole) && !session.MeetsACR(s.Session.ACR, session.ACRTwoFactor) {
		// Signed in with a password alone (the second factor was not
		// set up yet): the console is out of reach until it is.
		return v, "admin.mfa_required", nil
	}
	return v, "", nil
}

// gate runs f for a signed-in user who may open the console (access):
// anyone else is refused.
func (c *Console) gate(f consolePage) session.Page {
	return func(w http.ResponseWriter, r *http.Request, s session.Signed) {
		v, refusal, err := c.access(r.Context(), s)
		switch {
		case err != nil:
			c.fail(w, r, "decide who may open the console", err)
		case refusal == "admin.mfa_required":
			c.message(w, r, http.StatusForbidden, refusal, "message.account", "/account?setup=mfa")
		case refusal != "":
			c.message(w, r, http.StatusForbidden, refusal, "message.account", "/account")
		default:
			f(w, r, s, v)
		}
	}
}

// admin runs f for a platform administrator: a workspace admin is
// refused the platform's pages as anyone else is.
func (c *Console) admin(f session.Page) session.Page {
	return c.gate(func(w http.ResponseWriter, r *http.Request, s session.Signed, v viewer) {
		if !v.platform {
			c.message(w, r, http.StatusForbidden, "admin.forbidden", "message.account", "/account")
			return
		}
		f(w, r, s)
	})
}
