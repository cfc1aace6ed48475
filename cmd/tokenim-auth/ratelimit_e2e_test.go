package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tightLimits leaves each client three token requests and each address
// two sign-in attempts an hour.
const tightLimits = `
rate_limit:
  token:
    per_client: {rate: 3, period: 1h, burst: 3}
  login:
    per_ip: {rate: 2, period: 1h, burst: 2}
`

func TestRateLimits(t *testing.T) {
	t.Parallel()
	eachStoreConfig(t, tightLimits, func(t *testing.T, p running) {
		ops := clientcredentials.Config{
			ClientID: "ops", ClientSecret: gatewaySecret, TokenURL: p.issuer + "/oauth2/token",
			Scopes: []string{"admin"}, AuthStyle: oauth2.AuthStyleInHeader,
		}
		t.Run("a client past its budget gets 429 with Retry-After and an RFC 6749 error", func(t *testing.T) {
			for i := range 3 {
				if _, err := ops.Token(t.Context()); err != nil {
					t.Fatalf("token %d of the budget: %v", i+1, err)
				}
			}
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, p.issuer+"/oauth2/token",
				strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("ops", gatewaySecret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Error       string `json:"error"`
				Description string `json:"error_description"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&body)
			secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			if resp.StatusCode != http.StatusTooManyRequests || err != nil || secs < 1 {
				t.Fatalf("status %d, Retry-After %q: want 429 and whole seconds", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			if body.Error != "rate_limited" || body.Description != fmt.Sprintf("Too many requests from this client; retry after %d s.", secs) {
				t.Fatalf("error %+v", body)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("Cache-Control %q", resp.Header.Get("Cache-Control"))
			}
		})
		t.Run("an OAuth client library reads the refusal", func(t *testing.T) {
			_, err := ops.Token(t.Context())
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.Response.StatusCode != http.StatusTooManyRequests || re.ErrorCode != "rate_limited" {
				t.Fatalf("err %v, want a RetrieveError with 429 rate_limited", err)
			}
		})
		t.Run("another client still gets tokens", func(t *testing.T) {
			gw := clientcredentials.Config{ClientID: "im-gateway", ClientSecret: gatewaySecret, TokenURL: p.issuer + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}
			if _, err := gw.Token(t.Context()); err != nil {
				t.Fatalf("im-gateway: %v", err)
			}
		})
		t.Run("sign-in past the address's budget gets a page in the reader's language", func(t *testing.T) {
			a := newApp(t, p)
			b := newBrowser(t, p.issuer, webCallback)
			form := b.get(a.start(t).url)
			for i := range 2 {
				if pg := signIn(t, b, form, annEmail, "wrong-guess"); pg.status != http.StatusUnauthorized {
					t.Fatalf("attempt %d of the budget: %d", i+1, pg.status)
				}
			}
			for _, tc := range []struct{ lang, wantLang, title, text string }{
				{"en-US,en;q=0.9", "en", "Too many requests", "Try again in %d seconds."},
				{"zh-CN,zh;q=0.9", "zh-CN", "请求过于频繁", "请在 %d 秒后重试。"},
			} {
				pg := submitIn(t, b, form, tc.lang, map[string]string{"email": annEmail, "password": annPassword})
				secs, err := strconv.Atoi(pg.header.Get("Retry-After"))
				if pg.status != http.StatusTooManyRequests || err != nil || secs < 1 {
					t.Fatalf("%s: status %d, Retry-After %q", tc.lang, pg.status, pg.header.Get("Retry-After"))
				}
				if pg.header.Get("Content-Language") != tc.wantLang || !strings.Contains(pg.body, "<h1>"+tc.title+"</h1>") ||
					!strings.Contains(pg.body, fmt.Sprintf(tc.text, secs)) {
					t.Fatalf("%s: a %s page without %q and %q:\n%s", tc.lang, pg.header.Get("Content-Language"), tc.title, fmt.Sprintf(tc.text, secs), pg.body)
				}
			}
			if pg := b.get(form.url.String()); pg.status != http.StatusOK {
				t.Fatalf("the sign-in page itself: %d", pg.status)
			}
		})
		t.Run("QR codes past the address's budget get 429, apart from the sign-in budget", func(t *testing.T) {
			get := func(path string) int {
				resp, err := http.Get(p.issuer + path + "?user_code=BCDF-GHJK")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			// The sign-in budget is spent above; the QR budget is its own.
			if got := get("/device/qr.png"); got != http.StatusOK {
				t.Fatalf("first QR code: %d", got)
			}
			if got := get("/device/qr.svg"); got != http.StatusOK {
				t.Fatalf("second QR code: %d", got)
			}
			if got := get("/device/qr.png"); got != http.StatusTooManyRequests {
				t.Fatalf("third QR code from the address: %d, want 429", got)
			}
		})
	})
}

// submitIn posts the page's first form as a browser set to lang would.
func submitIn(t *testing.T, b *browser, p page, lang string, values map[string]string) page {
	t.Helper()
	action, form := parseForm(t, p.body)
	for k, v := range values {
		form.Set(k, v)
	}
	target := p.url
	if action != "" {
		target = p.url.ResolveReference(&url.URL{Path: action})
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, target.String(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.origin)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Accept-Language", lang)
	return b.do(req)
}
