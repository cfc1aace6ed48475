package platform_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/upstream/platform"
	"github.com/tokenim/tokenim-auth/storage"
)

// WeChat's website app QR login:
// https://developers.weixin.qq.com/doc/oplatform/Website_App/WeChat_Login/Wechat_Login.html

const (
	wechatToken  = "/sns/oauth2/access_token"
	wechatApp    = "wx520c15f417810387"
	wechatCode   = "061Xy9000Lb8aT1yN3000ZpDLb3Xy90a"
	wechatAccess = "ACCESS_TOKEN"
	wechatOpenID = "oCKNE5eb1cMd6Ud4Jk3vYh0Ghrjc"
	wechatUnion  = "o6_bmasdasdsad6_2sgVt7hMZOPfL"
)

func wechatCase() kindCase {
	return kindCase{config: platform.Config{ID: "wechat", Kind: storage.ConnectorWeChat, AppID: wechatApp, ClientSecret: secret, RedirectURL: redirectURI},
		docs: wechatDocs, tokenPath: wechatToken, auth: "/connect/qrconnect",
		// Wechat_Login.html: a user who declines comes back with the state alone.
		denied: url.Values{"state": {"st"}}}
}

// wechatDocs answers as WeChat's documentation shows, with a unionid.
func wechatDocs(t *testing.T, f *fake) {
	// "第二步：通过 code 获取access_token", 正确的返回 / 错误返回样例:
	// https://developers.weixin.qq.com/doc/oplatform/Website_App/WeChat_Login/Wechat_Login.html
	f.route(wechatToken, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		expect(t, "appid", q.Get("appid"), wechatApp)
		expect(t, "secret", q.Get("secret"), secret)
		expect(t, "grant_type", q.Get("grant_type"), "authorization_code")
		if q.Get("code") != wechatCode {
			answer(w, http.StatusOK, `{"errcode":40029,"errmsg":"invalid code"}`)
			return
		}
		answer(w, http.StatusOK, `{"access_token":"`+wechatAccess+`","expires_in":7200,"refresh_token":"REFRESH_TOKEN","openid":"`+wechatOpenID+`","scope":"snsapi_login","unionid":"`+wechatUnion+`"}`)
	})
	// GET /sns/userinfo, 返回说明 (正确的 Json 返回结果):
	// https://developers.weixin.qq.com/doc/oplatform/Website_App/WeChat_Login/Authorized_Interface_Calling_UnionID.html
	f.route("/sns/userinfo", func(w http.ResponseWriter, r *http.Request) {
		expect(t, "userinfo access_token", r.URL.Query().Get("access_token"), wechatAccess)
		expect(t, "userinfo openid", r.URL.Query().Get("openid"), wechatOpenID)
		answer(w, http.StatusOK, `{"openid":"`+wechatOpenID+`","nickname":"NICKNAME","sex":1,"province":"PROVINCE","city":"CITY","country":"COUNTRY","headimgurl":"https://thirdwx.qlogo.cn/mmopen/g3MonUZtNHkdmzicIlibx6iaFqAc56vxLSUfpb6n5WKSYVY0ChQKkiaJSgQ1dZuTOgvLLrhJbERQQ4eMsv84eavHiaiceqxibJxCfHe/0","privilege":["PRIVILEGE1","PRIVILEGE2"],"unionid":"`+wechatUnion+`"}`)
	})
}

func TestWeChatAuthorizationRequest(t *testing.T) {
	t.Parallel()
	c, err := platform.New(wechatCase().config)
	if err != nil {
		t.Fatal(err)
	}
	// "第一步：请求CODE": the parameters in the documented order, then
	// #wechat_redirect. No PKCE.
	raw, err := c.AuthCodeURL(t.Context(), "st4te", "nonce", "")
	if err != nil {
		t.Fatal(err)
	}
	want := "https://open.weixin.qq.com/connect/qrconnect?appid=" + wechatApp +
		"&redirect_uri=https%3A%2F%2Fid.example.com%2Flogin%2Fupstream%2Fcallback%2Fcorp&response_type=code&scope=snsapi_login&state=st4te#wechat_redirect"
	expect(t, "authorization URL", raw, want)
}

