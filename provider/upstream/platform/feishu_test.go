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

// Feishu's web app sign-in:
// https://open.feishu.cn/document/common-capabilities/sso/web-application-end-user-consent/guide

const (
	feishuToken  = "/open-apis/authen/v2/oauth/token"
	feishuCode   = "a61hb967bd094dge949h79bbexd16dfe"
	feishuAccess = "eyJhbGciOiJFUzI1NiIs**********X6wrZHYKDxJkWwhdkrYg"
)

func feishuCase() kindCase {
	return kindCase{config: platform.Config{ID: "feishu", Kind: storage.ConnectorFeishu, ClientID: "cli_a5ca35a685b0x26e", ClientSecret: secret, RedirectURL: redirectURI},
		docs: feishuDocs, tokenPath: feishuToken, auth: "/open-apis/authen/v1/authorize",
		// https://open.feishu.cn/document/common-capabilities/sso/api/obtain-oauth-code: error=access_denied when the user refuses.
		denied: url.Values{"error": {"access_denied"}, "state": {"st"}}}
}

// feishuDocs answers as Feishu's documentation shows.
func feishuDocs(t *testing.T, f *fake) {
	// POST /open-apis/authen/v2/oauth/token, "请求体" and "响应体示例":
	// https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/authentication-management/access-token/get-user-access-token
	f.route(feishuToken, func(w http.ResponseWriter, r *http.Request) {
		expect(t, "token method", r.Method, http.MethodPost)
		expect(t, "token Content-Type", r.Header.Get("Content-Type"), "application/json; charset=utf-8")
		var body map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("token request body: %v", err)
		}
		expect(t, "grant_type", body["grant_type"], "authorization_code")
		expect(t, "client_id", body["client_id"], "cli_a5ca35a685b0x26e")
		expect(t, "client_secret", body["client_secret"], secret)
		expect(t, "redirect_uri", body["redirect_uri"], redirectURI)
		if body["code"] != feishuCode || body["code_verifier"] == "" {
			// "错误码" 20003 invalid_grant, HTTP 400.
			answer(w, http.StatusBadRequest, `{"code":20003,"error":"invalid_grant","error_description":"The authorization code is not found. Please note that an authorization code can only be used once."}`)
			return
		}
		answer(w, http.StatusOK, `{"code":0,"access_token":"`+feishuAccess+`","expires_in":7200,"refresh_token":"eyJhbGciOiJFUzI1NiIs**********XXOYOZz1mfgIYHwM8ZJA","refresh_token_expires_in":604800,"scope":"auth:user.id:read offline_access task:task:read user_profile","token_type":"Bearer"}`)
	})
	// GET /open-apis/authen/v1/user_info, "响应体示例":
	// https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/authen-v1/user_info/get
	f.route("/open-apis/authen/v1/user_info", func(w http.ResponseWriter, r *http.Request) {
		expect(t, "user_info Authorization", r.Header.Get("Authorization"), "Bearer "+feishuAccess)
		answer(w, http.StatusOK, `{"code":0,"msg":"success","data":{"name":"zhangsan","en_name":"zhangsan","avatar_url":"www.feishu.cn/avatar/icon","avatar_thumb":"www.feishu.cn/avatar/icon_thumb","avatar_middle":"www.feishu.cn/avatar/icon_middle","avatar_big":"www.feishu.cn/avatar/icon_big","open_id":"ou-caecc734c2e3328a62489fe0648c4b98779515d3","union_id":"on-d89jhsdhjsajkda7828enjdj328ydhhw3u43yjhdj","email":"zhangsan@feishu.cn","enterprise_email":"demo@mail.com","user_id":"5d9bdxxx","mobile":"+86130002883xx","tenant_key":"736588c92lxf175d","employee_no":"111222333"}}`)
	})
}

func TestFeishuAuthorizationRequest(t *testing.T) {
	t.Parallel()
	c, err := platform.New(feishuCase().config)
	if err != nil {
		t.Fatal(err)
	}
	verifier := oauth2.GenerateVerifier()
	u, q := authQuery(t, c, "st4te", verifier)
	expect(t, "authorization endpoint", u.Scheme+"://"+u.Host+u.Path, "https://accounts.feishu.cn/open-apis/authen/v1/authorize")
	// "查询参数": client_id, redirect_uri, state, code_challenge,
	// code_challenge_method; scope only when asked for.
	wantQuery(t, q, map[string]string{
		"client_id": "cli_a5ca35a685b0x26e", "redirect_uri": redirectURI, "state": "st4te", "response_type": "code",
		"code_challenge": oauth2.S256ChallengeFromVerifier(verifier), "code_challenge_method": "S256",
	})

	cfg := feishuCase().config
	cfg.Scopes = []string{"contact:user.email:readonly"}
	cfg.Endpoints = platform.LarkEndpoints()
	c, err = platform.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	u, q = authQuery(t, c, "st4te", verifier)
	expect(t, "Lark authorization endpoint", u.Scheme+"://"+u.Host+u.Path, "https://accounts.larksuite.com/open-apis/authen/v1/authorize")
	expect(t, "scope", q.Get("scope"), "contact:user.email:readonly")
}

func TestFeishuSignIn(t *testing.T) {
	t.Parallel()
	f, c := start(t, feishuCase(), nil)
	id := mustSignIn(t, c, callback(feishuCode), oauth2.GenerateVerifier())
	wantIdentity(t, id, upstream.Identity{Connector: "feishu", Subject: "on-d89jhsdhjsajkda7828enjdj328ydhhw3u43yjhdj", Name: "zhangsan", Email: "demo@mail.com"})

	// Without a union_id, the open_id.
	f.answerWith("/open-apis/authen/v1/user_info", http.StatusOK, `{"code":0,"msg":"success","data":{"name":"zhangsan","open_id":"ou-caecc734c2e3328a62489fe0648c4b98779515d3","email":"zhangsan@feishu.cn"}}`)
	id = mustSignIn(t, c, callback(feishuCode), oauth2.GenerateVerifier())
	wantIdentity(t, id, upstream.Identity{Connector: "feishu", Subject: "ou-caecc734c2e3328a62489fe0648c4b98779515d3", Name: "zhangsan", Email: "zhangsan@feishu.cn"})
}

func TestFeishuRefusals(t *testing.T) {
	t.Parallel()
	f, c := start(t, feishuCase(), nil)
	_, err := signIn(t, c, callback("spent"), oauth2.GenerateVerifier())
	wantErr(t, err, upstream.ErrRefused, "invalid_grant")

	// "错误码" 20002 invalid_client (HTTP 400): the app's secret is wrong,
	// this connector's configuration.
	f.answerWith(feishuToken, http.StatusBadRequest, `{"code":20002,"error":"invalid_client","error_description":"The client secret is invalid."}`)
	_, err = signIn(t, c, callback(feishuCode), oauth2.GenerateVerifier())
	wantErr(t, err, upstream.ErrUnavailable, "invalid_client")
	feishuDocs(t, f)

	_, err = c.Finish(t.Context(), feishuCode, "", "")
	wantErr(t, err, upstream.ErrRefused, "missing code or verifier")

	// user_info with code ≠ 0 ("错误码" 99991668, invalid access token).
	f.answerWith("/open-apis/authen/v1/user_info", http.StatusBadRequest, `{"code":99991668,"msg":"Invalid access token for authorization. Please make a request with token attached."}`)
	_, err = signIn(t, c, callback(feishuCode), oauth2.GenerateVerifier())
	wantErr(t, err, upstream.ErrRefused, "code 99991668")
}
