package oauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// installed stores an installation of clientID in workspaceID.
func installed(t *testing.T, store storage.Store, id, workspaceID, clientID, status string, scopes ...string) storage.Installation {
	t.Helper()
	in := storage.Installation{ID: id, WorkspaceID: workspaceID, ClientID: clientID, Scopes: scopes, Status: status,
		RequestedBy: "ann", CreatedAt: time.Now().UTC().Truncate(time.Second), UpdatedAt: time.Now().UTC().Truncate(time.Second)}
	if err := store.CreateInstallation(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	return in
}

// A bot installed in a workspace gets tokens for it: the subject is the
// installation, the token names the workspace, and carries only what is
// installed; an app not installed, waiting or denied gets none.
func TestBotTokensOfAnInstallation(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		ctx := t.Context()
		for _, ws := range []storage.Workspace{{ID: "w-acme", Handle: "acme", Name: "Acme"}, {ID: "w-beta", Handle: "beta", Name: "Beta"}, {ID: "w-gamma", Handle: "gamma", Name: "Gamma"}} {
			if err := h.store.CreateWorkspace(ctx, ws); err != nil {
				t.Fatal(err)
			}
		}
		botSecret := h.bot("bot", "openid", "im:messages.read", "im:messages.send", "im:files.read")
		rsSecret := h.resourceServer("im-gateway")
		installed(t, h.store, "inst-acme", "w-acme", "bot", storage.InstallActive, "im:messages.read", "im:messages.send", "im:gone")
		installed(t, h.store, "inst-beta", "w-beta", "bot", storage.InstallPending)
		installed(t, h.store, "inst-gamma", "w-gamma", "bot", storage.InstallDenied)
		cc := func(org string, scopes ...string) *clientcredentials.Config {
			return &clientcredentials.Config{ClientID: "bot", ClientSecret: botSecret, TokenURL: h.url("/oauth2/token"), Scopes: scopes,
				EndpointParams: url.Values{"organization": {org}}}
		}

		t.Run("the installation's token names it and the workspace, with the installed scopes the app has", func(t *testing.T) {
			for _, org := range []string{"acme", "w-acme", "ACME"} {
				tok, err := cc(org).Token(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if got := tok.Extra("scope"); got != "im:messages.read im:messages.send" {
					t.Errorf("%s: scope %q, want the installed ones the app still has", org, got)
				}
				in := h.introspect(tok.AccessToken, "im-gateway", rsSecret)
				if !active(in) || in.str("sub") != "inst-acme" || in.str("org_id") != "w-acme" || in.str("org_handle") != "acme" || in.str("client_id") != "bot" {
					t.Errorf("%s: introspection %s", org, in.raw)
				}
			}
		})
		t.Run("a request narrows to installed scopes; one not installed is invalid_scope", func(t *testing.T) {
			tok, err := cc("acme", "im:messages.read").Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := tok.Extra("scope"); got != "im:messages.read" {
				t.Errorf("scope %q", got)
			}
			r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "organization": {"acme"}, "scope": {"im:files.read"}}, "bot", botSecret)
			wantError(t, r, http.StatusBadRequest, "invalid_scope")
			if !strings.Contains(r.str("error_description"), "not installed") {
				t.Errorf("description %q", r.str("error_description"))
			}
		})
		t.Run("pending, denied or not installed is unauthorized_client, unknown organization invalid_request", func(t *testing.T) {
			for org, says := range map[string]string{"beta": "approval", "gamma": "denied", "default": "not installed"} {
				r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "organization": {org}}, "bot", botSecret)
				wantError(t, r, http.StatusBadRequest, "unauthorized_client")
				if !strings.Contains(r.str("error_description"), says) {
					t.Errorf("%s: description %q, want it to say %q", org, r.str("error_description"), says)
				}
			}
			for _, org := range []string{"nope", "\x00", "\xff"} {
				r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "organization": {org}}, "bot", botSecret)
				if r.status != http.StatusBadRequest {
					t.Errorf("organization %q: %d %s", org, r.status, r.raw)
				}
			}
		})
		t.Run("another client's installation gives nothing", func(t *testing.T) {
			other := h.bot("other-bot", "im:messages.read")
			r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "organization": {"acme"}}, "other-bot", other)
			wantError(t, r, http.StatusBadRequest, "unauthorized_client")
		})
		t.Run("without organization the bot's own token, of no workspace", func(t *testing.T) {
			tok, err := (&clientcredentials.Config{ClientID: "bot", ClientSecret: botSecret, TokenURL: h.url("/oauth2/token")}).Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			in := h.introspect(tok.AccessToken, "im-gateway", rsSecret)
			if !active(in) || in.str("sub") != "" || in.str("org_id") != "" {
				t.Errorf("introspection %s", in.raw)
			}
		})
		t.Run("uninstalling revokes the installation's tokens", func(t *testing.T) {
			tok, err := cc("acme").Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := h.store.RevokeSubjectWorkspace(ctx, "inst-acme", "w-acme"); err != nil {
				t.Fatal(err)
			}
			if err := h.store.DeleteInstallation(ctx, "inst-acme"); err != nil {
				t.Fatal(err)
			}
			if active(h.introspect(tok.AccessToken, "im-gateway", rsSecret)) {
				t.Error("the token is active after the uninstall")
			}
			wantError(t, h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "organization": {"acme"}}, "bot", botSecret),
				http.StatusBadRequest, "unauthorized_client")
		})
	})
}

// An app installed in exactly one of the user's workspaces picks it
// without the chooser; installed in two, the user chooses.
func TestInstallationPicksTheWorkspace(t *testing.T) {
	t.Parallel()
	store := memory.New()
	h := newWorkspaceHarness(t, store)
	installed(t, store, "i-beta", "w-beta", "ws-app", storage.InstallActive, "im:messages.read")
	installed(t, store, "i-other", "w-other", "ws-app", storage.InstallActive, "im:messages.read")
	installed(t, store, "i-acme", "w-acme", "ws-app", storage.InstallPending)
	tokens := h.exchange(t, redirected(t, h.ask(t, "openid im:messages.read", nil), wsRedirect))
	wantOrg(t, "ID token", unverifiedClaims(t, tokens.str("id_token")), "w-beta", "beta")

	installed(t, store, "i-secure", "w-secure", "ws-app", storage.InstallActive, "im:messages.read")
	redirected(t, h.ask(t, "openid im:messages.read", nil), "/choose-workspace?")
}
