// Package platform is the upstream connector for the OAuth 2.0 sign-in of
// five platforms that are not OpenID Connect providers: GitHub, WeCom
// (企业微信), DingTalk (钉钉), Feishu / Lark (飞书) and WeChat (微信).
//
// Every platform runs the same flow: the browser is sent to the
// platform's authorization page with the sign-in's state (and, where the
// platform supports it, the S256 challenge of its PKCE verifier); the
// callback's code is exchanged for an access token; the token reads the
// user. What differs (the endpoints, how the code is exchanged, how the
// user is read and which of its fields name it) is one platform value per
// kind (github.go, wecom.go, dingtalk.go, feishu.go, wechat.go), each
// mapped from the platform's published documentation, cited there.
//
// The caller makes state and the PKCE verifier per sign-in, keeps them
// with the connector's ID, compares the callback's state itself (constant
// time) and looks the connector up from what it kept, never from the
// callback. These platforms have no ID token, so the nonce is unused.
//
// Errors: the platform refusing the code or the user (an error field, a
// non-zero errcode, a 4xx answer), the user denying at the platform, or
// an unusable subject give upstream.ErrRefused; no answer, a timeout, a
// 5xx, an answer that is not JSON or too large, the platform saying it is
// busy, or an error the platform names as about this connector's own
// credentials or registration (an OAuth invalid_client, WeChat's invalid
// appsecret, any failure of WeCom's gettoken) give
// upstream.ErrUnavailable. A Connector is safe for concurrent use.
package platform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/storage"
)

// Config is one platform connector's configuration.
type Config struct {
	// ID names the connector; it is the Connector of every Identity.
	ID string
	// Kind is the platform: storage.ConnectorGitHub, ConnectorWeCom,
	// ConnectorDingTalk, ConnectorFeishu or ConnectorWeChat.
	Kind string
	// ClientID is GitHub's client ID, DingTalk's AppKey (Client ID) or
	// Feishu's App ID. WeCom and WeChat use CorpID / AppID instead.
	ClientID string
	// ClientSecret is the client secret: GitHub's, DingTalk's AppSecret,
	// Feishu's App Secret, the WeCom app's Secret, WeChat's AppSecret.
	ClientSecret string
	// CorpID and AgentID name the WeCom corporation and its app.
	CorpID  string
	AgentID string
	// AppID is the WeChat website app's AppID.
	AppID string
	// RedirectURL is this provider's callback URL registered at the
	// platform.
	RedirectURL string
	// Scopes asked for. GitHub: default read:user user:email. DingTalk:
	// default openid ("openid corpid" also names the organisation the
	// user picked). Feishu: default none (the user's name and IDs);
	// contact:user.email:readonly adds the email. WeCom and WeChat take
	// none.
	Scopes []string
	// HTTPClient reaches the platform; it must have a timeout. Default: a
	// client with a 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock (default time.Now); it ages WeCom's cached
	// corporation token.
	Now    func() time.Time
	Logger *slog.Logger
	// Endpoints overrides the platform's URLs, field by field: for GitHub
	// Enterprise (GitHubEnterprise), Lark (LarkEndpoints) and tests.
	Endpoints Endpoints
}

// Endpoints are a platform's URLs; an empty field keeps the platform's
// own.
type Endpoints struct {
	// AuthURL is the authorization (or QR login) page the browser is
	// sent to.
	AuthURL string
	// TokenURL exchanges the code (WeCom: issues the corporation's
	// access token, gettoken).
	TokenURL string
	// APIURL is the base URL of the API that reads the user, without a
	// trailing slash (https://api.github.com, https://open.feishu.cn).
	APIURL string
}

// GitHubEnterprise returns the endpoints of a GitHub Enterprise Server
// at base (https://github.example.com), whose REST API is under /api/v3.
func GitHubEnterprise(base string) Endpoints {
	base = strings.TrimSuffix(base, "/")
	return Endpoints{AuthURL: base + "/login/oauth/authorize", TokenURL: base + "/login/oauth/access_token", APIURL: base + "/api/v3"}
}

// LarkEndpoints returns Lark's (Feishu's international edition) hosts
// for a feishu connector.
func LarkEndpoints() Endpoints {
	return Endpoints{
		AuthURL:  "https://accounts.larksuite.com/open-apis/authen/v1/authorize",
		TokenURL: "https://open.larksuite.com/open-apis/authen/v2/oauth/token",
		APIURL:   "https://open.larksuite.com",
	}
}

// platform is what one kind does differently.
type platform struct {
	// name is the platform's name in errors.
	name     string
	defaults Endpoints
	// pkce: the platform takes an S256 code challenge and the verifier
	// with the code.
	pkce bool
	// scopes are the default scopes; noScopes: the platform takes none,
	// and a configured one is an error.
	scopes   []string
	noScopes bool
	// codeParams name the callback parameter holding the code, first
	// found wins.
	codeParams []string
	// check validates the kind's own configuration fields.
	check func(Config) error
	// authURL is the authorization URL for a sign-in.
	authURL func(c *Connector, state, verifier string, opts []oauth2.AuthCodeOption) string
	// signIn exchanges the code and reads the user.
	signIn func(ctx context.Context, c *Connector, code, verifier string) (profile, error)
}

