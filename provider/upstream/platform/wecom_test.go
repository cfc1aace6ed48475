package platform_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/upstream/platform"
	"github.com/tokenim/tokenim-auth/storage"
)

// WeCom's web login: https://developer.work.weixin.qq.com/document/path/98152

const (
	wecomToken  = "/cgi-bin/gettoken"
	wecomCorp   = "ww7a0f3c5e9b1d2468"
	wecomCode   = "CODE-5c1e"
	wecomAccess = "accesstoken000001"
)

func wecomCase() kindCase {
	return kindCase{config: platform.Config{ID: "wecom", Kind: storage.ConnectorWeCom, CorpID: wecomCorp, AgentID: "1000005", ClientSecret: secret, RedirectURL: redirectURI},
		docs: wecomDocs, tokenPath: wecomToken, auth: "/wwlogin/sso/login",
		denied: url.Values{"state": {"st"}}}
}

// wecomDocs answers as WeCom's documentation shows. Every API answers 200
// with errcode/errmsg.
func wecomDocs(t *testing.T, f *fake) {
	// gettoken, "返回结果": https://developer.work.weixin.qq.com/document/path/91039
	f.route(wecomToken, func(w http.ResponseWriter, r *http.Request) {
		expect(t, "corpid", r.URL.Query().Get("corpid"), wecomCorp)
		if r.URL.Query().Get("corpsecret") != secret {
			answer(w, http.StatusOK, `{"errcode":40001,"errmsg":"invalid credential"}`)
			return
		}
		answer(w, http.StatusOK, `{"errcode":0,"errmsg":"ok","access_token":"`+wecomAccess+`","expires_in":7200}`)
	})
	// auth/getuserinfo, a member ("a) 当用户为企业成员时"):
	// https://developer.work.weixin.qq.com/document/path/91023
	f.route("/cgi-bin/auth/getuserinfo", func(w http.ResponseWriter, r *http.Request) {
		expect(t, "getuserinfo access_token", r.URL.Query().Get("access_token"), wecomAccess)
		if r.URL.Query().Get("code") != wecomCode {
			// 40029 invalid code: https://developer.work.weixin.qq.com/document/path/96213
			answer(w, http.StatusOK, `{"errcode":40029,"errmsg":"invalid code"}`)
			return
		}
		answer(w, http.StatusOK, `{"errcode":0,"errmsg":"ok","userid":"zhangsan","user_ticket":"USER_TICKET"}`)
	})
	// user/get for an app created after 2022-06-20: the name, no email
	// ("返回结果"): https://developer.work.weixin.qq.com/document/path/90196
	f.route("/cgi-bin/user/get", func(w http.ResponseWriter, r *http.Request) {
		expect(t, "user/get access_token", r.URL.Query().Get("access_token"), wecomAccess)
		expect(t, "user/get userid", r.URL.Query().Get("userid"), "zhangsan")
		answer(w, http.StatusOK, `{"errcode":0,"errmsg":"ok","userid":"zhangsan","name":"张三","department":[1,2],"order":[1,2],"position":"后台工程师","is_leader_in_dept":[1,0],"direct_leader":["lisi"],"alias":"jackzhang","status":1,"main_department":1}`)
	})
	// auth/getuserdetail ("返回结果"):
	// https://developer.work.weixin.qq.com/document/path/95833
	f.route("/cgi-bin/auth/getuserdetail", func(w http.ResponseWriter, r *http.Request) {
		expect(t, "getuserdetail method", r.Method, http.MethodPost)
		expect(t, "getuserdetail access_token", r.URL.Query().Get("access_token"), wecomAccess)
		var body struct {
			UserTicket string `json:"user_ticket"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		expect(t, "user_ticket", body.UserTicket, "USER_TICKET")
		answer(w, http.StatusOK, `{"errcode":0,"errmsg":"ok","userid":"zhangsan","gender":"1","avatar":"http://shp.qpic.cn/bizmp/xxxxxxxxxxx/0","qr_code":"https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=vcfc13b01dfs78e981c","mobile":"13800000000","email":"zhangsan@gzdev.com","biz_mail":"zhangsan@qyycs2.wecom.work","address":"广州市海珠区新港中路"}`)
	})
}

func TestWeComAuthorizationRequest(t *testing.T) {
	t.Parallel()
	c, err := platform.New(wecomCase().config)
	if err != nil {
		t.Fatal(err)
	}
	// "构造企业微信登录链接", in the documented order; no PKCE.
	raw, err := c.AuthCodeURL(t.Context(), "st4te", "nonce", "")
	if err != nil {
		t.Fatal(err)
	}
	want := "https://login.work.weixin.qq.com/wwlogin/sso/login?login_type=CorpApp&appid=" + wecomCorp +
		"&agentid=1000005&redirect_uri=https%3A%2F%2Fid.example.com%2Flogin%2Fupstream%2Fcallback%2Fcorp&state=st4te"
	expect(t, "authorization URL", raw, want)
}

// wecomStart runs WeCom and a connector on clk.
func wecomStart(t *testing.T, clk *clock) (*fake, *platform.Connector) {
	return start(t, wecomCase(), func(c *platform.Config) { c.Now = clk.Now })
}

func TestWeComSignIn(t *testing.T) {
	t.Parallel()
	_, c := wecomStart(t, newClock())
	id := mustSignIn(t, c, callback(wecomCode), "")
	wantIdentity(t, id, upstream.Identity{Connector: "wecom", Subject: wecomCorp + ":zhangsan", Username: "zhangsan", Name: "张三", Email: "zhangsan@qyycs2.wecom.work"})
}

// TestWeComTokenCached: the corporation token is fetched once and reused
// until shortly before it expires, on the injected clock.
func TestWeComTokenCached(t *testing.T) {
	t.Parallel()
	clk := newClock()
	f, c := wecomStart(t, clk)
	for range 2 {
		mustSignIn(t, c, callback(wecomCode), "")
	}
	if n := f.hit(wecomToken); n != 1 {
		t.Fatalf("gettoken called %d times for two sign-ins, want 1", n)
	}
	clk.advance(7200*time.Second - 6*time.Minute)
	mustSignIn(t, c, callback(wecomCode), "")
	if n := f.hit(wecomToken); n != 1 {
		t.Fatalf("gettoken called %d times before the token's renewal, want 1", n)
	}
	clk.advance(2 * time.Minute)
	mustSignIn(t, c, callback(wecomCode), "")
	if n := f.hit(wecomToken); n != 2 {
		t.Fatalf("gettoken called %d times after the token aged, want 2", n)
	}
}

// TestWeComStaleTokenRefetched: WeCom saying the cached token expired
// (42001) fetches a new one and the sign-in goes on.
func TestWeComStaleTokenRefetched(t *testing.T) {
	t.Parallel()
	f, c := wecomStart(t, newClock())
	mustSignIn(t, c, callback(wecomCode), "")
	var stale atomic.Bool
	stale.Store(true)
	f.route("/cgi-bin/auth/getuserinfo", func(w http.ResponseWriter, _ *http.Request) {
		if stale.Swap(false) {
			// 42001 access_token expired: https://developer.work.weixin.qq.com/document/path/96213
			answer(w, http.StatusOK, `{"errcode":42001,"errmsg":"access_token expired"}`)
			return
		}
		answer(w, http.StatusOK, `{"errcode":0,"errmsg":"ok","userid":"zhangsan"}`)
	})
	id := mustSignIn(t, c, callback(wecomCode), "")
	if id.Subject != wecomCorp+":zhangsan" || f.hit(wecomToken) != 2 {
		t.Fatalf("identity %+v after %d gettoken calls", id, f.hit(wecomToken))
	}
}

func TestWeComRefusals(t *testing.T) {
	t.Parallel()
	f, c := wecomStart(t, newClock())
	_, err := signIn(t, c, callback("used-code"), "")
	wantErr(t, err, upstream.ErrRefused, "errcode 40029")

	// A visitor outside the corporation ("b) 当用户为非企业成员时"):
	// https://developer.work.weixin.qq.com/document/path/91023
	f.answerWith("/cgi-bin/auth/getuserinfo", http.StatusOK, `{"errcode":0,"errmsg":"ok","openid":"OPENID","external_userid":"EXTERNAL_USERID"}`)
	_, err = signIn(t, c, callback(wecomCode), "")
	wantErr(t, err, upstream.ErrRefused, "not a member of corporation "+wecomCorp)

	f.answerWith("/cgi-bin/auth/getuserinfo", http.StatusOK, `{"errcode":-1,"errmsg":"system busy"}`)
	_, err = signIn(t, c, callback(wecomCode), "")
	wantErr(t, err, upstream.ErrUnavailable, "errcode -1")
}

// TestWeComWrongSecretUnavailable: gettoken refusing the app's secret is
// this connector's configuration, not the user: ErrUnavailable.
func TestWeComWrongSecretUnavailable(t *testing.T) {
	t.Parallel()
	f, c := start(t, wecomCase(), func(c *platform.Config) { c.ClientSecret = "wrong" })
	_, err := signIn(t, c, callback(wecomCode), "")
	wantErr(t, err, upstream.ErrUnavailable, "errcode 40001")
	if f.hit("/cgi-bin/auth/getuserinfo") != 0 {
		t.Fatal("the code was read without a corporation token")
	}
}

// TestWeComMemberDetailsOptional: user/get and getuserdetail refused (an
// app without the permission) still sign the member in, without them.
func TestWeComMemberDetailsOptional(t *testing.T) {
	t.Parallel()
	f, c := wecomStart(t, newClock())
	// 60011 no privilege to access/modify contact/party/agent:
	// https://developer.work.weixin.qq.com/document/path/96213
	f.answerWith("/cgi-bin/user/get", http.StatusOK, `{"errcode":60011,"errmsg":"no privilege to access/modify contact/party/agent"}`)
	f.answerWith("/cgi-bin/auth/getuserdetail", http.StatusOK, `{"errcode":60011,"errmsg":"no privilege to access/modify contact/party/agent"}`)
	id := mustSignIn(t, c, callback(wecomCode), "")
	wantIdentity(t, id, upstream.Identity{Connector: "wecom", Subject: wecomCorp + ":zhangsan", Username: "zhangsan"})
}
