package platform

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/provider/upstream"
	"golang.org/x/oauth2"
)

// wecom is WeCom's (企业微信) web login for a corporation's own app
// (https://developer.work.weixin.qq.com/document/path/98152): the login
// page (wwlogin/sso/login, login_type CorpApp) returns the code, or only
// the state when the user leaves. The code is read with the corporation's
// access token (gettoken,
// https://developer.work.weixin.qq.com/document/path/91039, cached until
// shortly before it expires) at GET /cgi-bin/auth/getuserinfo
// (https://developer.work.weixin.qq.com/document/path/91023); the
// member's name at GET /cgi-bin/user/get
// (https://developer.work.weixin.qq.com/document/path/90196) and, when
// getuserinfo hands a user_ticket, their email at POST
// /cgi-bin/auth/getuserdetail
// (https://developer.work.weixin.qq.com/document/path/95833). Every
// answer is 200 with {errcode, errmsg}. WeCom has no PKCE.
//
// Only members of the corporation sign in: a visitor outside it (an
// openid without a userid) is refused. The subject is CorpID:userid,
// stable within the corporation; the username is the userid. The email
// (the corporate mailbox biz_mail, else email) is set by the
// corporation's administrators, and WeCom does not say it verified it.
var wecom = platform{
	name: "WeCom",
	defaults: Endpoints{
		AuthURL:  "https://login.work.weixin.qq.com/wwlogin/sso/login",
		TokenURL: "https://qyapi.weixin.qq.com/cgi-bin/gettoken",
		APIURL:   "https://qyapi.weixin.qq.com",
	},
	noScopes:   true,
	codeParams: []string{"code"},
	check: func(cfg Config) error {
		return required("WeCom", [2]string{"CorpID", cfg.CorpID}, [2]string{"AgentID", cfg.AgentID})
	},
	authURL: func(c *Connector, state, _ string, _ []oauth2.AuthCodeOption) string {
		return orderedURL(c.ep.AuthURL, [][2]string{
			{"login_type", "CorpApp"}, {"appid", c.cfg.CorpID}, {"agentid", c.cfg.AgentID},
			{"redirect_uri", c.cfg.RedirectURL}, {"state", state},
		}, "")
	},
	signIn: wecomSignIn,
}

// wecomBusy are the errcodes that are not about the user or the code:
// the system busy (-1), the corporation token refused even when fresh
// (40014, 42001), the call quota spent (45009), this server's address
// not allowed (60020).
var wecomBusy = []int{-1, 40014, 42001, 45009, 60020}

// wecomStaleToken are the errcodes of a corporation token WeCom no
// longer takes (invalid, expired): it is fetched again once.
var wecomStaleToken = []int{40014, 42001}

// corpTokenMargin is how long before its expiry a corporation token is
// renewed.
const corpTokenMargin = 5 * time.Minute

func wecomSignIn(ctx context.Context, c *Connector, code, _ string) (profile, error) {
	var who struct {
		wechatError
		UserID     string `json:"userid"`
		UserTicket string `json:"user_ticket"`
		OpenID     string `json:"openid"`
	}
	token, err := c.wecomGet(ctx, "user", "/cgi-bin/auth/getuserinfo", url.Values{"code": {code}}, &who, &who.wechatError)
	switch {
	case err != nil:
		return profile{}, err
	case who.UserID == "" && who.OpenID != "":
		return profile{}, c.refused("user", "the user is not a member of corporation %s", c.cfg.CorpID)
	case who.UserID == "":
		return profile{}, c.refused("user", "the answer names no userid")
	}
	p := profile{Subject: c.cfg.CorpID + ":" + who.UserID, Username: who.UserID}

	// The name, and an email on apps that still get one here. A
	// permission the app lacks leaves them out.
	var member struct {
		wechatError
		Name    string `json:"name"`
		Email   string `json:"email"`
		BizMail string `json:"biz_mail"`
	}
	status, err := c.call(ctx, request{step: "member", method: http.MethodGet, url: c.ep.APIURL + "/cgi-bin/user/get",
		query: url.Values{"access_token": {token}, "userid": {who.UserID}}}, &member)
	switch {
	case err != nil:
		return profile{}, err
	case member.ErrCode != 0 || status != http.StatusOK:
		c.log.WarnContext(ctx, "upstream member details refused", "connector", c.cfg.ID, "errcode", member.ErrCode, "errmsg", upstream.Clip(member.ErrMsg))
	default:
		p.Name, p.Email = member.Name, firstEmail(member.BizMail, member.Email)
	}
	if who.UserTicket == "" || p.Email != "" {
		return p, nil
	}
	var detail struct {
		wechatError
		UserID  string `json:"userid"`
		Email   string `json:"email"`
		BizMail string `json:"biz_mail"`
	}
	status, err = c.call(ctx, request{step: "member detail", method: http.MethodPost, url: c.ep.APIURL + "/cgi-bin/auth/getuserdetail",
		query: url.Values{"access_token": {token}}, jsonBody: map[string]string{"user_ticket": who.UserTicket}}, &detail)
	switch {
	case err != nil:
		return profile{}, err
	case detail.ErrCode != 0 || status != http.StatusOK || !same(detail.UserID, who.UserID):
		c.log.WarnContext(ctx, "upstream member detail refused", "connector", c.cfg.ID, "errcode", detail.ErrCode, "errmsg", upstream.Clip(detail.ErrMsg))
	default:
		p.Email = firstEmail(detail.BizMail, detail.Email)
	}
	return p, nil
}

