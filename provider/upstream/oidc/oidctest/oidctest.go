// Package oidctest runs a real OpenID Provider for tests: zitadel's
// OpenID Certified op package on loopback, with a small in-memory
// storage, one client and one user whose login is approved at once.
package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is the one user the OP signs in.
type User struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Username      string
	Groups        []string
}

// Options shape the OP.
type Options struct {
	ClientID, ClientSecret, RedirectURI string
	User                                User
	// ExtraAudience is added to every ID token's aud (the OP then sets
	// azp to the client).
	ExtraAudience []string
	AMR           []string
	// Middleware, when set, sits in front of the OP's handler (to forge
	// or rewrite its answers).
	Middleware func(http.Handler) http.Handler
	// NoEndSession leaves end_session_endpoint out of the OP's discovery
	// document, as an upstream without RP-Initiated Logout does.
	NoEndSession bool
}

// OP is a running OpenID Provider.
type OP struct {
	// Issuer is its issuer URL (http://127.0.0.1:port).
	Issuer string
	// Key signs its tokens.
	Key *rsa.PrivateKey
	// EndSession is its end_session_endpoint (RP-Initiated Logout), also
	// when NoEndSession leaves it out of discovery.
	EndSession string
	clientID   string
	srv        *httptest.Server
	down       atomic.Bool
}

// Start runs an OP until the test ends.
func Start(t testing.TB, o Options) *OP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	p := &OP{Issuer: "http://" + srv.Listener.Addr().String(), Key: key, clientID: o.ClientID, srv: srv}
	st := &storage{opts: o, key: key, requests: map[string]*authRequest{}, codes: map[string]string{}, tokens: map[string]*authRequest{}}
	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		t.Fatal(err)
	}
	prov, err := op.NewProvider(&op.Config{CryptoKey: cryptoKey, CodeMethodS256: true}, st, op.StaticIssuer(p.Issuer), op.WithAllowInsecure(), op.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	callback := prov.AuthorizationEndpoint().Absolute(p.Issuer) + "/callback?id="
	p.EndSession = prov.EndSessionEndpoint().Absolute(p.Issuer)
	mux := http.NewServeMux()
	if o.NoEndSession {
		mux.HandleFunc("GET "+oidc.DiscoveryEndpoint, func(w http.ResponseWriter, r *http.Request) {
			var meta map[string]any
			rec := httptest.NewRecorder()
			prov.ServeHTTP(rec, r)
			if err := json.Unmarshal(rec.Body.Bytes(), &meta); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			delete(meta, "end_session_endpoint")
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(meta)
		})
	}
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		if !st.approve(id) {
			http.Error(w, "no such request", http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, callback+url.QueryEscape(id), http.StatusFound)
	})
	mux.Handle("/", prov)
	var h http.Handler = mux
	if o.Middleware != nil {
		h = o.Middleware(h)
	}
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	})
	srv.Start()
	t.Cleanup(srv.Close)
	return p
}

// LogoutClaims returns the claims of a valid back-channel logout token
// (Back-Channel Logout 1.0 section 2.4) from this OP to its client,
// issued at iat and naming sub and sid (each left out when empty), with a
// fresh jti. A test edits them before SignToken.
func (p *OP) LogoutClaims(sub, sid string, iat time.Time) map[string]any {
	c := map[string]any{
		"iss": p.Issuer, "aud": p.clientID, "iat": iat.Unix(), "exp": iat.Add(2 * time.Minute).Unix(),
		"jti":    rand.Text(),
		"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}},
	}
	if sub != "" {
		c["sub"] = sub
	}
	if sid != "" {
		c["sid"] = sid
	}
	return c
}

// SignToken signs claims with the OP's key and key ID, as its tokens
// are, with the typ header typ (none when empty).
func (p *OP) SignToken(t testing.TB, claims map[string]any, typ string) string {
	t.Helper()
	return SignWith(t, p.Key, claims, typ)
}

// SignWith signs claims with key (RS256) under the OP's key ID, with the
// typ header typ (none when empty): with another key than the OP's, a
// forgery.
func SignWith(t testing.TB, key *rsa.PrivateKey, claims map[string]any, typ string) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithHeader("kid", "op-key")
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// SetDown makes every endpoint answer 503 (true) or serve again.
func (p *OP) SetDown(down bool) { p.down.Store(down) }

// Close stops the OP: connections are then refused.
func (p *OP) Close() { p.srv.Close() }

type authRequest struct {
	oidc.AuthRequest
	id       string
	subject  string
	done     bool
	authTime time.Time
	aud      []string
	amr      []string
}

