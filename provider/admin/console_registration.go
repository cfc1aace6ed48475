package admin

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/registration"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// The console's part of dynamic client registration: the initial access
// tokens, listed on the apps page with the form issuing one, and their
// revocation. A token is shown once, as the answer to the POST that
// issued it: it never travels in an address. While registration is off
// the apps page shows no tokens and these routes are the not-found page.

// renderApps renders the apps page: every app, and, while registration
// is on, the initial access tokens.
func (c *Console) renderApps(w http.ResponseWriter, r *http.Request, status int, p web.AdminAppsPage) {
	list, err := c.cfg.Store.ListClients(r.Context())
	if err != nil {
		c.fail(w, r, "list apps", err)
		return
	}
	p.Scopes = c.api.cfg.Scopes
	for _, a := range list {
		p.Apps = append(p.Apps, adminApp(a))
	}
	if tokens := c.api.cfg.RegistrationTokens; tokens != nil {
		list, err := tokens.List(r.Context())
		if err != nil {
			c.fail(w, r, "list registration tokens", err)
			return
		}
		now := c.api.cfg.Now()
		p.Registration = true
		for _, t := range list {
			p.RegistrationTokens = append(p.RegistrationTokens, web.AdminRegistrationToken{ID: t.ID, Name: t.Name, Prefix: t.Prefix,
				CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt, MaxUses: t.MaxUses, Uses: t.Uses, Usable: t.Usable(now)})
		}
	}
	c.rendered(w, r, "apps", c.cfg.Pages.AdminApps(w, r, status, p))
}

// registrationOn answers the not-found page while registration is off,
// and reports whether it is on.
func (c *Console) registrationOn(w http.ResponseWriter, r *http.Request) bool {
	if c.api.cfg.RegistrationTokens == nil {
		c.refuse(w, r, "registration tokens", storage.ErrNotFound)
		return false
	}
	return true
}

// registrationTokenSpec reads the spec of a token from the form (the
// query of the confirmation, the body of the POST): a lifetime the page
// offers and a number of uses. ok is false for anything else.
func registrationTokenSpec(get func(string) string) (registration.TokenSpec, bool) {
	life, err := time.ParseDuration(get("expires"))
	uses, uerr := strconv.Atoi(strings.TrimSpace(get("uses")))
	if err != nil || uerr != nil || !slices.Contains(web.RegistrationTokenLives(), get("expires")) {
		return registration.TokenSpec{}, false
	}
	return registration.TokenSpec{Name: strings.TrimSpace(get("name")), Life: life, Uses: uses}, true
}

func (c *Console) confirmCreateRegistrationToken(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	if !c.registrationOn(w, r) {
		return
	}
	q := r.URL.Query()
	spec, ok := registrationTokenSpec(q.Get)
	if !ok || spec.Uses < 1 || spec.Uses > registration.MaxTokenUses {
		c.renderApps(w, r, http.StatusBadRequest, web.AdminAppsPage{Error: "admin.error_registration_token"})
		return
	}
	items := []string{q.Get("expires")}
	if spec.Name != "" {
		items = append([]string{spec.Name}, items...)
	}
	c.confirm(w, r, web.AdminConfirmPage{Heading: "admin.confirm_registration_heading", Text: "admin.confirm_registration_text",
		Target: strconv.Itoa(spec.Uses), Items: items, Action: "/admin/registration-tokens/create",
		Fields: []web.Field{{Name: "name", Value: spec.Name}, {Name: "expires", Value: q.Get("expires")}, {Name: "uses", Value: strconv.Itoa(spec.Uses)}},
		Submit: "admin.submit_registration_create", CancelURL: "/admin/apps", Nav: "apps"})
}

// createRegistrationToken issues a token and shows it this once, as the
// answer to the POST.
func (c *Console) createRegistrationToken(w http.ResponseWriter, r *http.Request, s session.Signed) {
	if !c.registrationOn(w, r) {
		return
	}
	spec, ok := registrationTokenSpec(r.PostFormValue)
	if !ok {
		c.renderApps(w, r, http.StatusBadRequest, web.AdminAppsPage{Error: "admin.error_registration_token"})
		return
	}
	plain, rec, err := c.api.cfg.RegistrationTokens.Create(r.Context(), ByUser(s.User.ID), spec)
	if errors.Is(err, registration.ErrTokenSpec) {
		c.renderApps(w, r, http.StatusBadRequest, web.AdminAppsPage{Error: "admin.error_registration_token"})
		return
	}
	if err != nil {
		c.fail(w, r, "create registration token", err)
		return
	}
	c.api.cfg.Logger.InfoContext(r.Context(), "admin issued an initial access token", "admin_user_id", s.User.ID, "token_id", rec.ID)
	c.renderApps(w, r, http.StatusCreated, web.AdminAppsPage{NewRegistrationToken: plain, Notice: "admin.notice_registration_created"})
}

func (c *Console) confirmRevokeRegistrationToken(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	if !c.registrationOn(w, r) {
		return
	}
	list, err := c.api.cfg.RegistrationTokens.List(r.Context())
	if err != nil {
		c.fail(w, r, "list registration tokens", err)
		return
	}
	i := slices.IndexFunc(list, func(t storage.RegistrationToken) bool { return t.ID == r.PathValue("token") })
	if i < 0 {
		c.refuse(w, r, "find registration token", storage.ErrNotFound)
		return
	}
	c.confirm(w, r, web.AdminConfirmPage{Heading: "admin.confirm_registration_revoke_heading", Text: "admin.confirm_registration_revoke_text",
		Target: list[i].Prefix, Items: []string{list[i].Name}, Action: "/admin/registration-tokens/" + url.PathEscape(list[i].ID) + "/revoke",
		Submit: "admin.submit_registration_revoke", Danger: true, CancelURL: "/admin/apps", Nav: "apps"})
}

func (c *Console) revokeRegistrationToken(w http.ResponseWriter, r *http.Request, s session.Signed) {
	if !c.registrationOn(w, r) {
		return
	}
	if err := c.api.cfg.RegistrationTokens.Revoke(r.Context(), ByUser(s.User.ID), r.PathValue("token")); err != nil {
		c.refuse(w, r, "revoke registration token", err)
		return
	}
	seeOther(w, r, "/admin/apps", "registration-revoked")
}
