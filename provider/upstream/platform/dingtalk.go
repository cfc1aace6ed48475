package platform

import (
	"context"
	"net/http"

	"github.com/tokenim/tokenim-auth/provider/upstream"
	"golang.org/x/oauth2"
)

// dingtalk is DingTalk's (钉钉) sign-in to a third-party website, the
// new-style OAuth 2.0 flow:
// https://open.dingtalk.com/document/orgapp/tutorial-obtaining-user-personal-information
// The authorization page sends the code back as authCode; it is exchanged
// at POST /v1.0/oauth2/userAccessToken
// (https://open.dingtalk.com/document/orgapp/obtain-user-token) and the
// user read at GET /v1.0/contact/users/me
// (https://open.dingtalk.com/document/orgapp/dingtalk-retrieve-user-information),
// whose errors are a 4xx with {code, message, requestid}. DingTalk
// documents no PKCE. The subject is the unionId, the user's identifier
// across the apps of one developer; the name is the nick. The email is
// the one the user gave their account, which DingTalk does not say it
// verified.
var dingtalk = platform{
	name: "DingTalk",
	defaults: Endpoints{
		AuthURL:  "https://login.dingtalk.com/oauth2/auth",
		TokenURL: "https://api.dingtalk.com/v1.0/oauth2/userAccessToken",
		APIURL:   "https://api.dingtalk.com",
	},
	scopes:     []string{"openid"},
	codeParams: []string{"authCode", "code"},
	check: func(cfg Config) error {
		return required("DingTalk", [2]string{"ClientID", cfg.ClientID})
	},
	// prompt=consent shows the authorization page rather than signing a
	// user already signed in to DingTalk straight through.
	authURL: oauthAuthURL(oauth2.SetAuthURLParam("prompt", "consent")),
	signIn:  dingtalkSignIn,
}

// dingtalkError is the body of DingTalk's new-style API errors.
type dingtalkError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func dingtalkSignIn(ctx context.Context, c *Connector, code, _ string) (profile, error) {
	var tok struct {
		dingtalkError
		AccessToken string `json:"accessToken"`
	}
	status, err := c.call(ctx, request{step: "token exchange", method: http.MethodPost, url: c.ep.TokenURL, jsonBody: map[string]string{
		"clientId": c.cfg.ClientID, "clientSecret": c.cfg.ClientSecret, "code": code, "grantType": "authorization_code",
	}}, &tok)
	switch {
	case err != nil:
		return profile{}, err
	case status != http.StatusOK || tok.AccessToken == "":
		return profile{}, c.refused("token exchange", "answered %d: %s: %s", status, upstream.Clip(tok.Code), upstream.Clip(tok.Message))
	}
	var user struct {
		dingtalkError
		Nick    string `json:"nick"`
		UnionID string `json:"unionId"`
		Email   string `json:"email"`
	}
	status, err = c.call(ctx, request{step: "user", method: http.MethodGet, url: c.ep.APIURL + "/v1.0/contact/users/me",
		header: http.Header{"X-Acs-Dingtalk-Access-Token": {tok.AccessToken}}}, &user)
	switch {
	case err != nil:
		return profile{}, err
	case status != http.StatusOK:
		return profile{}, c.refused("user", "answered %d: %s: %s", status, upstream.Clip(user.Code), upstream.Clip(user.Message))
	}
	return profile{Subject: user.UnionID, Name: user.Nick, Email: user.Email}, nil
}
