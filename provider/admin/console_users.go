package admin

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// usersPage is how many users a search shows at a time.
const usersPage = 50

func adminUser(u storage.User) web.AdminUser {
	return web.AdminUser{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Status: string(u.Status), MFA: u.TOTPEnabled, CreatedAt: u.CreatedAt}
}

// users searches users by the start of their email, or by ID: users are
// listed in email order from the query on (ListUsers' index), and the
// listing stops at the first email that does not start with it. With no
// query it lists every user, a page at a time.
func (c *Console) users(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	ctx := r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	prefix := strings.ToLower(q)
	after := strings.ToLower(r.URL.Query().Get("after"))
	p := web.AdminUsersPage{Query: q}
	seen := map[string]bool{}
	add := func(u storage.User) {
		if !seen[u.ID] {
			seen[u.ID] = true
			p.Users = append(p.Users, adminUser(u))
		}
	}
	if q != "" && after == "" {
		// The first page starts with the user whose ID or whole email
		// the query is: ListUsers starts after the query.
		for _, get := range []func() (storage.User, error){
			func() (storage.User, error) { return c.cfg.Store.GetUser(ctx, q) },
			func() (storage.User, error) { return c.cfg.Store.GetUserByEmail(ctx, q) },
		} {
			u, err := get()
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				c.fail(w, r, "find user", err)
				return
			}
			if err == nil {
				add(u)
			}
		}
	}
	if after == "" {
		after = prefix
	}
	list, err := c.cfg.Store.ListUsers(ctx, storage.Page{After: after, Limit: usersPage + 1})
	if err != nil {
		c.fail(w, r, "list users", err)
		return
	}
	more := len(list) > usersPage
	list = list[:min(len(list), usersPage)]
	for _, u := range list {
		if !strings.HasPrefix(strings.ToLower(u.Email), prefix) {
			more = false
			break
		}
		add(u)
	}
	if more {
		p.NextURL = "/admin/users?" + url.Values{"q": {q}, "after": {strings.ToLower(list[len(list)-1].Email)}}.Encode()
	}
	c.rendered(w, r, "users", c.cfg.Pages.AdminUsers(w, r, http.StatusOK, p))
}

// user shows a user: who they are, what they may do, their passkeys, the
// apps they authorised, and what an administrator can change.
func (c *Console) user(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	c.renderUser(w, r, http.StatusOK, r.PathValue("id"), notice(r), "")
}

func (c *Console) renderUser(w http.ResponseWriter, r *http.Request, status int, id, notice, errKey string) {
	ctx := r.Context()
	u, err := c.cfg.Store.GetUser(ctx, id)
	if err != nil {
		c.refuse(w, r, "load user", err)
		return
	}
	consents, err := c.cfg.Store.ListConsents(ctx, u.ID)
	if err != nil {
		c.fail(w, r, "list the user's grants", err)
		return
	}
	passkeys, err := c.cfg.Store.ListPasskeys(ctx, u.ID)
	if err != nil {
		c.fail(w, r, "list the user's passkeys", err)
		return
	}
	p := web.AdminUserPage{User: adminUser(u), MFARequired: slices.Contains(c.cfg.MFARoles, u.Role), Notice: notice, Error: errKey,
		Passkeys: adminPasskeys(passkeys)}
	if p.Identities, err = c.adminIdentities(r, u.ID); err != nil {
		c.fail(w, r, "list the user's linked identities", err)
		return
	}
	for _, role := range c.api.cfg.Roles {
		p.Roles = append(p.Roles, role.Name)
	}
	if p.Grants, err = c.grants(r, consents); err != nil {
		c.fail(w, r, "describe the user's grants", err)
		return
	}
	c.rendered(w, r, "user", c.cfg.Pages.AdminUser(w, r, status, p))
}

// grants describes consents with their users' emails and apps' names.
func (c *Console) grants(r *http.Request, consents []storage.Consent) ([]web.AdminGrant, error) {
	ctx := r.Context()
	users, apps := map[string]string{}, map[string]string{}
	var out []web.AdminGrant
	for _, g := range consents {
		if _, ok := users[g.UserID]; !ok {
			u, err := c.cfg.Store.GetUser(ctx, g.UserID)
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				return nil, err
			}
			users[g.UserID] = u.Email
		}
		if _, ok := apps[g.ClientID]; !ok {
			a, err := c.cfg.Store.GetClient(ctx, g.ClientID)
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				return nil, err
			}
			apps[g.ClientID] = a.Name
		}
		out = append(out, web.AdminGrant{UserID: g.UserID, UserEmail: users[g.UserID], ClientID: g.ClientID, AppName: apps[g.ClientID],
			Scopes: g.Scopes, GrantedAt: g.GrantedAt, ExpiresAt: g.ExpiresAt, LastUsedAt: g.LastUsedAt})
	}
	return out, nil
}

// userAction is one change the console makes to a user.
type userAction struct {
	heading, text, submit string
	danger                bool
}

func userActions() map[string]userAction {
	return map[string]userAction{
		"role":      {"admin.confirm_role_heading", "admin.confirm_role_text", "admin.submit_role", false},
		"disable":   {"admin.confirm_disable_heading", "admin.confirm_disable_text", "admin.submit_disable", true},
		"enable":    {"admin.confirm_enable_heading", "admin.confirm_enable_text", "admin.submit_enable", false},
		"reset-mfa": {"admin.confirm_reset_mfa_heading", "admin.confirm_reset_mfa_text", "admin.submit_reset_mfa", true},
		"signout":   {"admin.confirm_signout_heading", "admin.confirm_signout_text", "admin.submit_signout", true},
	}
}

// confirmUser shows what a change to a user will do, with the form that
// makes it.
func (c *Console) confirmUser(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	act, ok := userActions()[r.PathValue("action")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	u, err := c.cfg.Store.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		c.refuse(w, r, "load user", err)
		return
	}
	back := consoleurl.User(u.ID)
	p := web.AdminConfirmPage{Heading: act.heading, Text: act.text, Target: u.Email, Submit: act.submit, Danger: act.danger,
		Action: back + "/" + r.PathValue("action"), CancelURL: back, Nav: "users"}
	if r.PathValue("action") == "role" {
		role := r.URL.Query().Get("role")
		if _, err := c.api.roleScopes(role); err != nil {
			c.renderUser(w, r, http.StatusBadRequest, u.ID, "", "admin.error_unknown_role")
			return
		}
		p.Items, p.Fields = []string{role}, []web.Field{{Name: "role", Value: role}}
	}
	c.confirm(w, r, p)
}

// changeUser makes a confirmed change to a user, recorded with the
// administrator as its actor.
func (c *Console) changeUser(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx, by, id, action := r.Context(), ByUser(s.User.ID), r.PathValue("id"), r.PathValue("action")
	var err error
	switch action {
	case "role":
		role := r.PostFormValue("role")
		_, err = c.api.ChangeUser(ctx, by, id, UserChange{Role: &role})
	case "disable", "enable":
		status := storage.UserActive
		if action == "disable" {
			status = storage.UserDisabled
		}
		_, err = c.api.ChangeUser(ctx, by, id, UserChange{Status: &status})
	case "reset-mfa":
		err = c.api.ResetMFA(ctx, by, id)
	case "signout":
		err = c.api.SignOutEverywhere(ctx, by, id)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		c.refuse(w, r, action+" user", err)
		return
	}
	c.api.cfg.Logger.InfoContext(ctx, "admin changed a user", "admin_user_id", s.User.ID, "user_id", id, "action", action)
	seeOther(w, r, consoleurl.User(id), action)
}
