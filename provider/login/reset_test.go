package login

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/storage"
)

const expiredReset = "This reset link has expired or was already used. Enter your email address to get a new one."

func resetForm(token, pw string) url.Values {
	return url.Values{"token": {token}, "password": {pw}, "confirm": {pw}}
}

func TestResetChecksTheLinkBeforeHashing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ann := h.addUser(t, "ann@example.com", "violet-harbour-42")
	for _, tc := range []struct {
		name  string
		token string
	}{
		{"a made-up token", "bm90LWEtcmVhbC10b2tlbg"},
		{"no token", ""},
		{"an activation link's token", h.addLink(t, ann.ID, storage.LinkActivate)},
	} {
		t.Run(tc.name+" is refused without hashing", func(t *testing.T) {
			w := h.post(t, "/password/reset", resetForm(tc.token, "new-secret-pass-1"))
			wantPage(t, w, http.StatusBadRequest, expiredReset, `action="/password/forgot"`)
			if n := h.hasher.hashes.Load(); n != 0 {
				t.Fatalf("%d passwords hashed for a link that is not live", n)
			}
		})
		t.Run(tc.name+" shows the link-expired page, not the form", func(t *testing.T) {
			w := h.get(t, "/password/reset?"+url.Values{"token": {tc.token}}.Encode())
			wantPage(t, w, http.StatusBadRequest, expiredReset, `action="/password/forgot"`)
			if strings.Contains(w.Body.String(), `name="password"`) {
				t.Fatal("the form is shown for a dead link")
			}
		})
	}
}

func TestResetSpendsTheLinkOnlyOnSuccess(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ann := h.addUser(t, "ann@example.com", "violet-harbour-42")
	token := h.addLink(t, ann.ID, storage.LinkPasswordReset)
	open := "/password/reset?" + url.Values{"token": {token}}.Encode()

	t.Run("opening the link shows the form, as often as it is opened", func(t *testing.T) {
		for range 2 {
			wantPage(t, h.get(t, open), http.StatusOK, `name="password"`, `value="`+token+`"`)
		}
	})
	t.Run("a refused new password neither hashes nor spends the link", func(t *testing.T) {
		mismatch := resetForm(token, "new-secret-pass-1")
		mismatch.Set("confirm", "typo")
		wantPage(t, h.post(t, "/password/reset", mismatch), http.StatusBadRequest, "The two passwords do not match.")
		wantPage(t, h.post(t, "/password/reset", resetForm(token, "password123")), http.StatusBadRequest, "too common")
		if n := h.hasher.hashes.Load(); n != 0 {
			t.Fatalf("%d passwords hashed", n)
		}
		wantPage(t, h.get(t, open), http.StatusOK, `name="password"`)
	})
	t.Run("the reset hashes once and spends the link", func(t *testing.T) {
		wantPage(t, h.post(t, "/password/reset", resetForm(token, "new-secret-pass-1")), http.StatusOK, "Your password was changed")
		if n := h.hasher.hashes.Load(); n != 1 {
			t.Fatalf("%d passwords hashed, want 1", n)
		}
		u, _ := h.store.GetUser(t.Context(), ann.ID)
		if ok, _ := password.Verify("new-secret-pass-1", u.PasswordHash); !ok {
			t.Fatal("the new password was not set")
		}
		wantPage(t, h.post(t, "/password/reset", resetForm(token, "new-secret-pass-2")), http.StatusBadRequest, expiredReset)
		wantPage(t, h.get(t, open), http.StatusBadRequest, expiredReset)
		if n := h.hasher.hashes.Load(); n != 1 {
			t.Fatalf("%d passwords hashed, want still 1", n)
		}
	})
	t.Run("an expired link shows the link-expired page", func(t *testing.T) {
		token := h.addLink(t, ann.ID, storage.LinkPasswordReset)
		h.advance(2 * time.Hour)
		wantPage(t, h.get(t, "/password/reset?"+url.Values{"token": {token}}.Encode()), http.StatusBadRequest, expiredReset)
		wantPage(t, h.post(t, "/password/reset", resetForm(token, "new-secret-pass-3")), http.StatusBadRequest, expiredReset)
	})
}
