package login

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/storage"
)

// fullPool is a password pool with no room left.
type fullPool struct{}

func (fullPool) Hash(context.Context, string) (string, error)         { return "", password.ErrBusy }
func (fullPool) Verify(context.Context, string, string) (bool, error) { return false, password.ErrBusy }
func (fullPool) VerifyNothing(context.Context, string) error          { return password.ErrBusy }

func TestEveryPasswordPathGoesThroughThePool(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.Hasher, c.Registrations = fullPool{}, c.IPs })
	ann := h.addUser(t, "ann@example.com", "violet-harbour-42")
	reset := h.addLink(t, ann.ID, storage.LinkPasswordReset)
	for _, tc := range []struct {
		name string
		path string
		form url.Values
	}{
		{"signing in", "/login", url.Values{"email": {ann.Email}, "password": {"violet-harbour-42"}}},
		{"signing in to an unknown account", "/login", url.Values{"email": {"nobody@example.com"}, "password": {"violet-harbour-42"}}},
		{"registering", "/register", registration("bob@example.com", "amber-lantern-77")},
		{"registering a taken address", "/register", registration("ann@example.com", "amber-lantern-77")},
		{"resetting a password", "/password/reset", resetForm(reset, "new-secret-pass-1")},
	} {
		t.Run(tc.name+" past the pool is 503 with Retry-After and a page", func(t *testing.T) {
			w := h.post(t, tc.path, tc.form)
			wantPage(t, w, http.StatusServiceUnavailable, "Too many people are signing in or changing passwords right now.")
			if w.Header().Get("Retry-After") != "2" {
				t.Fatalf("Retry-After %q, want 2", w.Header().Get("Retry-After"))
			}
			zh := h.post(t, tc.path, tc.form, "Accept-Language", "zh-CN")
			wantPage(t, zh, http.StatusServiceUnavailable, "当前登录或修改密码的人数过多")
		})
	}
	t.Run("a refused reset leaves the link live", func(t *testing.T) {
		wantPage(t, h.get(t, "/password/reset?"+url.Values{"token": {reset}}.Encode()), http.StatusOK, `name="password"`)
	})
	t.Run("a refused sign-in counts no failure", func(t *testing.T) {
		// Four refused sign-ins of Ann's, past her free failures had
		// they counted.
		h.handler.cfg.Hasher = h.hasher
		if w := h.post(t, "/login", url.Values{"next": {"/account"}, "email": {ann.Email}, "password": {"violet-harbour-42"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("sign-in once the pool has room: %d", w.Code)
		}
	})
}
