package oauth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/hmac"
)

var (
	strategyKey      = []byte("current-token-key-0123456789abcdef")
	strategyRotated  = []byte("previous-token-key-0123456789abcd")
	strategyStranger = []byte("some-other-token-key-0123456789ab")
)

// fositeTokens makes tokens with fosite's own HMAC strategy under key.
func fositeTokens(t testing.TB, key []byte, n int) []string {
	t.Helper()
	enigma := &hmac.HMACStrategy{Config: &fosite.Config{GlobalSecret: key}}
	var out []string
	for range n {
		tok, _, err := enigma.Generate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tok)
	}
	return out
}

// fositeAccepts is fosite's own verdict on token under the keys.
func fositeAccepts(keys [][]byte, token string) bool {
	enigma := &hmac.HMACStrategy{Config: &fosite.Config{GlobalSecret: keys[0], RotatedGlobalSecrets: keys[1:]}}
	return enigma.Validate(context.Background(), token) == nil
}

// TestTokenMACsAgreeWithFosite: the provider's token check accepts what
// fosite's HMAC strategy makes under the current or a rotated key, and
// refuses every altered token, as fosite's own check does.
func TestTokenMACsAgreeWithFosite(t *testing.T) {
	t.Parallel()
	keys := [][]byte{strategyKey, strategyRotated}
	macs := newTokenMACs(keys)
	current, rotated, stranger := fositeTokens(t, strategyKey, 5), fositeTokens(t, strategyRotated, 5), fositeTokens(t, strategyStranger, 5)
	for _, tok := range append(current, rotated...) {
		if !macs.valid(tok) || !fositeAccepts(keys, tok) {
			t.Errorf("token %q refused (ours %v, fosite %v)", tok, macs.valid(tok), fositeAccepts(keys, tok))
		}
	}
	if newTokenMACs(keys[:1]).valid(rotated[0]) {
		t.Error("a token of a key no longer accepted is valid")
	}
	key, sig, _ := strings.Cut(current[0], ".")
	otherKey, otherSig, _ := strings.Cut(current[1], ".")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	bad := map[string]string{
		"another key's token":      stranger[0],
		"key altered":              flip(key, 3) + "." + sig,
		"signature altered":        key + "." + flip(sig, 5),
		"signature of another":     key + "." + otherSig,
		"key of another":           otherKey + "." + sig,
		"no dot":                   key + sig,
		"empty key":                "." + sig,
		"empty signature":          key + ".",
		"three parts":              key + "." + sig + ".x",
		"padded signature":         key + "." + sig + "=",
		"standard base64 alphabet": key + "." + strings.NewReplacer("-", "+", "_", "/").Replace(sig) + "+",
		"signature truncated":      key + "." + sig[:len(sig)-2],
		"not base64":               "!!!!." + sig,
		"empty":                    "",
	}
	for name, tok := range bad {
		if macs.valid(tok) {
			t.Errorf("%s: %q accepted", name, tok)
		}
		if fositeAccepts(keys, tok) {
			t.Errorf("%s: fosite accepts %q: the case is not a refusal", name, tok)
		}
	}
}

// FuzzTokenMACs: on any string the provider's check and fosite's agree.
func FuzzTokenMACs(f *testing.F) {
	keys := [][]byte{strategyKey, strategyRotated}
	for _, tok := range append(fositeTokens(f, strategyKey, 2), fositeTokens(f, strategyRotated, 1)...) {
		f.Add(tok)
		f.Add(tok[:len(tok)-1])
		f.Add(strings.Replace(tok, ".", "..", 1))
	}
	f.Add("a.b")
	macs := newTokenMACs(keys)
	f.Fuzz(func(t *testing.T, token string) {
		if ours, theirs := macs.valid(token), fositeAccepts(keys, token); ours != theirs {
			t.Fatalf("%q: ours %v, fosite %v", token, ours, theirs)
		}
	})
}

// TestTokenStrategyExpiry: expiries are read by the provider's clock;
// a session without one expires after the configured lifespan (access
// tokens, codes) or never (refresh tokens), as with fosite.
func TestTokenStrategyExpiry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	cfg := &fosite.Config{GlobalSecret: strategyKey, AccessTokenLifespan: time.Hour, AuthorizeCodeLifespan: 10 * time.Minute}
	s := newTokenStrategy(cfg, func() time.Time { return now })
	ctx := context.Background()
	request := func(requested time.Time, exp map[fosite.TokenType]time.Time) fosite.Requester {
		r := fosite.NewRequest()
		r.RequestedAt = requested
		sess := &openid.DefaultSession{ExpiresAt: exp}
		r.Session = sess
		return r
	}
	at, _, err := s.GenerateAccessToken(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	rt, _, _ := s.GenerateRefreshToken(ctx, nil)
	code, _, _ := s.GenerateAuthorizeCode(ctx, nil)
	for _, c := range []struct {
		name    string
		check   func(fosite.Requester, string) error
		token   string
		r       fosite.Requester
		expired bool
	}{
		{"access token within its expiry", wrap(ctx, s.ValidateAccessToken), at, request(now, map[fosite.TokenType]time.Time{fosite.AccessToken: now.Add(time.Second)}), false},
		{"access token past its expiry", wrap(ctx, s.ValidateAccessToken), at, request(now, map[fosite.TokenType]time.Time{fosite.AccessToken: now.Add(-time.Second)}), true},
		{"access token without expiry, within the lifespan", wrap(ctx, s.ValidateAccessToken), at, request(now.Add(-59*time.Minute), nil), false},
		{"access token without expiry, past the lifespan", wrap(ctx, s.ValidateAccessToken), at, request(now.Add(-61*time.Minute), nil), true},
		{"refresh token without expiry", wrap(ctx, s.ValidateRefreshToken), rt, request(now.Add(-1000*time.Hour), nil), false},
		{"refresh token past its expiry", wrap(ctx, s.ValidateRefreshToken), rt, request(now, map[fosite.TokenType]time.Time{fosite.RefreshToken: now.Add(-time.Second)}), true},
		{"code without expiry, past the lifespan", wrap(ctx, s.ValidateAuthorizeCode), code, request(now.Add(-11*time.Minute), nil), true},
		{"code within its expiry", wrap(ctx, s.ValidateAuthorizeCode), code, request(now, map[fosite.TokenType]time.Time{fosite.AuthorizeCode: now.Add(time.Minute)}), false},
	} {
		err := c.check(c.r, c.token)
		if expired := fosite.ErrTokenExpired.Is(err); expired != c.expired || (!c.expired && err != nil) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if err := s.ValidateAccessToken(ctx, request(now, nil), rt); err == nil {
		t.Error("a refresh token passes as an access token")
	}
	// One character of the signature changed, away from its last, whose
	// low bits base64 leaves unused.
	altered := []byte(at)
	i := len(altered) - 5
	altered[i] = map[bool]byte{true: 'B', false: 'A'}[altered[i] == 'A']
	if err := s.ValidateAccessToken(ctx, request(now, nil), string(altered)); err == nil {
		t.Errorf("an altered access token passes: %s for %s", altered, at)
	}
}

func wrap(ctx context.Context, f func(context.Context, fosite.Requester, string) error) func(fosite.Requester, string) error {
	return func(r fosite.Requester, tok string) error { return f(ctx, r, tok) }
}
