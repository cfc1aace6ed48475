package admin

import (
	"net/http"
	"net/url"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// scopePage is how many grants the scope page shows at a time.
const scopePage = 50

// scope lists every live grant holding a scope, a keyset page at a time.
func (c *Console) scope(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	q := r.URL.Query()
	scope := q.Get("scope")
	if scope == "" {
		http.Redirect(w, r, "/admin/apps", http.StatusSeeOther)
		return
	}
	after := storage.ConsentCursor{UserID: q.Get("after_user"), ClientID: q.Get("after_app")}
	list, err := c.cfg.Store.ListScopeConsents(r.Context(), scope, c.api.cfg.Now(), after, scopePage+1)
	if err != nil {
		c.fail(w, r, "list the grants of a scope", err)
		return
	}
	p := web.AdminScopePage{Scope: scope}
	if len(list) > scopePage {
		list = list[:scopePage]
		last := list[len(list)-1]
		p.NextURL = "/admin/scopes?" + url.Values{"scope": {scope}, "after_user": {last.UserID}, "after_app": {last.ClientID}}.Encode()
	}
	if p.Grants, err = c.grants(r, list); err != nil {
		c.fail(w, r, "describe the grants of a scope", err)
		return
	}
	c.rendered(w, r, "scope", c.cfg.Pages.AdminScope(w, r, http.StatusOK, p))
}

// grantBack is the page a grant's revocation returns to: the app's when
// it was started there (?from=app), else the user's.
func grantBack(from, userID, clientID string) string {
	if from == "app" {
		return consoleurl.App(clientID)
	}
	return consoleurl.User(userID)
}

// confirmRevokeGrant shows what revoking a grant does: the user, the app
// and the permissions withdrawn.
func (c *Console) confirmRevokeGrant(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	ctx := r.Context()
	g, err := c.cfg.Store.GetConsent(ctx, r.PathValue("user"), r.PathValue("app"))
	if err != nil {
		c.refuse(w, r, "load grant", err)
		return
	}
	desc, err := c.grants(r, []storage.Consent{g})
	if err != nil {
		c.fail(w, r, "describe grant", err)
		return
	}
	who, app := desc[0].UserEmail, desc[0].AppName
	if who == "" {
		who = g.UserID
	}
	if app == "" {
		app = g.ClientID
	}
	from := r.URL.Query().Get("from")
	c.confirm(w, r, web.AdminConfirmPage{Heading: "admin.confirm_revoke_grant_heading", Text: "admin.confirm_revoke_grant_text",
		Target: who + " → " + app, Items: g.Scopes, Submit: "admin.submit_revoke_grant", Danger: true,
		Action:    "/admin/grants/" + url.PathEscape(g.UserID) + "/" + url.PathEscape(g.ClientID) + "/revoke",
		Fields:    []web.Field{{Name: "from", Value: from}},
		CancelURL: grantBack(from, g.UserID, g.ClientID), Nav: "users"})
}

// revokeGrant withdraws the grant and revokes its tokens once confirmed.
func (c *Console) revokeGrant(w http.ResponseWriter, r *http.Request, s session.Signed) {
	userID, clientID := r.PathValue("user"), r.PathValue("app")
	if err := c.api.RevokeGrant(r.Context(), ByUser(s.User.ID), userID, clientID); err != nil {
		c.refuse(w, r, "revoke grant", err)
		return
	}
	c.api.cfg.Logger.InfoContext(r.Context(), "admin revoked a grant", "admin_user_id", s.User.ID, "user_id", userID, "client_id", clientID)
	seeOther(w, r, grantBack(r.PostFormValue("from"), userID, clientID), "grant-revoked")
}
