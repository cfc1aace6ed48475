package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// no500Config turns dynamic client registration on, with a budget per
// address the registration cases below stay within, so that each reaches
// the endpoint rather than the rate limit.
const no500Config = `
registration:
  enabled: true
rate_limit:
  registration:
    per_ip: {rate: 100, period: 1h, burst: 100}
`

// TestClientMistakesAreNeverServerErrors sends malformed and hostile
// requests to every endpoint: each gets a 4xx with a readable answer (an
// RFC 6749 JSON error or an HTML page), never a 500.
func TestClientMistakesAreNeverServerErrors(t *testing.T) {
	t.Parallel()
	p := startProviderConfig(t, "memory", no500Config)
	auth := func(q url.Values) string { return p.issuer + "/oauth2/auth?" + q.Encode() }
	good := url.Values{
		"client_id": {"chat-web"}, "response_type": {"code"}, "redirect_uri": {webCallback}, "scope": {"openid"},
		"state": {"state-12345"}, "nonce": {"nonce-12345"}, "code_challenge": {strings.Repeat("A", 43)}, "code_challenge_method": {"S256"},
	}
	with := func(k, v string) url.Values {
		q := url.Values{}
		for key, vals := range good {
			q[key] = append([]string(nil), vals...)
		}
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
		return q
	}
	form := func(v url.Values) string { return v.Encode() }
	// A real refresh token, for the endpoints that must tell it from an
	// access token.
	tok, _, _ := newApp(t, p).login(t, newBrowser(t, p.issuer, webCallback), p)
	twice := func(q url.Values, k, v string) string { return q.Encode() + "&" + url.Values{k: {v}}.Encode() }
	// An initial access token and a registered client, for the
	// registration endpoints' cases.
	ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
	code, made := ops.call("POST", "/admin/api/v1/registration-tokens", `{"name":"no500","expires_in_seconds":3600,"max_uses":50}`)
	iat, _ := made["token"].(string)
	if code != http.StatusCreated || iat == "" {
		t.Fatalf("issuing an initial access token: %d %v", code, made)
	}
	code, registered, _ := registrar{t, p.issuer}.call("POST", "/oauth2/register", iat, map[string]any{"client_name": "No500 bot", "redirect_uris": []string{dcrCallback}})
	regID, _ := registered["client_id"].(string)
	rat, _ := registered["registration_access_token"].(string)
	if code != http.StatusCreated || regID == "" || rat == "" {
		t.Fatalf("registering a client: %d %v", code, registered)
	}
	register, manage := p.issuer+"/oauth2/register", p.issuer+"/oauth2/register/"+url.PathEscape(regID)
	const jsonType = "application/json"
	replace := func(meta string) string { return `{"client_id":"` + regID + `",` + meta + `}` }
	for _, tc := range []struct {
		name, method, url, contentType, body, user, pass, bearer string
	}{
		{name: "authorize with a repeated redirect_uri", method: "GET", url: p.issuer + "/oauth2/auth?" + twice(good, "redirect_uri", "https://evil.example/cb")},
		{name: "authorize with a repeated scope", method: "GET", url: p.issuer + "/oauth2/auth?" + twice(good, "scope", "email")},
		{name: "authorize with a 64 KiB scope", method: "GET", url: auth(with("scope", "openid "+strings.Repeat("s", 64<<10)))},
		{name: "authorize with a 1 MiB scope", method: "GET", url: auth(with("scope", "openid "+strings.Repeat("s", 1<<20)))},
		{name: "authorize with a 2 KiB unknown scope", method: "GET", url: auth(with("scope", "openid "+strings.Repeat("s", 2000)))},
		{name: "authorize with response_mode=form_post", method: "GET", url: auth(with("response_mode", "form_post"))},
		{name: "authorize with an unknown response_mode", method: "GET", url: auth(with("response_mode", "jwt"))},
		{name: "authorize a native app at a loopback URI with a user name", method: "GET", url: auth(with("client_id", "chat-desktop")) + "&redirect_uri=" + url.QueryEscape("http://evil@127.0.0.1:5555/callback")},
		{name: "authorize a web app at another loopback port", method: "GET", url: auth(with("redirect_uri", "http://127.0.0.1:10/callback"))},
		{name: "token with grant_type twice", method: "POST", url: p.issuer + "/oauth2/token", contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials&grant_type=client_credentials", user: "ops", pass: gatewaySecret},
		{name: "push with state twice", method: "POST", url: p.issuer + "/oauth2/par", contentType: "application/x-www-form-urlencoded", body: twice(with("client_id", ""), "state", "other-state"), user: "chat-web", pass: webSecret},
		{name: "introspect with token twice", method: "POST", url: p.issuer + "/oauth2/introspect", contentType: "application/x-www-form-urlencoded", body: "token=a&token=b", user: "im-gateway", pass: gatewaySecret},
		{name: "revoke with token twice", method: "POST", url: p.issuer + "/oauth2/revoke", contentType: "application/x-www-form-urlencoded", body: "token=a&token=b", user: "chat-web", pass: webSecret},
		{name: "device authorization with client_id twice", method: "POST", url: p.issuer + "/oauth2/device/auth", contentType: "application/x-www-form-urlencoded", body: "client_id=chat-desktop&client_id=chat-web"},
		{name: "logout with a repeated post_logout_redirect_uri", method: "GET", url: p.issuer + "/oauth2/logout?client_id=chat-web&post_logout_redirect_uri=" + url.QueryEscape(webBye) + "&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F"},
		{name: "userinfo with the token in the query", method: "GET", url: p.issuer + "/userinfo?access_token=" + url.QueryEscape(tok.AccessToken)},
		{name: "userinfo with a refresh token", method: "GET", url: p.issuer + "/userinfo", bearer: tok.RefreshToken},
		// After the cases using tok: before the fix this refresh
		// succeeded, and rotated their tokens.
		{name: "token with a refresh scope never granted", method: "POST", url: p.issuer + "/oauth2/token", contentType: "application/x-www-form-urlencoded", body: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "scope": {"openid admin"}}.Encode(), user: "chat-web", pass: webSecret},
		{name: "authorize without parameters", method: "GET", url: p.issuer + "/oauth2/auth"},
		{name: "authorize with a client but nothing else", method: "GET", url: p.issuer + "/oauth2/auth?client_id=chat-web"},
		{name: "authorize with a malformed redirect URI", method: "GET", url: auth(with("redirect_uri", "http://%zz"))},
		{name: "authorize with a fragment in the redirect URI", method: "GET", url: auth(with("redirect_uri", webCallback+"#frag"))},
		{name: "authorize with a non-numeric max_age", method: "GET", url: auth(with("max_age", "soon"))},
		{name: "authorize with an unknown prompt", method: "GET", url: auth(with("prompt", "select_account"))},
		{name: "authorize with a huge state", method: "GET", url: auth(with("state", strings.Repeat("s", 6000)))},
		{name: "authorize with a short PKCE challenge", method: "GET", url: auth(with("code_challenge", "short"))},
		{name: "authorize with a request object", method: "GET", url: auth(with("request", "eyJhbGciOiJub25lIn0.e30."))},
		{name: "authorize with a bogus flow", method: "GET", url: p.issuer + "/oauth2/auth?flow=" + strings.Repeat("x", 300)},
		{name: "authorize by POST", method: "POST", url: p.issuer + "/oauth2/auth", contentType: "application/x-www-form-urlencoded", body: form(good)},
		{name: "sign-in page without a flow", method: "GET", url: p.issuer + "/login"},
		{name: "consent page for an unknown flow", method: "GET", url: p.issuer + "/consent?flow=nope"},
		{name: "activation link with a garbage token", method: "GET", url: p.issuer + "/activate?token=%FF%00" + strings.Repeat("x", 3000)},
		{name: "reset link without a token", method: "GET", url: p.issuer + "/password/reset"},
		{name: "sign-in post without a CSRF token", method: "POST", url: p.issuer + "/login", contentType: "application/x-www-form-urlencoded", body: "email=a&password=b&flow=x"},
		{name: "consent post without a CSRF token", method: "POST", url: p.issuer + "/consent", contentType: "application/x-www-form-urlencoded", body: "decision=maybe"},
		{name: "logout with a garbage id_token_hint", method: "GET", url: p.issuer + "/oauth2/logout?id_token_hint=garbage"},
		{name: "logout for an unknown client", method: "GET", url: p.issuer + "/oauth2/logout?client_id=nobody"},
		{name: "token with an empty body", method: "POST", url: p.issuer + "/oauth2/token", contentType: "application/x-www-form-urlencoded", user: "chat-web", pass: webSecret},
		{name: "token with a JSON body", method: "POST", url: p.issuer + "/oauth2/token", contentType: "application/json", body: `{"grant_type":"client_credentials"}`, user: "chat-web", pass: webSecret},
		{name: "token with an oversized body", method: "POST", url: p.issuer + "/oauth2/token", contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials&pad=" + strings.Repeat("x", 200<<10), user: "chat-web", pass: webSecret},
		{name: "token with a garbage code", method: "POST", url: p.issuer + "/oauth2/token", contentType: "application/x-www-form-urlencoded", body: "grant_type=authorization_code&code=tkm_ac_garbage.garbage&redirect_uri=" + url.QueryEscape(webCallback) + "&code_verifier=" + strings.Repeat("v", 43), user: "chat-web", pass: webSecret},
		{name: "token with a garbage refresh token", method: "POST", url: p.issuer + "/oauth2/token", contentType: "application/x-www-form-urlencoded", body: "grant_type=refresh_token&refresh_token=nope", user: "chat-web", pass: webSecret},
		{name: "token with a malformed Basic header", method: "POST", url: p.issuer + "/oauth2/token", contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials", user: "%zz", pass: "%zz"},
		{name: "token with a garbage client assertion", method: "POST", url: p.issuer + "/oauth2/token", contentType: "application/x-www-form-urlencoded", body: "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b.c"},
		{name: "introspect with an oversized token", method: "POST", url: p.issuer + "/oauth2/introspect", contentType: "application/x-www-form-urlencoded", body: "token=" + strings.Repeat("t", 30000), user: "im-gateway", pass: gatewaySecret},
		{name: "revoke with no token", method: "POST", url: p.issuer + "/oauth2/revoke", contentType: "application/x-www-form-urlencoded", body: "token_type_hint=access_token", user: "chat-web", pass: webSecret},
		{name: "userinfo with a garbage bearer token", method: "GET", url: p.issuer + "/userinfo"},
		{name: "PUT on the token endpoint", method: "PUT", url: p.issuer + "/oauth2/token"},
		{name: "push without client authentication", method: "POST", url: p.issuer + "/oauth2/par", contentType: "application/x-www-form-urlencoded", body: form(with("client_id", ""))},
		{name: "push with a JSON body", method: "POST", url: p.issuer + "/oauth2/par", contentType: "application/json", body: `{"response_type":"code"}`, user: "chat-web", pass: webSecret},
		{name: "push with a request_uri inside", method: "POST", url: p.issuer + "/oauth2/par", contentType: "application/x-www-form-urlencoded", body: form(with("request_uri", "urn:ietf:params:oauth:request_uri:x")), user: "chat-web", pass: webSecret},
		{name: "push with a short PKCE challenge", method: "POST", url: p.issuer + "/oauth2/par", contentType: "application/x-www-form-urlencoded", body: form(with("code_challenge", "short")), user: "chat-web", pass: webSecret},
		{name: "authorize with an unknown request_uri", method: "GET", url: p.issuer + "/oauth2/auth?client_id=chat-web&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Anope"},
		{name: "authorize with a request_uri from elsewhere", method: "GET", url: p.issuer + "/oauth2/auth?client_id=chat-web&request_uri=https%3A%2F%2Fevil.example%2Fr"},
		{name: "revocation stream without credentials", method: "GET", url: p.issuer + "/oauth2/revocations"},
		{name: "revocation stream as a web app", method: "GET", url: p.issuer + "/oauth2/revocations", user: "chat-web", pass: webSecret},
		{name: "revocation stream resumed after a word", method: "GET", url: p.issuer + "/oauth2/revocations?after=yesterday", user: "im-gateway", pass: gatewaySecret},
		{name: "admin records with a garbage cursor", method: "GET", url: p.issuer + "/admin/records?after=garbage&from=yesterday"},
		{name: "device authorization without a client", method: "POST", url: p.issuer + "/oauth2/device/auth", contentType: "application/x-www-form-urlencoded", body: "scope=openid"},
		{name: "device authorization with a JSON body", method: "POST", url: p.issuer + "/oauth2/device/auth", contentType: "application/json", body: `{"client_id":"chat-desktop"}`},
		{name: "device authorization with an unknown scope", method: "POST", url: p.issuer + "/oauth2/device/auth", contentType: "application/x-www-form-urlencoded", body: "client_id=chat-desktop&scope=openid+nope"},
		{name: "device authorization for a web app", method: "POST", url: p.issuer + "/oauth2/device/auth", contentType: "application/x-www-form-urlencoded", body: "scope=openid", user: "chat-web", pass: webSecret},
		{name: "device grant with a garbage device code", method: "POST", url: p.issuer + "/oauth2/token", contentType: "application/x-www-form-urlencoded", body: "client_id=chat-desktop&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=%00%ff"},
		{name: "device grant by a client not allowed it", method: "POST", url: p.issuer + "/oauth2/token", contentType: "application/x-www-form-urlencoded", body: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=x", user: "chat-web", pass: webSecret},
		{name: "device page with a garbage code", method: "GET", url: p.issuer + "/device?user_code=%00%ff%2F..%2F"},
		{name: "device page posted without a session", method: "POST", url: p.issuer + "/device", contentType: "application/x-www-form-urlencoded", body: "user_code=BCDF-GHJK&decision=allow"},
		{name: "QR code of a garbage code", method: "GET", url: p.issuer + "/device/qr.png?user_code=" + strings.Repeat("x", 5000)},
		{name: "QR code without a code", method: "GET", url: p.issuer + "/device/qr.svg"},
		{name: "an unknown well-known document", method: "GET", url: p.issuer + "/.well-known/webfinger"},
		{name: "register without a token", method: "POST", url: register, contentType: jsonType, body: `{"redirect_uris":["` + dcrCallback + `"]}`},
		{name: "register with a garbage token", method: "POST", url: register, contentType: jsonType, body: `{"redirect_uris":["` + dcrCallback + `"]}`, bearer: "garbage"},
		{name: "register with a token of the right shape but unknown", method: "POST", url: register, contentType: jsonType, body: `{}`, bearer: iat[:len(iat)-4] + "AAAA"},
		{name: "register with a 10 KB token", method: "POST", url: register, contentType: jsonType, body: `{}`, bearer: strings.Repeat("t", 10000)},
		{name: "register with a registration access token", method: "POST", url: register, contentType: jsonType, body: `{"redirect_uris":["` + dcrCallback + `"]}`, bearer: rat},
		{name: "register with a garbage body", method: "POST", url: register, contentType: jsonType, body: "{{{not json", bearer: iat},
		{name: "register with an empty body", method: "POST", url: register, contentType: jsonType, bearer: iat},
		{name: "register with a JSON null", method: "POST", url: register, contentType: jsonType, body: "null", bearer: iat},
		{name: "register with a JSON array", method: "POST", url: register, contentType: jsonType, body: `[{"redirect_uris":[]}]`, bearer: iat},
		{name: "register with deeply nested JSON", method: "POST", url: register, contentType: jsonType, body: `{"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, bearer: iat},
		{name: "register with a form body", method: "POST", url: register, contentType: "application/x-www-form-urlencoded", body: "redirect_uris=" + url.QueryEscape(dcrCallback), bearer: iat},
		{name: "register with text/plain", method: "POST", url: register, contentType: "text/plain", body: `{"redirect_uris":["` + dcrCallback + `"]}`, bearer: iat},
		{name: "register without a content type", method: "POST", url: register, body: `{"redirect_uris":["` + dcrCallback + `"]}`, bearer: iat},
		{name: "register with a 2 MiB body", method: "POST", url: register, contentType: jsonType, body: `{"client_name":"` + strings.Repeat("n", 2<<20) + `"}`, bearer: iat},
		{name: "register with members of the wrong types", method: "POST", url: register, contentType: jsonType, body: `{"redirect_uris":5,"grant_types":{"a":1}}`, bearer: iat},
		{name: "register with dpop_bound_access_tokens not a boolean", method: "POST", url: register, contentType: jsonType, body: `{"redirect_uris":["` + dcrCallback + `"],"dpop_bound_access_tokens":"yes"}`, bearer: iat},
		{name: "register with a NUL and bad bytes in the name", method: "POST", url: register, contentType: jsonType, body: "{\"redirect_uris\":[\"" + dcrCallback + "\"],\"client_name\":\"a\\u0000b\xff\xfe\"}", bearer: iat},
		{name: "register with 1000 redirect URIs", method: "POST", url: register, contentType: jsonType, body: `{"redirect_uris":[` + strings.TrimSuffix(strings.Repeat(`"`+dcrCallback+`",`, 1000), ",") + `]}`, bearer: iat},
		{name: "register with a malformed redirect URI", method: "POST", url: register, contentType: jsonType, body: `{"redirect_uris":["http://%zz"]}`, bearer: iat},
		{name: "register with unknown grant and auth method", method: "POST", url: register, contentType: jsonType, body: `{"redirect_uris":["` + dcrCallback + `"],"grant_types":["password"],"token_endpoint_auth_method":"tls_client_auth"}`, bearer: iat},
		{name: "register by GET", method: "GET", url: register, bearer: iat},
		{name: "read a registration without a token", method: "GET", url: manage},
		{name: "read a registration with a garbage token", method: "GET", url: manage, bearer: "garbage"},
		{name: "read a registration with the initial access token", method: "GET", url: manage, bearer: iat},
		{name: "read an unknown client's registration", method: "GET", url: register + "/nobody", bearer: rat},
		{name: "read a registration with bad bytes in the id", method: "GET", url: register + "/%ff%fe%00", bearer: rat},
		{name: "read a registration with a 5000-character id", method: "GET", url: register + "/" + strings.Repeat("x", 5000), bearer: rat},
		{name: "read a registration with a dotted id", method: "GET", url: register + "/..%2F..%2Fadmin", bearer: rat},
		{name: "read a configured client's registration", method: "GET", url: register + "/chat-web", bearer: rat},
		{name: "replace a registration with a garbage token", method: "PUT", url: manage, contentType: jsonType, body: replace(`"redirect_uris":["` + dcrCallback + `"]`), bearer: "garbage"},
		{name: "replace a registration with a garbage body", method: "PUT", url: manage, contentType: jsonType, body: "{{{", bearer: rat},
		{name: "replace a registration with an empty body", method: "PUT", url: manage, contentType: jsonType, bearer: rat},
		{name: "replace a registration with a form body", method: "PUT", url: manage, contentType: "application/x-www-form-urlencoded", body: "client_id=" + url.QueryEscape(regID), bearer: rat},
		{name: "replace a registration with a 2 MiB body", method: "PUT", url: manage, contentType: jsonType, body: replace(`"client_name":"` + strings.Repeat("n", 2<<20) + `"`), bearer: rat},
		{name: "replace a registration with another client_id", method: "PUT", url: manage, contentType: jsonType, body: `{"client_id":"chat-web","redirect_uris":["` + dcrCallback + `"]}`, bearer: rat},
		{name: "replace a registration without a client_id", method: "PUT", url: manage, contentType: jsonType, body: `{"redirect_uris":["` + dcrCallback + `"]}`, bearer: rat},
		{name: "replace a registration with a wrong client_secret", method: "PUT", url: manage, contentType: jsonType, body: replace(`"client_secret":"wrong","redirect_uris":["` + dcrCallback + `"]`), bearer: rat},
		{name: "replace a registration with an http redirect URI", method: "PUT", url: manage, contentType: jsonType, body: replace(`"redirect_uris":["http://bot.example/cb"]`), bearer: rat},
		{name: "replace a registration with keys by value", method: "PUT", url: manage, contentType: jsonType, body: replace(`"redirect_uris":["` + dcrCallback + `"],"jwks":{"keys":[]}`), bearer: rat},
		{name: "replace an unknown client's registration", method: "PUT", url: register + "/nobody", contentType: jsonType, body: `{"client_id":"nobody"}`, bearer: rat},
		{name: "delete a registration without a token", method: "DELETE", url: manage},
		{name: "delete a registration with a garbage token", method: "DELETE", url: manage, bearer: "garbage"},
		{name: "delete an unknown client's registration", method: "DELETE", url: register + "/nobody", bearer: rat},
		{name: "delete a registration with bad bytes in the id", method: "DELETE", url: register + "/%ff%fe", bearer: rat},
		{name: "patch a registration", method: "PATCH", url: manage, contentType: jsonType, body: `{}`, bearer: rat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tc.method, tc.url, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.user != "" {
				req.SetBasicAuth(tc.user, tc.pass)
			}
			if tc.name == "userinfo with a garbage bearer token" {
				req.Header.Set("Authorization", "Bearer garbage")
			}
			if tc.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tc.bearer)
			}
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("status %d: a client's mistake must not be a server error", resp.StatusCode)
			}
			ct := resp.Header.Get("Content-Type")
			switch {
			case resp.StatusCode >= 300 && resp.StatusCode < 400:
				loc, _ := url.Parse(resp.Header.Get("Location"))
				if loc == nil || (loc.Host != "" && !strings.HasPrefix(resp.Header.Get("Location"), webCallback)) {
					t.Fatalf("redirect to %q: only the app's registered callback or our own pages are allowed", resp.Header.Get("Location"))
				}
			case strings.HasPrefix(ct, "application/json"):
				var body struct {
					Error  string `json:"error"`
					Active *bool  `json:"active"`
				}
				err := json.NewDecoder(resp.Body).Decode(&body)
				inactive := resp.StatusCode == http.StatusOK && body.Active != nil && !*body.Active
				if err != nil || (body.Error == "" && !inactive) {
					t.Fatalf("status %d: JSON answer that is neither an error nor an inactive introspection (%v)", resp.StatusCode, err)
				}
			case strings.HasPrefix(ct, "text/html"), strings.HasPrefix(ct, "text/plain"):
			default:
				t.Fatalf("status %d with Content-Type %q", resp.StatusCode, ct)
			}
		})
	}
	// No mistake changed the registered client: its registration access
	// token still reads it, as it was.
	if code, body, _ := (registrar{t, p.issuer}).call("GET", "/oauth2/register/"+url.PathEscape(regID), rat, nil); code != http.StatusOK || body["client_name"] != "No500 bot" {
		t.Fatalf("the registered client after the mistakes: %d %v", code, body)
	}
}

// TestBadBytesAreClientErrors sends bytes Postgres cannot hold in text —
// invalid UTF-8, a NUL — to the routes that once answered them with a 500
// and an ERROR log line: each answer is now a 400 (RFC 6749 JSON on the
// protocol and API routes, the error page elsewhere) and nothing is logged
// at error level. The last cases slip past the edge checks (a multipart
// form, a user agent) and are met by the store's storage.ErrInvalidInput
// or by clipping.
func TestBadBytesAreClientErrors(t *testing.T) {
	t.Parallel()
	p := startProvider(t, pgtest.MigratedURL(t))
	ops := serviceToken(t, p, "ops", gatewaySecret, "admin")
	form := "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name, method, path, contentType, body, token string
		json, basic                                  bool
	}{
		{name: "sign-in page flow", method: "GET", path: "/login?flow=%ff%fe"},
		{name: "sign-in form flow", method: "POST", path: "/login", contentType: form, body: "flow=%00&email=a&password=b"},
		{name: "consent page flow", method: "GET", path: "/consent?flow=%ff%fe"},
		{name: "authorization resumed with a flow", method: "GET", path: "/oauth2/auth?flow=%ff%fe"},
		{name: "portal app", method: "GET", path: "/apps/%ff%fe"},
		{name: "portal app deletion", method: "POST", path: "/apps/%ff/delete", contentType: form, body: "csrf=x"},
		{name: "account app revocation", method: "POST", path: "/account/apps/revoke", contentType: form, body: "client_id=%ff%fe"},
		{name: "console user", method: "GET", path: "/admin/users/a%00b"},
		{name: "console records filter", method: "GET", path: "/admin/records?client_id=%ff"},
		{name: "device page code", method: "GET", path: "/device?user_code=%ff%fe"},
		{name: "password reset link", method: "GET", path: "/password/reset?token=%ff%fe"},
		{name: "end session client", method: "GET", path: "/oauth2/logout?client_id=%ff%fe"},
		{name: "admin API user", method: "GET", path: "/admin/api/v1/users/%ff%fe", token: ops, json: true},
		{name: "admin API grants filter", method: "GET", path: "/admin/api/v1/grants?user=%ff%fe", token: ops, json: true},
		{name: "token code", method: "POST", path: "/oauth2/token", contentType: form, body: "grant_type=authorization_code&client_id=chat-desktop&code=tkm_ac_x.%ff%fe&code_verifier=" + strings.Repeat("v", 43), json: true},
		{name: "introspected token", method: "POST", path: "/oauth2/introspect", contentType: form, body: "token=%ff%fe&client_id=im-gateway", json: true},
		{name: "discovery", method: "GET", path: "/.well-known/%ff", json: true},
		{name: "token code in a multipart form", method: "POST", path: "/oauth2/token", contentType: "multipart/form-data; boundary=b", body: "--b\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nrefresh_token\r\n--b\r\nContent-Disposition: form-data; name=\"refresh_token\"\r\n\r\ntkm_rt_x.\xff\xfe\r\n--b--\r\n", json: true, basic: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tc.method, p.issuer+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			if tc.basic {
				req.SetBasicAuth("chat-web", webSecret)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %.300s", resp.StatusCode, raw)
			}
			var body struct{ Error string }
			isJSON := strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && json.Unmarshal(raw, &body) == nil
			if tc.json && (!isJSON || (body.Error != "invalid_request" && body.Error != "invalid_grant")) {
				t.Fatalf("want an RFC 6749 JSON error, got %q: %.300s", resp.Header.Get("Content-Type"), raw)
			}
			if !tc.json && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("want the error page, got %q: %.300s", resp.Header.Get("Content-Type"), raw)
			}
		})
	}
	t.Run("a user agent that is not UTF-8 signs in and gets tokens", func(t *testing.T) {
		const ua = "Agent\x90/1.0 \xff"
		b := newBrowser(t, p.issuer, webCallback)
		b.client.Transport = userAgent{ua, http.DefaultTransport}
		a := newApp(t, p)
		if tok, _, _ := a.login(t, b, p); tok.AccessToken == "" {
			t.Fatal("no access token")
		}
		req, _ := http.NewRequestWithContext(t.Context(), "POST", p.issuer+"/oauth2/token", strings.NewReader("grant_type=client_credentials&scope=admin"))
		req.Header.Set("Content-Type", form)
		req.SetBasicAuth("ops", gatewaySecret)
		resp, err := userAgent{ua, http.DefaultTransport}.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("token request: status %d", resp.StatusCode)
		}
	})
	if logs := p.logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
		t.Fatalf("a client's bytes logged an error:\n%s", logs)
	}
}

// userAgent sends every request with its User-Agent.
type userAgent struct {
	ua   string
	next http.RoundTripper
}

func (u userAgent) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("User-Agent", u.ua)
	return u.next.RoundTrip(req)
}

// strangeInURL are values a query, a form or a path segment may carry
// that no page expects: NUL, invalid and overlong UTF-8, a climb out of
// the path, one far too long. Each is written escaped, as it travels.
var strangeInURL = []string{"%00", "a%00b", "%ff%fe", "%C0%AF", "..%2F..%2Fadmin", strings.Repeat("x", 5000)}

// strangeInJSON are JSON string literals of the same kind, for the API
// bodies: NUL, a lone surrogate, raw invalid UTF-8, one far too long.
var strangeInJSON = []string{`"\u0000"`, `"a\u0000b"`, `"\ud800"`, "\"\xff\xfe\"", `"` + strings.Repeat("x", 70000) + `"`}

// oddMethods are methods no workspace page is served with.
var oddMethods = []string{"PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"}

// strangeRoute is a request template: {name} in the path, the query or
// the body stands for a value, the valid one of the crawl's vals but one
// at a time, in turn, a strange one (strangeInJSON in a JSON body, whose
// placeholders hold whole literals, strangeInURL elsewhere).
type strangeRoute struct {
	as, method, target, body string
	// json says the body is JSON and the answer must be JSON too.
	json bool
}

// TestWorkspaceRoutesStrangeBytesNo500 crawls the workspace routes —
// the chooser, invitations, the installation page, SCIM with and without
// a token, the console's workspace pages, the admin API's workspace
// routes, and the organization and authorization_details parameters of
// the protocol endpoints — as the person each expects, on Postgres, with
// every placeholder in turn NUL, invalid UTF-8, overlong or far too long,
// and the pages with methods they do not serve: no answer is a server
// error, the API's refusals are JSON, and nothing is logged at error
// level.
func TestWorkspaceRoutesStrangeBytesNo500(t *testing.T) {
	t.Parallel()
	p := startProviderConfig(t, pgtest.MigratedURL(t), rootUser)
	root := rootConsole(t, p, enrolRoot(t, p))
	ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
	code, ws := ops.call("POST", "/admin/api/v1/workspaces", `{"handle":"acme","name":"Acme Inc"}`)
	wsID, _ := ws["id"].(string)
	if code != http.StatusCreated || wsID == "" {
		t.Fatalf("create acme: %d %v", code, ws)
	}
	ann := newBrowser(t, p.issuer)
	signIn(t, ann, ann.get(p.issuer+"/login?next=/account"), annEmail, annPassword)
	code, me := ops.call("GET", "/admin/api/v1/users?email="+url.QueryEscape(annEmail), "")
	var annID string
	for _, u := range me["users"].([]any) {
		if u := u.(map[string]any); u["email"] == annEmail {
			annID, _ = u["id"].(string)
		}
	}
	if code != http.StatusOK || annID == "" {
		t.Fatalf("find ann: %d %v", code, me)
	}
	if code, m := ops.call("POST", "/admin/api/v1/workspaces/"+wsID+"/members", `{"user_id":"`+annID+`","role":"member"}`); code != http.StatusCreated {
		t.Fatalf("add ann to acme: %d %v", code, m)
	}
	code, app := ops.call("POST", "/admin/api/v1/apps", `{"name":"Standup bot","type":"confidential","grant_types":["client_credentials"],"scopes":["im:messages.read","im:messages.send"]}`)
	botID, _ := app["client_id"].(string)
	botSecret, _ := app["client_secret"].(string)
	if code != http.StatusCreated {
		t.Fatalf("register the bot: %d %v", code, app)
	}
	offer := ann.get(p.issuer + "/workspaces/acme/apps/" + botID + "/install")
	if asked := requestInstall(t, ann, offer, "im:messages.read"); asked.status != http.StatusOK {
		t.Fatalf("ask for the bot: %d", asked.status)
	}
	_, list := ops.call("GET", "/admin/api/v1/workspaces/"+wsID+"/installations", "")
	pending, _ := list["installations"].([]any)
	if len(pending) != 1 {
		t.Fatalf("installations: %v", list)
	}
	iid, _ := pending[0].(map[string]any)["id"].(string)
	code, sent := ops.call("POST", "/admin/api/v1/workspaces/"+wsID+"/invitations", `{"email":"ivy@example.com","role":"member"}`)
	link, _ := sent["link"].(string)
	if code != http.StatusCreated || !strings.Contains(link, "/invitations/") {
		t.Fatalf("invite: %d %v", code, sent)
	}
	code, made := ops.call("POST", "/admin/api/v1/workspaces/"+wsID+"/scim-tokens", `{"name":"Directory"}`)
	scimToken, _ := made["token"].(string)
	if code != http.StatusCreated || scimToken == "" {
		t.Fatalf("SCIM token: %d %v", code, made)
	}
	_, annForm := parseForm(t, offer.body)
	_, rootForm := parseForm(t, root.get(p.issuer+"/admin/workspaces/"+wsID+"/apps/"+iid+"/approve?scope=im:messages.read").body)

	vals := map[string]string{
		"ws": wsID, "handle": "acme", "client": botID, "iid": iid, "user": annID, "token": link[strings.LastIndex(link, "/")+1:],
		"flow": "no-such-flow", "v": "im:messages.read", "scim": "Users", "id": annID,
		"csrf": url.QueryEscape(annForm.Get("csrf_token")), "rootcsrf": url.QueryEscape(rootForm.Get("csrf_token")),
		"jv": `"x"`, "jrole": `"member"`, "jscopes": `["im:messages.read"]`,
	}
	good := url.Values{
		"client_id": {"chat-web"}, "response_type": {"code"}, "redirect_uri": {webCallback}, "scope": {"openid"},
		"state": {"state-12345"}, "nonce": {"nonce-12345"}, "code_challenge": {strings.Repeat("A", 43)}, "code_challenge_method": {"S256"},
	}.Encode()
	const form = "application/x-www-form-urlencoded"
	routes := []strangeRoute{
		// The browser's pages, signed out and signed in.
		{as: "anon", method: "GET", target: "/choose-workspace?flow={flow}"},
		{as: "ann", method: "GET", target: "/choose-workspace?flow={flow}"},
		{as: "ann", method: "POST", target: "/choose-workspace", body: "csrf_token={csrf}&flow={flow}&workspace={ws}&decision={v}"},
		{as: "anon", method: "GET", target: "/invitations/{token}"},
		{as: "ann", method: "GET", target: "/invitations/{token}"},
		{as: "ann", method: "POST", target: "/invitations/{token}", body: "csrf_token={csrf}"},
		{as: "anon", method: "GET", target: "/workspaces/{handle}/apps/{client}/install"},
		{as: "ann", method: "GET", target: "/workspaces/{handle}/apps/{client}/install"},
		{as: "ann", method: "POST", target: "/workspaces/{handle}/apps/{client}/install", body: "csrf_token={csrf}&scope={v}"},
		// The console, as a platform administrator and as a member.
		{as: "root", method: "GET", target: "/admin/workspaces?after={v}"},
		{as: "root", method: "GET", target: "/admin/workspaces/{ws}?after={v}"},
		{as: "ann", method: "GET", target: "/admin/workspaces/{ws}"},
		{as: "root", method: "GET", target: "/admin/workspaces/create?handle={v}&name={v}"},
		{as: "root", method: "POST", target: "/admin/workspaces/create", body: "csrf_token={rootcsrf}&handle={v}&name={v}"},
		{as: "root", method: "GET", target: "/admin/workspaces/{ws}/settings?handle={handle}&name={v}"},
		{as: "root", method: "POST", target: "/admin/workspaces/{ws}/settings", body: "csrf_token={rootcsrf}&handle={handle}&name={v}"},
		{as: "root", method: "GET", target: "/admin/workspaces/{ws}/policy?installs={v}&session_lifetime={v}&connectors={v}"},
		{as: "root", method: "POST", target: "/admin/workspaces/{ws}/policy", body: "csrf_token={rootcsrf}&installs={v}&session_lifetime={v}"},
		{as: "root", method: "GET", target: "/admin/workspaces/{ws}/{v}"},
		{as: "root", method: "GET", target: "/admin/workspaces/{ws}/invite?email={v}&role={v}"},
		{as: "root", method: "POST", target: "/admin/workspaces/{ws}/invite", body: "csrf_token={rootcsrf}&email={v}&role=member"},
		{as: "root", method: "GET", target: "/admin/workspaces/{ws}/members/{user}/role?role={v}"},
		{as: "root", method: "POST", target: "/admin/workspaces/{ws}/members/{user}/role", body: "csrf_token={rootcsrf}&role={v}"},
		{as: "root", method: "GET", target: "/admin/workspaces/{ws}/invitations/{v}/revoke"},
		{as: "root", method: "POST", target: "/admin/workspaces/{ws}/invitations/{v}/revoke", body: "csrf_token={rootcsrf}"},
		{as: "root", method: "GET", target: "/admin/workspaces/{ws}/scim-tokens/create?name={v}"},
		{as: "root", method: "POST", target: "/admin/workspaces/{ws}/scim-tokens/create", body: "csrf_token={rootcsrf}&name={v}"},
		{as: "root", method: "GET", target: "/admin/workspaces/{ws}/scim-tokens/{v}/revoke"},
		{as: "root", method: "POST", target: "/admin/workspaces/{ws}/scim-tokens/{v}/revoke", body: "csrf_token={rootcsrf}"},
		{as: "root", method: "GET", target: "/admin/workspaces/{ws}/apps"},
		{as: "root", method: "GET", target: "/admin/workspaces/{ws}/apps/{iid}/approve?scope={v}"},
		{as: "root", method: "POST", target: "/admin/workspaces/{ws}/apps/{iid}/approve", body: "csrf_token={rootcsrf}&scope={v}"},
		{as: "root", method: "GET", target: "/admin/workspaces/{ws}/apps/{iid}/deny?reason={v}"},
		{as: "root", method: "POST", target: "/admin/workspaces/{ws}/apps/{iid}/deny", body: "csrf_token={rootcsrf}&reason={v}"},
		{as: "root", method: "POST", target: "/admin/workspaces/{ws}/apps/{v}/uninstall", body: "csrf_token={rootcsrf}"},
		{as: "root", method: "GET", target: "/admin/workspaces/{ws}/approved-apps/add?client_id={v}"},
		{as: "root", method: "POST", target: "/admin/workspaces/{ws}/approved-apps/add", body: "csrf_token={rootcsrf}&client_id={v}"},
		{as: "root", method: "GET", target: "/admin/workspaces/{ws}/approved-apps/{v}/remove"},
		{as: "root", method: "POST", target: "/admin/workspaces/{ws}/approved-apps/{v}/remove", body: "csrf_token={rootcsrf}"},
		// SCIM, with the workspace's token, none, or a strange one: every
		// refusal is SCIM's JSON, the edge's of a path or a query too.
		{as: "scim", method: "GET", target: "/scim/v2/{scim}/{id}", json: true},
		{as: "scim", method: "GET", target: "/scim/v2/Users?filter={v}&startIndex={v}&count={v}", json: true},
		{as: "scim", method: "PATCH", target: "/scim/v2/Users/{id}", body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`, json: true},
		{as: "scim", method: "DELETE", target: "/scim/v2/Users/{v}", json: true},
		{as: "anon", method: "GET", target: "/scim/v2/{scim}/{id}", json: true},
		{as: "scim", method: "POST", target: "/scim/v2/Users", body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":{jv},"externalId":{jv},"displayName":{jv}}`, json: true},
		{as: "scim", method: "PATCH", target: "/scim/v2/Users/" + annID, body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":{jv},"path":{jv},"value":{jv}}]}`, json: true},
		{as: "scim", method: "PUT", target: "/scim/v2/Users/" + annID, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":{jv},"active":true}`, json: true},
		{as: "scim", method: "POST", target: "/scim/v2/Groups", body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":{jv},"members":[{"value":{jv}}]}`, json: true},
		{as: "scimbad", method: "GET", target: "/scim/v2/Users", json: true},
		{as: "anon", method: "GET", target: "/scim/v2/Users", json: true},
		// The admin API's workspace routes.
		{as: "ops", method: "GET", target: "/admin/api/v1/workspaces?after={v}&limit={v}", json: true},
		{as: "ops", method: "POST", target: "/admin/api/v1/workspaces", body: `{"handle":{jv},"name":{jv},"owner":{jv},"policy":{"installs":{jv},"sign_in_methods":[{jv}]}}`, json: true},
		{as: "ops", method: "GET", target: "/admin/api/v1/workspaces/{v}", json: true},
		{as: "ops", method: "PATCH", target: "/admin/api/v1/workspaces/{ws}", body: `{"name":{jv},"policy":{"installs":{jv},"sign_in_methods":[{jv}]}}`, json: true},
		{as: "ops", method: "DELETE", target: "/admin/api/v1/workspaces/{v}", json: true},
		{as: "ops", method: "GET", target: "/admin/api/v1/workspaces/{ws}/members?after={v}", json: true},
		{as: "ops", method: "POST", target: "/admin/api/v1/workspaces/{ws}/members", body: `{"user_id":{jv},"role":{jrole}}`, json: true},
		{as: "ops", method: "PATCH", target: "/admin/api/v1/workspaces/{ws}/members/{user}", body: `{"role":{jv}}`, json: true},
		{as: "ops", method: "DELETE", target: "/admin/api/v1/workspaces/{ws}/members/{v}", json: true},
		{as: "ops", method: "GET", target: "/admin/api/v1/workspaces/{ws}/invitations?after={v}", json: true},
		{as: "ops", method: "POST", target: "/admin/api/v1/workspaces/{ws}/invitations", body: `{"email":{jv},"role":{jrole}}`, json: true},
		{as: "ops", method: "DELETE", target: "/admin/api/v1/workspaces/{ws}/invitations/{v}", json: true},
		{as: "ops", method: "GET", target: "/admin/api/v1/workspaces/{ws}/scim-tokens", json: true},
		{as: "ops", method: "POST", target: "/admin/api/v1/workspaces/{ws}/scim-tokens", body: `{"name":{jv}}`, json: true},
		{as: "ops", method: "DELETE", target: "/admin/api/v1/workspaces/{ws}/scim-tokens/{v}", json: true},
		{as: "ops", method: "GET", target: "/admin/api/v1/workspaces/{ws}/installations?status={v}", json: true},
		{as: "ops", method: "POST", target: "/admin/api/v1/workspaces/{ws}/installations/{iid}/approve", body: `{"scopes":{jscopes}}`, json: true},
		{as: "ops", method: "POST", target: "/admin/api/v1/workspaces/{ws}/installations/{iid}/approve", body: `{"scopes":[{jv}]}`, json: true},
		{as: "ops", method: "POST", target: "/admin/api/v1/workspaces/{ws}/installations/{v}/deny", body: `{"reason":"no"}`, json: true},
		{as: "ops", method: "POST", target: "/admin/api/v1/workspaces/{ws}/installations/{iid}/deny", body: `{"reason":{jv}}`, json: true},
		{as: "ops", method: "DELETE", target: "/admin/api/v1/workspaces/{ws}/installations/{v}", json: true},
		{as: "ops", method: "GET", target: "/admin/api/v1/workspaces/{ws}/approved-apps", json: true},
		{as: "ops", method: "PUT", target: "/admin/api/v1/workspaces/{ws}/approved-apps/{v}", json: true},
		{as: "ops", method: "DELETE", target: "/admin/api/v1/workspaces/{ws}/approved-apps/{v}", json: true},
		// The protocol's workspace parameters.
		{as: "anon", method: "GET", target: "/oauth2/auth?" + good + "&organization={v}"},
		{as: "ann", method: "GET", target: "/oauth2/auth?" + good + "&organization={v}"},
		{as: "ann", method: "GET", target: "/oauth2/auth?" + good + "&authorization_details={v}"},
		{as: "chat-web", method: "POST", target: "/oauth2/par", body: good + "&organization={v}&authorization_details={v}", json: true},
		{as: "bot", method: "POST", target: "/oauth2/token", body: "grant_type=client_credentials&organization={v}&authorization_details={v}", json: true},
		{as: "anon", method: "POST", target: "/oauth2/device/auth", body: "client_id=chat-desktop&scope=openid&organization={v}&authorization_details={v}", json: true},
	}
	// The pages again, with methods they are not served with.
	for _, r := range routes {
		if r.method == "GET" && !r.json {
			for _, m := range oddMethods {
				routes = append(routes, strangeRoute{as: r.as, method: m, target: r.target})
			}
		}
	}
	details := []string{
		url.QueryEscape(`[{"type":"im_conversation","actions":["messages.read"],"locations":["conv:\u0000"]}]`),
		url.QueryEscape("[{\"type\":\"im_conversation\",\"actions\":[\"\xff\"],\"locations\":[\"conv:x\"]}]"),
		url.QueryEscape(`[{"type":"im_conversation","actions":["messages.read"],"locations":["` + strings.Repeat("c", 5000) + `"]}]`),
	}

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(t *testing.T, r strangeRoute, target, body string) {
		req, err := http.NewRequestWithContext(t.Context(), r.method, p.issuer+target, strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s %.200s: %v", r.method, target, err)
		}
		switch {
		case strings.HasPrefix(target, "/scim/"):
			req.Header.Set("Content-Type", "application/scim+json")
		case r.json && strings.HasPrefix(target, "/admin/api/"):
			req.Header.Set("Content-Type", "application/json")
		case body != "":
			req.Header.Set("Content-Type", form)
		}
		c := client
		switch r.as {
		case "ann", "root":
			b := map[string]*browser{"ann": ann, "root": root}[r.as]
			c = &http.Client{Jar: b.client.Jar, CheckRedirect: client.CheckRedirect}
			req.Header.Set("Origin", p.issuer)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		case "ops":
			req.Header.Set("Authorization", "Bearer "+ops.token)
		case "scim":
			req.Header.Set("Authorization", "Bearer "+scimToken)
		case "scimbad":
			req.Header.Set("Authorization", "Bearer tkm_scim_\xff\xfe"+strings.Repeat("x", 5000))
		case "chat-web":
			req.SetBasicAuth("chat-web", webSecret)
		case "bot":
			req.SetBasicAuth(botID, botSecret)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %.200s: %v", r.method, target, err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %.200s as %s: status %d, a client's mistake must not be a server error: %.300s", r.method, target, r.as, resp.StatusCode, raw)
		}
		if ct := resp.Header.Get("Content-Type"); r.json && resp.StatusCode >= 400 && !strings.Contains(ct, "json") {
			t.Fatalf("%s %.200s as %s: status %d with Content-Type %q, want a JSON error: %.300s", r.method, target, r.as, resp.StatusCode, ct, raw)
		}
	}
	fill := func(s, strange, name string) string {
		return strings.NewReplacer(slices.Collect(func(yield func(string) bool) {
			for k, v := range vals {
				if k == name {
					v = strange
				}
				if !yield("{"+k+"}") || !yield(v) {
					return
				}
			}
		})...).Replace(s)
	}
	placeholder := regexp.MustCompile(`\{[a-z]+\}`)
	for _, r := range routes {
		t.Run(r.method+" "+r.as+" "+r.target[:min(len(r.target), 80)], func(t *testing.T) {
			names := placeholder.FindAllString(r.target+" "+r.body, -1)
			if r.method == "GET" {
				send(t, r, fill(r.target, "", ""), "")
			}
			for _, ph := range slices.Compact(slices.Sorted(slices.Values(names))) {
				name := strings.Trim(ph, "{}")
				if strings.Contains(name, "csrf") {
					continue
				}
				strange := strangeInURL
				if name[0] == 'j' {
					strange = strangeInJSON
				} else if strings.Contains(r.target+r.body, "authorization_details={"+name+"}") {
					strange = append(slices.Clone(strangeInURL), details...)
				}
				for _, s := range strange {
					send(t, r, fill(r.target, s, name), fill(r.body, s, name))
				}
			}
		})
	}
	if logs := p.logs.String(); strings.Contains(logs, `"level":"ERROR"`) {
		t.Fatalf("a client's bytes logged an error:\n%s", logs)
	}
}
