package platform_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/upstream/platform"
)

// canned answers every request in-process: the token endpoint with
// token, every other URL with user, both with status.
type canned struct {
	tokenURL    string
	status      int
	token, user []byte
}

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	body := c.user
	if r.URL.Scheme+"://"+r.URL.Host+r.URL.Path == c.tokenURL {
		body = c.token
	}
	return &http.Response{StatusCode: c.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
}

// FuzzSignIn: whatever a platform answers (status and bodies of the
// token exchange and of the user's reads), Finish never panics, fails
// only with ErrRefused or ErrUnavailable, and an identity it returns has
// a usable subject, a plain email if any, and clean text.
func FuzzSignIn(f *testing.F) {
	const tokenURL = "https://platform.test/token"
	f.Add(uint8(0), 200, []byte(`{"access_token":"t"}`), []byte(`{"id":1,"login":"octocat","email":"o@example.com"}`))
	f.Add(uint8(0), 200, []byte(`{"error":"bad_verification_code"}`), []byte(`[]`))
	f.Add(uint8(1), 200, []byte(`{"errcode":0,"access_token":"t","expires_in":7200}`), []byte(`{"errcode":0,"userid":"u\u0000","name":"张三","biz_mail":"a@b.c"}`))
	f.Add(uint8(1), 200, []byte(`{"errcode":0,"access_token":"t","expires_in":-1}`), []byte(`{"errcode":0,"openid":"o"}`))
	f.Add(uint8(2), 200, []byte(`{"accessToken":"t","expireIn":7200}`), []byte(`{"nick":"n","unionId":"z21","email":"Bob <b@example.com>"}`))
	f.Add(uint8(2), 400, []byte(`{"code":"x","message":"m"}`), []byte(`{}`))
	f.Add(uint8(3), 200, []byte(`{"code":0,"access_token":"t"}`), []byte(`{"code":0,"data":{"open_id":"ou","union_id":"","enterprise_email":"x@y.z"}}`))
	f.Add(uint8(4), 200, []byte(`{"access_token":"t","openid":"o","unionid":"u"}`), []byte(`{"openid":"o","nickname":"\u007f","unionid":"u"}`))
	f.Add(uint8(4), 200, []byte(`{"errcode":"40029"}`), []byte(`null`))
	cases := kindCases()
	f.Fuzz(func(t *testing.T, which uint8, status int, token, user []byte) {
		if status < 100 || status > 599 {
			return
		}
		tc := cases[int(which)%len(cases)]
		cfg := tc.config
		cfg.Endpoints = platform.Endpoints{AuthURL: "https://platform.test/auth", TokenURL: tokenURL, APIURL: "https://platform.test"}
		cfg.HTTPClient = &http.Client{Timeout: time.Second, Transport: canned{tokenURL: tokenURL, status: status, token: token, user: user}}
		c, err := platform.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		id, err := c.Finish(t.Context(), "code", "verifier-verifier-verifier-verifier-verifier", "")
		if err != nil {
			if !errors.Is(err, upstream.ErrRefused) && !errors.Is(err, upstream.ErrUnavailable) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if id.Subject == "" || len(id.Subject) > 255 || !upstream.CleanText(id.Subject) || id.Connector != cfg.ID {
			t.Fatalf("identity %+v", id)
		}
		if id.Email != "" && !mailaddr.Valid(id.Email) {
			t.Fatalf("email %q", id.Email)
		}
		if id.Email == "" && id.EmailVerified {
			t.Fatal("verified without an email")
		}
		for _, s := range []string{id.Name, id.Username} {
			if !upstream.CleanText(s) {
				t.Fatalf("text %q", s)
			}
		}
	})
}

// FuzzCheckCallback: any callback query gives a clean code only when it
// has one and no error; otherwise ErrRefused or ErrUnavailable.
func FuzzCheckCallback(f *testing.F) {
	f.Add(uint8(0), "code=c&state=s")
	f.Add(uint8(2), "authCode=c&state=s")
	f.Add(uint8(1), "state=s")
	f.Add(uint8(3), "error=access_denied&error_description=%00%ff")
	f.Add(uint8(4), "code=%00")
	cases := kindCases()
	f.Fuzz(func(t *testing.T, which uint8, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		c, err := platform.New(cases[int(which)%len(cases)].config)
		if err != nil {
			t.Fatal(err)
		}
		code, err := c.CheckCallback(t.Context(), q)
		if err != nil {
			if !errors.Is(err, upstream.ErrRefused) && !errors.Is(err, upstream.ErrUnavailable) {
				t.Fatalf("unclassified error %v", err)
			}
			if !upstream.CleanText(err.Error()) {
				t.Fatalf("error %q carries control characters", err)
			}
			return
		}
		if code == "" || q.Get("error") != "" || !upstream.CleanText(code) || len(code) > 1024 {
			t.Fatalf("code %q from %q", code, query)
		}
	})
}
