package platform_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/upstream/platform"
	"github.com/tokenim/tokenim-auth/storage"
)

// DingTalk's sign-in to a third-party website:
// https://open.dingtalk.com/document/orgapp/tutorial-obtaining-user-personal-information

const (
	dingtalkToken  = "/v1.0/oauth2/userAccessToken"
	dingtalkCode   = "b2c3e1f07a6d"
	dingtalkAccess = "abcd"
)

func dingtalkCase() kindCase {
	return kindCase{config: platform.Config{ID: "ding", Kind: storage.ConnectorDingTalk, ClientID: "dingxxxxxxxx", ClientSecret: secret, RedirectURL: redirectURI},
		docs: dingtalkDocs, tokenPath: dingtalkToken, auth: "/oauth2/auth",
		denied: url.Values{"error": {"access_denied"}, "state": {"st"}}}
}

// dingtalkDocs answers as DingTalk's documentation shows.
func dingtalkDocs(t *testing.T, f *fake) {
	// POST /v1.0/oauth2/userAccessToken, "返回结果":
	// https://open.dingtalk.com/document/orgapp/obtain-user-token
	f.route(dingtalkToken, func(w http.ResponseWriter, r *http.Request) {
		expect(t, "token method", r.Method, http.MethodPost)
		var body map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("token request body: %v", err)
		}
		expect(t, "clientId", body["clientId"], "dingxxxxxxxx")
		expect(t, "clientSecret", body["clientSecret"], secret)
		expect(t, "grantType", body["grantType"], "authorization_code")
		if body["code"] != dingtalkCode {
			// New-style API errors are a 4xx with {code, message, requestid}:
			// https://open.dingtalk.com/document/orgapp/obtain-user-token ("错误码")
			answer(w, http.StatusBadRequest, `{"requestid":"5E0B2AFC-1E2C-7E3F-A1D0-3F9E8C7B6A54","code":"invalidParameter.authCode.notFound","message":"不合法的临时授权码"}`)
			return
		}
		answer(w, http.StatusOK, `{"accessToken":"`+dingtalkAccess+`","refreshToken":"abcd","expireIn":7200,"corpId":"corpxxxx"}`)
	})
	// GET /v1.0/contact/users/me, "返回结果":
	// https://open.dingtalk.com/document/orgapp/dingtalk-retrieve-user-information
	f.route("/v1.0/contact/users/me", func(w http.ResponseWriter, r *http.Request) {
		expect(t, "x-acs-dingtalk-access-token", r.Header.Get("x-acs-dingtalk-access-token"), dingtalkAccess)
		answer(w, http.StatusOK, `{"nick":"zhangsan","avatarUrl":"https://xxx","mobile":"150xxxx9144","openId":"123","unionId":"z21HjQliSzpw0Yxxxx","email":"zhangsan@alibaba-inc.com","stateCode":"86"}`)
	})
}

func TestDingTalkAuthorizationRequest(t *testing.T) {
	t.Parallel()
	c, err := platform.New(dingtalkCase().config)
	if err != nil {
		t.Fatal(err)
	}
	u, q := authQuery(t, c, "st4te", oauth2.GenerateVerifier())
	expect(t, "authorization endpoint", u.Scheme+"://"+u.Host+u.Path, "https://login.dingtalk.com/oauth2/auth")
	// "构造登录授权页面": redirect_uri, response_type=code, client_id,
	// scope=openid, state, prompt=consent. No PKCE.
	wantQuery(t, q, map[string]string{
		"redirect_uri": redirectURI, "response_type": "code", "client_id": "dingxxxxxxxx", "scope": "openid", "state": "st4te", "prompt": "consent",
	})
}

func TestDingTalkSignIn(t *testing.T) {
	t.Parallel()
	_, c := start(t, dingtalkCase(), nil)
	// The authorization page returns the code as authCode.
	id := mustSignIn(t, c, url.Values{"authCode": {dingtalkCode}, "state": {"st"}}, "")
	wantIdentity(t, id, upstream.Identity{Connector: "ding", Subject: "z21HjQliSzpw0Yxxxx", Name: "zhangsan", Email: "zhangsan@alibaba-inc.com"})
}

func TestDingTalkRefusals(t *testing.T) {
	t.Parallel()
	f, c := start(t, dingtalkCase(), nil)
	_, err := signIn(t, c, callback("spent"), "")
	wantErr(t, err, upstream.ErrRefused, "invalidParameter.authCode.notFound")

	// An access token DingTalk no longer takes: 401 with the same body
	// shape ("错误码").
	f.answerWith("/v1.0/contact/users/me", http.StatusUnauthorized, `{"requestid":"2B0C8C6D-55B3-7E3B-9E0A-4A0B3C2D1E0F","code":"InvalidAuthentication","message":"不合法的access_token"}`)
	_, err = signIn(t, c, callback(dingtalkCode), "")
	wantErr(t, err, upstream.ErrRefused, "InvalidAuthentication")

	// A user without a unionId is refused: it is the subject.
	f.answerWith("/v1.0/contact/users/me", http.StatusOK, `{"nick":"zhangsan","openId":"123"}`)
	_, err = signIn(t, c, callback(dingtalkCode), "")
	wantErr(t, err, upstream.ErrRefused, "no identifier")
}