func (a *authRequest) GetID() string                      { return a.id }
func (a *authRequest) GetACR() string                     { return "" }
func (a *authRequest) GetAMR() []string                   { return a.amr }
func (a *authRequest) GetAudience() []string              { return a.aud }
func (a *authRequest) GetAuthTime() time.Time             { return a.authTime }
func (a *authRequest) GetClientID() string                { return a.ClientID }
func (a *authRequest) GetNonce() string                   { return a.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.ResponseMode }
func (a *authRequest) GetScopes() []string                { return a.Scopes }
func (a *authRequest) GetState() string                   { return a.State }
func (a *authRequest) GetSubject() string                 { return a.subject }
func (a *authRequest) Done() bool                         { return a.done }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.CodeChallenge, Method: a.CodeChallengeMethod}
}

var errNotFound = errors.New("oidctest: not found")

// storage is op.Storage in memory, for one client and one user.
type storage struct {
	opts     Options
	key      *rsa.PrivateKey
	mu       sync.Mutex
	requests map[string]*authRequest // by ID
	codes    map[string]string       // code → request ID
	tokens   map[string]*authRequest // access token ID → request
}

func randomID() string { return rand.Text() }

func (s *storage) approve(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if ok {
		r.done, r.subject, r.authTime = true, s.opts.User.Subject, time.Now()
	}
	return ok
}

func (s *storage) CreateAuthRequest(_ context.Context, r *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &authRequest{AuthRequest: *r, id: randomID(), aud: append([]string{r.ClientID}, s.opts.ExtraAudience...), amr: s.opts.AMR}
	s.requests[a.id] = a
	return a, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.requests[id]; ok {
		return r, nil
	}
	return nil, errNotFound
}

func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.requests[s.codes[code]]; ok {
		return r, nil
	}
	return nil, errNotFound
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest runs once the code is redeemed: the code is then
// unknown (a replay fails).
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for c, rid := range s.codes {
		if rid == id {
			delete(s.codes, c)
		}
	}
	return nil
}

func (s *storage) CreateAccessToken(_ context.Context, r op.TokenRequest) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, _ := r.(*authRequest)
	id := randomID()
	s.tokens[id] = a
	return id, time.Now().Add(5 * time.Minute), nil
}

func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, r op.TokenRequest, _ string) (string, string, time.Time, error) {
	id, exp, err := s.CreateAccessToken(ctx, r)
	return id, "", exp, err
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}
func (s *storage) TerminateSession(context.Context, string, string) error          { return nil }
func (s *storage) RevokeToken(context.Context, string, string, string) *oidc.Error { return nil }
func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

type signingKey struct{ key *rsa.PrivateKey }

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return "op-key" }

type publicKey struct{ key *rsa.PrivateKey }

func (k publicKey) ID() string                         { return "op-key" }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.key.PublicKey }

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	return signingKey{s.key}, nil
}
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}
func (s *storage) KeySet(context.Context) ([]op.Key, error) { return []op.Key{publicKey{s.key}}, nil }

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != s.opts.ClientID {
		return nil, errNotFound
	}
	return client{s.opts}, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != s.opts.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) != 1 {
		return errors.New("oidctest: bad client credentials")
	}
	return nil
}

func (s *storage) SetUserinfoFromScopes(_ context.Context, ui *oidc.UserInfo, userID, _ string, scopes []string) error {
	s.userinfo(ui, userID, scopes)
	return nil
}

func (s *storage) userinfo(ui *oidc.UserInfo, userID string, scopes []string) {
	u := s.opts.User
	ui.Subject = userID
	if slices.Contains(scopes, oidc.ScopeEmail) {
		ui.Email, ui.EmailVerified = u.Email, oidc.Bool(u.EmailVerified)
	}
	if slices.Contains(scopes, oidc.ScopeProfile) {
		ui.Name, ui.PreferredUsername = u.Name, u.Username
	}
	if len(u.Groups) > 0 {
		ui.AppendClaims("groups", u.Groups)
	}
}

func (s *storage) SetUserinfoFromToken(_ context.Context, ui *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	a, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || a == nil {
		return errNotFound
	}
	s.userinfo(ui, subject, a.Scopes)
	return nil
}

func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotFound
}
func (s *storage) ValidateJWTProfileScopes(_ context.Context, _ string, scopes []string) ([]string, error) {
	return scopes, nil
}
func (s *storage) Health(context.Context) error { return nil }

type client struct{ o Options }

func (c client) GetID() string                       { return c.o.ClientID }
func (c client) RedirectURIs() []string              { return []string{c.o.RedirectURI} }
func (c client) PostLogoutRedirectURIs() []string    { return nil }
func (c client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c client) GrantTypes() []oidc.GrantType         { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c client) LoginURL(id string) string            { return "/login?id=" + url.QueryEscape(id) }
func (c client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c client) IDTokenLifetime() time.Duration       { return 5 * time.Minute }
func (c client) DevMode() bool                        { return true }
func (c client) IsScopeAllowed(string) bool           { return false }
func (c client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c client) ClockSkew() time.Duration             { return 0 }
func (c client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
