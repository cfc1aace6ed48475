package platform

import (
	"context"
	"net/http"

	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// feishu is Feishu's (飞书) web app sign-in, and Lark's with
// LarkEndpoints: the authorization page
// (https://open.feishu.cn/document/common-capabilities/sso/api/obtain-oauth-code)
// takes PKCE (code_challenge, code_challenge_method S256); the code is
// exchanged at POST /open-apis/authen/v2/oauth/token with a JSON body
// (https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/authentication-management/access-token/get-user-access-token),
// which reports errors as {code, error, error_description}; the user is
// GET /open-apis/authen/v1/user_info
// (https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/authen-v1/user_info/get),
// {code, msg, data}, code 0 when it succeeds.
//
// The subject is the union_id, the user's identifier across the apps of
// one developer; when a response lacks it, the open_id (the user's
// identifier within this app, as stable) is taken. The email is the
// enterprise mailbox (enterprise_email) or the contact email (email, with
// the contact:user.email:readonly scope); Feishu does not say it
// verified either, so neither links an account by itself.
var feishu = platform{
	name: "Feishu",
	defaults: Endpoints{
		AuthURL:  "https://accounts.feishu.cn/open-apis/authen/v1/authorize",
		TokenURL: "https://open.feishu.cn/open-apis/authen/v2/oauth/token",
		APIURL:   "https://open.feishu.cn",
	},
	pkce:       true,
	codeParams: []string{"code"},
	check: func(cfg Config) error {
		return required("Feishu", [2]string{"ClientID", cfg.ClientID})
	},
	authURL: oauthAuthURL(),
	signIn:  feishuSignIn,
}

func feishuSignIn(ctx context.Context, c *Connector, code, verifier string) (profile, error) {
	var tok struct {
		Code        int    `json:"code"`
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	status, err := c.call(ctx, request{step: "token exchange", method: http.MethodPost, url: c.ep.TokenURL, jsonBody: map[string]string{
		"grant_type": "authorization_code", "client_id": c.cfg.ClientID, "client_secret": c.cfg.ClientSecret,
		"code": code, "redirect_uri": c.cfg.RedirectURL, "code_verifier": verifier,
	}}, &tok)
	switch {
	case err != nil:
		return profile{}, err
	case tok.Error != "":
		return profile{}, c.oauthError("token exchange", tok.Error, tok.Description)
	case tok.Code != 0 || status != http.StatusOK || tok.AccessToken == "":
		return profile{}, c.refused("token exchange", "answered %d, code %d: %s: %s", status, tok.Code, upstream.Clip(tok.Error), upstream.Clip(tok.Description))
	}
	var user struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
		Data struct {
			Name            string `json:"name"`
			OpenID          string `json:"open_id"`
			UnionID         string `json:"union_id"`
			Email           string `json:"email"`
			EnterpriseEmail string `json:"enterprise_email"`
		} `json:"data"`
	}
	status, err = c.call(ctx, request{step: "user", method: http.MethodGet, url: c.ep.APIURL + "/open-apis/authen/v1/user_info", header: bearer(tok.AccessToken)}, &user)
	switch {
	case err != nil:
		return profile{}, err
	case user.Code != 0 || status != http.StatusOK:
		return profile{}, c.refused("user", "answered %d, code %d: %s", status, user.Code, upstream.Clip(user.Msg))
	}
	d := user.Data
	sub := d.UnionID
	if sub == "" {
		sub = d.OpenID
	}
	return profile{Subject: sub, Name: d.Name, Email: firstEmail(d.EnterpriseEmail, d.Email)}, nil
}
