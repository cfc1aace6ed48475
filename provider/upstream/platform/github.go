package platform

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
)

// github is GitHub's OAuth app (and GitHub App user) sign-in, the web
// application flow with PKCE:
// https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
// The user is GET /user
// (https://docs.github.com/en/rest/users/users#get-the-authenticated-user)
// and their addresses GET /user/emails
// (https://docs.github.com/en/rest/users/emails#list-email-addresses-for-the-authenticated-user).
// The subject is the numeric account id, which survives a rename; the
// username is the login.
var github = platform{
	name: "GitHub",
	defaults: Endpoints{
		AuthURL:  "https://github.com/login/oauth/authorize",
		TokenURL: "https://github.com/login/oauth/access_token",
		APIURL:   "https://api.github.com",
	},
	pkce:       true,
	scopes:     []string{"read:user", "user:email"},
	codeParams: []string{"code"},
	check: func(cfg Config) error {
		return required("GitHub", [2]string{"ClientID", cfg.ClientID})
	},
	authURL: oauthAuthURL(),
	signIn:  githubSignIn,
}

// githubAPIVersion is the REST API version the answers are read as.
const githubAPIVersion = "2022-11-28"

func githubSignIn(ctx context.Context, c *Connector, code, verifier string) (profile, error) {
	// The token endpoint answers JSON when asked to, and reports a bad
	// code as 200 with an error field.
	var tok struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	status, err := c.call(ctx, request{step: "token exchange", method: http.MethodPost, url: c.ep.TokenURL, form: url.Values{
		"client_id": {c.cfg.ClientID}, "client_secret": {c.cfg.ClientSecret}, "code": {code},
		"redirect_uri": {c.cfg.RedirectURL}, "code_verifier": {verifier},
	}}, &tok)
	switch {
	case err != nil:
		return profile{}, err
	case tok.Error != "":
		return profile{}, c.oauthError("token exchange", tok.Error, tok.Description)
	case status != http.StatusOK || tok.AccessToken == "":
		return profile{}, c.refused("token exchange", "answered %d without an access token", status)
	}
	header := bearer(tok.AccessToken)
	header.Set("Accept", "application/vnd.github+json")
	header.Set("X-GitHub-Api-Version", githubAPIVersion)

	var user struct {
		ID    int64  `json:"id"`
		Login string `json:"login"`
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	status, err = c.call(ctx, request{step: "user", method: http.MethodGet, url: c.ep.APIURL + "/user", header: header}, &user)
	switch {
	case err != nil:
		return profile{}, err
	case status != http.StatusOK:
		return profile{}, c.refused("user", "answered %d", status)
	case user.ID <= 0:
		return profile{}, c.refused("user", "the user has no id")
	}
	p := profile{Subject: strconv.FormatInt(user.ID, 10), Username: user.Login, Name: user.Name}

	// The primary address, when GitHub verified it. Without the
	// user:email scope (or a GitHub App's email permission) the list is
	// refused: the profile's public address is then taken, unverified.
	var raw json.RawMessage
	status, err = c.call(ctx, request{step: "emails", method: http.MethodGet, url: c.ep.APIURL + "/user/emails", header: header}, &raw)
	if err != nil {
		return profile{}, err
	}
	var emails []struct {
		Email    string `json:"email"`
		Primary  bool   `json:"primary"`
		Verified bool   `json:"verified"`
	}
	if status != http.StatusOK {
		c.log.DebugContext(ctx, "upstream email list refused", "connector", c.cfg.ID, "status", status)
	} else if err := json.Unmarshal(raw, &emails); err != nil {
		return profile{}, c.unavailable("emails", "the list is not the documented one: %v", err)
	}
	p.Email = user.Email
	for _, e := range emails {
		if e.Primary && e.Verified {
			p.Email, p.EmailVerified = e.Email, true
			break
		}
	}
	return p, nil
}
