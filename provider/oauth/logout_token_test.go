package oauth_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

const backchannelEvent = "http://schemas.openid.net/event/backchannel-logout"

func TestLogoutToken(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	h := newHarness(t, memory.New(), func(c *oauth.Config) { c.Now = func() time.Time { return now } })
	decode := func(token string) map[string]any {
		t.Helper()
		claims := map[string]any{}
		h.verifyJWT(token, "logout+jwt", &claims)
		return claims
	}

	t.Run("a session's logout token carries what section 2.4 asks and no nonce", func(t *testing.T) {
		token, err := h.p.LogoutToken(t.Context(), "chat", "user-1", "sid-1")
		if err != nil {
			t.Fatal(err)
		}
		c := decode(token)
		want := map[string]any{
			"iss": h.srv.URL, "sub": "user-1", "sid": "sid-1",
			"iat": float64(now.Unix()), "exp": float64(now.Add(2 * time.Minute).Unix()),
		}
		for k, v := range want {
			if c[k] != v {
				t.Errorf("%s = %v, want %v", k, c[k], v)
			}
		}
		if aud, ok := c["aud"].([]any); !ok || len(aud) != 1 || aud[0] != "chat" {
			t.Errorf("aud = %v, want [chat]", c["aud"])
		}
		events, ok := c["events"].(map[string]any)
		if !ok || len(events) != 1 {
			t.Fatalf("events = %v, want the one back-channel logout event", c["events"])
		}
		if ev, ok := events[backchannelEvent].(map[string]any); !ok || len(ev) != 0 {
			t.Errorf("events[%s] = %v, want {}", backchannelEvent, events[backchannelEvent])
		}
		if jti, _ := c["jti"].(string); len(jti) < 16 {
			t.Errorf("jti = %v, want a random identifier", c["jti"])
		}
		if _, ok := c["nonce"]; ok {
			t.Error("a logout token carries a nonce")
		}
	})

	t.Run("each token has its own jti", func(t *testing.T) {
		a, err := h.p.LogoutToken(t.Context(), "chat", "user-1", "sid-1")
		if err != nil {
			t.Fatal(err)
		}
		b, err := h.p.LogoutToken(t.Context(), "chat", "user-1", "sid-1")
		if err != nil {
			t.Fatal(err)
		}
		if ja, jb := decode(a)["jti"], decode(b)["jti"]; ja == jb {
			t.Fatalf("two tokens share the jti %v", ja)
		}
	})

	t.Run("without a session the token names the subject only", func(t *testing.T) {
		token, err := h.p.LogoutToken(t.Context(), "chat", "user-1", "")
		if err != nil {
			t.Fatal(err)
		}
		c := decode(token)
		if _, ok := c["sid"]; ok || c["sub"] != "user-1" {
			t.Fatalf("claims %v, want sub user-1 and no sid", c)
		}
	})
}

func TestDiscoveryAdvertisesBackchannelLogout(t *testing.T) {
	t.Parallel()
	h := newHarness(t, memory.New())
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/.well-known/openid-configuration"), nil)
	r := h.do(req)
	for _, k := range []string{"backchannel_logout_supported", "backchannel_logout_session_supported"} {
		if v, ok := r.body[k].(bool); !ok || !v {
			t.Errorf("%s = %v, want true", k, r.body[k])
		}
	}
}