// platforms maps each kind to its platform.
var platforms = map[string]*platform{
	storage.ConnectorGitHub:   &github,
	storage.ConnectorWeCom:    &wecom,
	storage.ConnectorDingTalk: &dingtalk,
	storage.ConnectorFeishu:   &feishu,
	storage.ConnectorWeChat:   &wechat,
}

// Connector is one configured platform.
type Connector struct {
	cfg    Config
	p      *platform
	ep     Endpoints
	scopes []string
	client *http.Client
	now    func() time.Time
	log    *slog.Logger

	// corp is WeCom's cached corporation access token.
	corp corpToken
}

// corpToken is a cached corporation access token and when to stop using
// it.
type corpToken struct {
	mu      sync.Mutex
	token   string
	renewAt time.Time
}

// New checks cfg and returns the connector; it does not reach the
// platform.
func New(cfg Config) (*Connector, error) {
	p, ok := platforms[cfg.Kind]
	if !ok {
		return nil, fmt.Errorf("platform: connector %q: kind %q is not a platform (want one of %s)", cfg.ID, cfg.Kind, strings.Join(kinds(), ", "))
	}
	if cfg.ID == "" {
		return nil, errors.New("platform: connector needs an ID")
	}
	if cfg.ClientSecret == "" {
		return nil, fmt.Errorf("platform: connector %q: ClientSecret is required for %s", cfg.ID, p.name)
	}
	if err := httpURL("RedirectURL", cfg.RedirectURL); err != nil {
		return nil, fmt.Errorf("platform: connector %q: %w", cfg.ID, err)
	}
	if err := p.check(cfg); err != nil {
		return nil, fmt.Errorf("platform: connector %q: %w", cfg.ID, err)
	}
	if cfg.HTTPClient != nil && cfg.HTTPClient.Timeout <= 0 {
		return nil, fmt.Errorf("platform: connector %q: HTTPClient has no timeout", cfg.ID)
	}
	c := &Connector{cfg: cfg, p: p, ep: p.defaults, client: cfg.HTTPClient, now: cfg.Now, log: cfg.Logger}
	for _, f := range []struct {
		name     string
		val      string
		override *string
	}{
		{"Endpoints.AuthURL", cfg.Endpoints.AuthURL, &c.ep.AuthURL},
		{"Endpoints.TokenURL", cfg.Endpoints.TokenURL, &c.ep.TokenURL},
		{"Endpoints.APIURL", cfg.Endpoints.APIURL, &c.ep.APIURL},
	} {
		if f.val == "" {
			continue
		}
		if err := httpURL(f.name, f.val); err != nil {
			return nil, fmt.Errorf("platform: connector %q: %w", cfg.ID, err)
		}
		*f.override = f.val
	}
	c.ep.APIURL = strings.TrimSuffix(c.ep.APIURL, "/")
	switch {
	case p.noScopes && len(cfg.Scopes) > 0:
		return nil, fmt.Errorf("platform: connector %q: Scopes: %s sign-in takes no scopes", cfg.ID, p.name)
	case len(cfg.Scopes) > 0:
		c.scopes = slices.Clone(cfg.Scopes)
	default:
		c.scopes = p.scopes
	}
	if c.client == nil {
		c.client = &http.Client{Timeout: 10 * time.Second}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

func kinds() []string {
	var l []string
	for k := range platforms {
		l = append(l, k)
	}
	slices.Sort(l)
	return l
}

// httpURL checks that s is an absolute http(s) URL with a host.
func httpURL(field, s string) error {
	u, err := url.Parse(s)
	if s == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%s %q is not an http(s) URL", field, s)
	}
	return nil
}

// required names the first empty field of a kind's configuration.
func required(kind string, fields ...[2]string) error {
	for _, f := range fields {
		if f[1] == "" {
			return fmt.Errorf("%s is required for %s", f[0], kind)
		}
	}
	return nil
}

// ID is the connector's configured ID.
func (c *Connector) ID() string { return c.cfg.ID }

// AuthCodeURL is where to send the browser for a sign-in with state and,
// on a platform with PKCE, the S256 challenge of pkceVerifier
// (oauth2.GenerateVerifier). The nonce is unused: no platform here issues
// an ID token. opts reach GitHub's, DingTalk's and Feishu's standard
// authorization requests; WeCom's and WeChat's QR pages take no others.
func (c *Connector) AuthCodeURL(_ context.Context, state, _, pkceVerifier string, opts ...oauth2.AuthCodeOption) (string, error) {
	if state == "" || (c.p.pkce && pkceVerifier == "") {
		return "", fmt.Errorf("platform: connector %q: AuthCodeURL needs a state and a PKCE verifier", c.cfg.ID)
	}
	return c.p.authURL(c, state, pkceVerifier, opts), nil
}

// oauthAuthURL is a standard OAuth 2.0 authorization request (RFC 6749
// section 4.1.1) to the platform's AuthURL, with the S256 challenge when
// the platform takes PKCE, and extra before opts.
func oauthAuthURL(extra ...oauth2.AuthCodeOption) func(*Connector, string, string, []oauth2.AuthCodeOption) string {
	return func(c *Connector, state, verifier string, opts []oauth2.AuthCodeOption) string {
		oc := oauth2.Config{ClientID: c.cfg.ClientID, RedirectURL: c.cfg.RedirectURL, Scopes: c.scopes, Endpoint: oauth2.Endpoint{AuthURL: c.ep.AuthURL}}
		all := slices.Clone(extra)
		if c.p.pkce {
			all = append(all, oauth2.S256ChallengeOption(verifier))
		}
		return oc.AuthCodeURL(state, append(all, opts...)...)
	}
}

// orderedURL is base with the parameters in the order given (some QR
// login pages document a fixed order) and fragment, if any.
func orderedURL(base string, params [][2]string, fragment string) string {
	var b strings.Builder
	b.WriteString(base)
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	for _, p := range params {
		b.WriteString(sep + url.QueryEscape(p[0]) + "=" + url.QueryEscape(p[1]))
		sep = "&"
	}
	if fragment != "" {
		b.WriteString("#" + fragment)
	}
	return b.String()
}

// maxCode bounds the code a callback may carry.
const maxCode = 1024

// CheckCallback reads the callback's query once the caller has matched
// its state: it returns the code, or ErrRefused when the user denied at
// the platform (an error parameter, or no code: WeChat and WeCom return
// only the state then). A platform's temporarily_unavailable or
// server_error is ErrUnavailable.
func (c *Connector) CheckCallback(_ context.Context, q url.Values) (string, error) {
	return checkCallback(c.cfg.ID, c.p, q)
}

func checkCallback(id string, p *platform, q url.Values) (string, error) {
	if e := q.Get("error"); e != "" {
		kind := upstream.ErrRefused
		if e == "temporarily_unavailable" || e == "server_error" {
			kind = upstream.ErrUnavailable
		}
		return "", fmt.Errorf("%w: connector %q: %s answered %s: %s", kind, id, p.name, upstream.Clip(e), upstream.Clip(q.Get("error_description")))
	}
	for _, name := range p.codeParams {
		code := q.Get(name)
		if code == "" {
			continue
		}
		if len(code) > maxCode || !upstream.CleanText(code) {
			return "", fmt.Errorf("%w: connector %q: the callback's code is not a usable code", upstream.ErrRefused, id)
		}
		return code, nil
	}
	return "", fmt.Errorf("%w: connector %q: %s returned no code (the user did not approve the sign-in)", upstream.ErrRefused, id, p.name)
}

// Finish exchanges the code (with the sign-in's PKCE verifier on a
// platform with PKCE), reads the user and maps them to an Identity. The
// nonce is unused.
func (c *Connector) Finish(ctx context.Context, code, pkceVerifier, _ string) (upstream.Identity, error) {
	if code == "" || (c.p.pkce && pkceVerifier == "") {
		return upstream.Identity{}, fmt.Errorf("%w: connector %q: missing code or verifier", upstream.ErrRefused, c.cfg.ID)
	}
	prof, err := c.p.signIn(ctx, c, code, pkceVerifier)
	if err != nil {
		return upstream.Identity{}, err
	}
	id, err := prof.identity()
	if err != nil {
		return upstream.Identity{}, fmt.Errorf("%w: connector %q: %s: %w", upstream.ErrRefused, c.cfg.ID, c.p.name, err)
	}
	id.Connector = c.cfg.ID
	return id, nil
}

// profile is the user as a platform describes them, before it is
// checked.
type profile struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Username      string
}

// identity checks the profile: the subject must be a non-empty string of
// clean text; an email that is not a plain address is dropped, as are
// other values that are not clean text.
func (p profile) identity() (upstream.Identity, error) {
	if p.Subject == "" {
		return upstream.Identity{}, errors.New("the user has no identifier")
	}
	if len(p.Subject) > upstream.MaxSubject || !upstream.CleanText(p.Subject) {
		return upstream.Identity{}, errors.New("the user's identifier is not usable")
	}
	id := upstream.Identity{Subject: p.Subject, Name: upstream.Text(p.Name), Username: upstream.Text(p.Username)}
	if mailaddr.Valid(p.Email) && upstream.CleanText(p.Email) {
		id.Email = p.Email
		id.EmailVerified = p.EmailVerified
	}
	return id, nil
}

// firstEmail is the first of l that is a plain address.
func firstEmail(l ...string) string {
	for _, e := range l {
		if mailaddr.Valid(e) {
			return e
		}
	}
	return ""
}