func TestWeChatSignIn(t *testing.T) {
	t.Parallel()
	_, c := start(t, wechatCase(), nil)
	id := mustSignIn(t, c, callback(wechatCode), "")
	// The unionid is the subject; WeChat gives no email.
	wantIdentity(t, id, upstream.Identity{Connector: "wechat", Subject: wechatUnion, Name: "NICKNAME"})
}

// TestWeChatWithoutUnionID: an app not bound to an Open Platform account
// gets no unionid; the openid is the subject.
func TestWeChatWithoutUnionID(t *testing.T) {
	t.Parallel()
	f, c := start(t, wechatCase(), nil)
	f.answerWith(wechatToken, http.StatusOK, `{"access_token":"`+wechatAccess+`","expires_in":7200,"refresh_token":"REFRESH_TOKEN","openid":"`+wechatOpenID+`","scope":"snsapi_login"}`)
	f.answerWith("/sns/userinfo", http.StatusOK, `{"openid":"`+wechatOpenID+`","nickname":"NICKNAME","sex":1,"province":"PROVINCE","city":"CITY","country":"COUNTRY","headimgurl":"","privilege":[]}`)
	id := mustSignIn(t, c, callback(wechatCode), "")
	wantIdentity(t, id, upstream.Identity{Connector: "wechat", Subject: wechatOpenID, Name: "NICKNAME"})

	// The unionid only in userinfo is taken too.
	f.answerWith("/sns/userinfo", http.StatusOK, `{"openid":"`+wechatOpenID+`","nickname":"NICKNAME","unionid":"`+wechatUnion+`"}`)
	id = mustSignIn(t, c, callback(wechatCode), "")
	wantIdentity(t, id, upstream.Identity{Connector: "wechat", Subject: wechatUnion, Name: "NICKNAME"})
}

func TestWeChatRefusals(t *testing.T) {
	t.Parallel()
	f, c := start(t, wechatCase(), nil)
	// 错误返回样例: {"errcode":40029,"errmsg":"invalid code"}
	_, err := signIn(t, c, callback("spent"), "")
	wantErr(t, err, upstream.ErrRefused, "errcode 40029")

	// userinfo naming another user than the token.
	f.answerWith("/sns/userinfo", http.StatusOK, `{"openid":"oOther","nickname":"NICKNAME","unionid":"`+wechatUnion+`"}`)
	_, err = signIn(t, c, callback(wechatCode), "")
	wantErr(t, err, upstream.ErrRefused, "another openid")
	f.answerWith("/sns/userinfo", http.StatusOK, `{"openid":"`+wechatOpenID+`","nickname":"NICKNAME","unionid":"oOtherUnion"}`)
	_, err = signIn(t, c, callback(wechatCode), "")
	wantErr(t, err, upstream.ErrRefused, "another unionid")

	// userinfo errors: 40003 invalid openid (refused), -1 system busy
	// (unavailable). 全局返回码: https://developers.weixin.qq.com/doc/oplatform/Return_codes/Return_code_descriptions_new.html
	f.answerWith("/sns/userinfo", http.StatusOK, `{"errcode":40003,"errmsg":"invalid openid"}`)
	_, err = signIn(t, c, callback(wechatCode), "")
	wantErr(t, err, upstream.ErrRefused, "errcode 40003")
	f.answerWith("/sns/userinfo", http.StatusOK, `{"errcode":-1,"errmsg":"system error"}`)
	_, err = signIn(t, c, callback(wechatCode), "")
	wantErr(t, err, upstream.ErrUnavailable, "errcode -1")

	// The app's secret refused (40125 invalid appsecret) is this
	// connector's configuration: unavailable.
	f.answerWith(wechatToken, http.StatusOK, `{"errcode":40125,"errmsg":"invalid appsecret"}`)
	_, err = signIn(t, c, callback(wechatCode), "")
	wantErr(t, err, upstream.ErrUnavailable, "errcode 40125")
}