// wecomGet calls a WeCom API with the corporation's access token,
// fetching a new token once when WeCom says the cached one is stale, and
// returns the token used. e is out's errcode.
func (c *Connector) wecomGet(ctx context.Context, step, path string, query url.Values, out any, e *wechatError) (string, error) {
	for attempt := 0; ; attempt++ {
		token, err := c.corpAccessToken(ctx)
		if err != nil {
			return "", err
		}
		q := url.Values{"access_token": {token}}
		for k, v := range query {
			q[k] = v
		}
		*e = wechatError{}
		status, err := c.call(ctx, request{step: step, method: http.MethodGet, url: c.ep.APIURL + path, query: q}, out)
		switch {
		case err != nil:
			return "", err
		case attempt == 0 && slices.Contains(wecomStaleToken, e.ErrCode):
			c.dropCorpToken(token)
			continue
		case e.ErrCode != 0:
			return "", c.errcode(step, e.ErrCode, e.ErrMsg, wecomBusy)
		case status != http.StatusOK:
			return "", c.refused(step, "answered %d", status)
		}
		return token, nil
	}
}

// corpAccessToken returns the corporation's access token, from the cache
// until corpTokenMargin before it expires. Any failure to get one is
// ErrUnavailable: it is about this connector's configuration or WeCom,
// never the user.
func (c *Connector) corpAccessToken(ctx context.Context) (string, error) {
	c.corp.mu.Lock()
	defer c.corp.mu.Unlock()
	now := c.now()
	if c.corp.token != "" && now.Before(c.corp.renewAt) {
		return c.corp.token, nil
	}
	var tok struct {
		wechatError
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	status, err := c.call(ctx, request{step: "corporation token", method: http.MethodGet, url: c.ep.TokenURL,
		query: url.Values{"corpid": {c.cfg.CorpID}, "corpsecret": {c.cfg.ClientSecret}}}, &tok)
	switch {
	case err != nil:
		return "", err
	case tok.ErrCode != 0:
		return "", c.unavailable("corporation token", "errcode %d: %s", tok.ErrCode, upstream.Clip(tok.ErrMsg))
	case status != http.StatusOK || tok.AccessToken == "" || tok.ExpiresIn <= 0:
		return "", c.unavailable("corporation token", "answered %d without a token and its lifetime", status)
	}
	life := time.Duration(min(tok.ExpiresIn, int64(24*time.Hour/time.Second))) * time.Second
	c.corp.token, c.corp.renewAt = tok.AccessToken, now.Add(life-min(corpTokenMargin, life/2))
	return c.corp.token, nil
}

// dropCorpToken forgets token if it is still the cached one.
func (c *Connector) dropCorpToken(token string) {
	c.corp.mu.Lock()
	defer c.corp.mu.Unlock()
	if c.corp.token == token {
		c.corp.token = ""
	}
}
