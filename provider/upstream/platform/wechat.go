package platform

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"
)

// wechat is WeChat's (微信) website app QR login
// (https://developers.weixin.qq.com/doc/oplatform/Website_App/WeChat_Login/Wechat_Login.html):
// the QR page (qrconnect, parameters in the documented order, ending in
// #wechat_redirect) returns the code, or only the state when the user
// declines; GET /sns/oauth2/access_token exchanges it, and GET
// /sns/userinfo
// (https://developers.weixin.qq.com/doc/oplatform/Website_App/WeChat_Login/Authorized_Interface_Calling_UnionID.html)
// reads the user. Both answer 200, with {errcode, errmsg} on an error.
// WeChat has no PKCE and gives no email.
//
// The subject is the unionid when WeChat sends one (the app is bound to
// an Open Platform account: the same user across its apps), else the
// openid (the user within this app). An app bound after users signed in
// changes their subject from openid to unionid.
var wechat = platform{
	name: "WeChat",
	defaults: Endpoints{
		AuthURL:  "https://open.weixin.qq.com/connect/qrconnect",
		TokenURL: "https://api.weixin.qq.com/sns/oauth2/access_token",
		APIURL:   "https://api.weixin.qq.com",
	},
	noScopes:   true,
	codeParams: []string{"code"},
	check: func(cfg Config) error {
		return required("WeChat", [2]string{"AppID", cfg.AppID})
	},
	authURL: func(c *Connector, state, _ string, _ []oauth2.AuthCodeOption) string {
		return orderedURL(c.ep.AuthURL, [][2]string{
			{"appid", c.cfg.AppID}, {"redirect_uri", c.cfg.RedirectURL}, {"response_type", "code"},
			{"scope", "snsapi_login"}, {"state", state},
		}, "wechat_redirect")
	},
	signIn: wechatSignIn,
}

// wechatBusy are the errcodes that are not about the user or the code:
// the system busy (-1), this app's credentials or address refused
// (40001, 40013, 40125, 40164), its call quota spent (45009, 45011).
var wechatBusy = []int{-1, 40001, 40013, 40125, 40164, 45009, 45011}

// wechatError is the body of WeChat's API errors.
type wechatError struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func wechatSignIn(ctx context.Context, c *Connector, code, _ string) (profile, error) {
	var tok struct {
		wechatError
		AccessToken string `json:"access_token"`
		OpenID      string `json:"openid"`
		UnionID     string `json:"unionid"`
	}
	status, err := c.call(ctx, request{step: "token exchange", method: http.MethodGet, url: c.ep.TokenURL, query: url.Values{
		"appid": {c.cfg.AppID}, "secret": {c.cfg.ClientSecret}, "code": {code}, "grant_type": {"authorization_code"},
	}}, &tok)
	switch {
	case err != nil:
		return profile{}, err
	case tok.ErrCode != 0:
		return profile{}, c.errcode("token exchange", tok.ErrCode, tok.ErrMsg, wechatBusy)
	case status != http.StatusOK || tok.AccessToken == "" || tok.OpenID == "":
		return profile{}, c.refused("token exchange", "answered %d without an access token and openid", status)
	}
	var user struct {
		wechatError
		OpenID   string `json:"openid"`
		UnionID  string `json:"unionid"`
		Nickname string `json:"nickname"`
	}
	status, err = c.call(ctx, request{step: "user", method: http.MethodGet, url: c.ep.APIURL + "/sns/userinfo", query: url.Values{
		"access_token": {tok.AccessToken}, "openid": {tok.OpenID},
	}}, &user)
	switch {
	case err != nil:
		return profile{}, err
	case user.ErrCode != 0:
		return profile{}, c.errcode("user", user.ErrCode, user.ErrMsg, wechatBusy)
	case status != http.StatusOK:
		return profile{}, c.refused("user", "answered %d", status)
	case !same(user.OpenID, tok.OpenID):
		return profile{}, c.refused("user", "userinfo names another openid than the token")
	}
	union := tok.UnionID
	switch {
	case union == "":
		union = user.UnionID
	case user.UnionID != "" && !same(user.UnionID, union):
		return profile{}, c.refused("user", "userinfo names another unionid than the token")
	}
	sub := union
	if sub == "" {
		sub = tok.OpenID
	}
	return profile{Subject: sub, Name: user.Nickname}, nil
}

// same compares two identifiers in constant time.
func same(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
