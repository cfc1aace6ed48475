package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
	"golang.org/x/net/html"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// credentials are the tokens the scenarios present.
type credentials struct {
	// bot is a client-credentials access token with im:messages.send.
	bot string
	// user is a user's access token with openid.
	user string
}

// obtainTokens gets the bot's token and signs the user in.
func obtainTokens(ctx context.Context, l *lab, n *testbed.Node) (credentials, error) {
	bot, err := l.botConfig(n).Token(ctx)
	if err != nil {
		return credentials{}, fmt.Errorf("client credentials token: %w", err)
	}
	user, err := signIn(ctx, l.webApp(n), l.secrets.Password)
	if err != nil {
		return credentials{}, fmt.Errorf("user token: %w", err)
	}
	l.logger.Info("tokens obtained", "bot_scope", bot.Extra("scope"), "user_scope", user.Extra("scope"))
	return credentials{bot: bot.AccessToken, user: user.AccessToken}, nil
}

// botConfig gets the bot's client-credentials tokens from node n.
func (l *lab) botConfig(n *testbed.Node) *clientcredentials.Config {
	return &clientcredentials.Config{
		ClientID: testbed.BotID, ClientSecret: l.secrets.Bot, TokenURL: n.Base + "/oauth2/token",
		Scopes: []string{"im:messages.send"}, AuthStyle: oauth2.AuthStyleInHeader,
	}
}

// webApp is the web app signing the user in on node n.
func (l *lab) webApp(n *testbed.Node) oauth2.Config {
	return oauth2.Config{
		ClientID: testbed.WebID, ClientSecret: l.secrets.Web, RedirectURL: testbed.WebReturn,
		Endpoint: oauth2.Endpoint{AuthURL: n.Base + "/oauth2/auth", TokenURL: n.Base + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader},
		Scopes:   []string{"openid", "profile", "email", "im:messages.read"},
	}
}

// signIn runs the authorization code flow with PKCE as a browser would:
// the authorization request leads to the sign-in page, whose form is
// posted with its hidden fields (CSRF token, flow) and the user's email
// and password; the redirects lead back to the app's redirect URI
// (testbed.WebReturn), not followed, whose code is exchanged for tokens.
func signIn(ctx context.Context, conf oauth2.Config, password string) (*oauth2.Token, error) {
	verifier, state := oauth2.GenerateVerifier(), rand.Text()
	base := strings.TrimSuffix(conf.Endpoint.AuthURL, "/oauth2/auth")
	b, err := newBrowser(base)
	if err != nil {
		return nil, err
	}
	login, err := b.get(ctx, conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		return nil, err
	}
	if login.status != http.StatusOK || login.url.Path != "/login" {
		return nil, fmt.Errorf("authorization request: want the sign-in page, got %d %s", login.status, login.url)
	}
	back, err := b.submit(ctx, login, "/login", url.Values{"email": {testbed.UserEmail}, "password": {password}})
	if err != nil {
		return nil, err
	}
	code, err := authorizationCode(back, state)
	if err != nil {
		return nil, err
	}
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("exchange the code: %w", err)
	}
	return tok, nil
}

// authorizationCode reads the code from the redirect to the web app.
func authorizationCode(p page, state string) (string, error) {
	if p.status < 300 || p.status > 399 || !strings.HasPrefix(p.location, testbed.WebReturn) {
		return "", fmt.Errorf("sign-in: want a redirect to %s, got %d %s", testbed.WebReturn, p.status, p.url)
	}
	u, err := url.Parse(p.location)
	if err != nil {
		return "", fmt.Errorf("sign-in: redirect: %w", err)
	}
	q := u.Query()
	switch {
	case q.Get("error") != "":
		return "", fmt.Errorf("sign-in: %s: %s", q.Get("error"), q.Get("error_description"))
	case q.Get("state") != state:
		return "", errors.New("sign-in: the redirect's state is not ours")
	case q.Get("code") == "":
		return "", errors.New("sign-in: no code in the redirect")
	}
	return q.Get("code"), nil
}

// browser is an HTTP client with cookies that follows redirects, except
// to the web app's redirect URI.
type browser struct {
	client *http.Client
	origin string
}

func newBrowser(origin string) (*browser, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("cookie jar: %w", err)
	}
	client := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), testbed.WebReturn) {
			return http.ErrUseLastResponse
		}
		if len(via) >= 10 {
			return errors.New("more than 10 redirects")
		}
		return nil
	}}
	return &browser{client: client, origin: origin}, nil
}

// page is a response, read whole.
type page struct {
	status   int
	url      *url.URL
	location string
	body     string
}

func (b *browser) get(ctx context.Context, rawURL string) (page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return page{}, err
	}
	return b.do(req)
}

// submit posts the form of p whose action is action, as a browser would:
// its hidden fields plus values, from the same site.
func (b *browser) submit(ctx context.Context, p page, action string, values url.Values) (page, error) {
	form, err := hiddenFields(p.body, action)
	if err != nil {
		return page{}, err
	}
	for k, v := range values {
		form[k] = v
	}
	target := p.url.ResolveReference(&url.URL{Path: action})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return page{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.origin)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

func (b *browser) do(req *http.Request) (page, error) {
	resp, err := b.client.Do(req)
	if err != nil {
		return page{}, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return page{}, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	return page{status: resp.StatusCode, url: resp.Request.URL, location: resp.Header.Get("Location"), body: string(body)}, nil
}

// hiddenFields returns the hidden inputs of the page's form whose action
// is action.
func hiddenFields(body, action string) (url.Values, error) {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse page: %w", err)
	}
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "form" && attr(n, "action") == action {
			values := url.Values{}
			for in := range n.Descendants() {
				if in.Type == html.ElementNode && in.Data == "input" && attr(in, "type") == "hidden" {
					values.Set(attr(in, "name"), attr(in, "value"))
				}
			}
			return values, nil
		}
	}
	return nil, fmt.Errorf("no form with action %q on the page", action)
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}
