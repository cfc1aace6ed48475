package login

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
)

func registration(email, pw string) url.Values {
	return url.Values{"email": {email}, "name": {"Someone"}, "password": {pw}}
}

// sameAnswer normalises what may differ between two answers that must
// read the same: the address typed.
func sameAnswer(body, email string) string {
	return regexp.MustCompile(`value="[^"]*"`).ReplaceAllString(strings.ReplaceAll(body, email, "EMAIL"), "")
}

func TestRegistrationDoesNotTellWhoHasAnAccount(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.Registrations = c.IPs })
	h.addUser(t, "ann@example.com", "violet-harbour-42")
	h.addUser(t, "dis@example.com", "violet-harbour-42", func(u *storage.User) { u.Status = storage.UserDisabled })

	fresh := h.post(t, "/register", registration("bob@example.com", "amber-lantern-77"))
	wantPage(t, fresh, http.StatusOK, "We sent an activation link to bob@example.com")
	freshHashes := h.hasher.hashes.Load()
	if got := h.mail.take(); len(got) != 1 || got[0].To != "bob@example.com" {
		t.Fatalf("mail for a new address: %+v", got)
	}

	t.Run("a taken address gets the same page, status and work", func(t *testing.T) {
		taken := h.post(t, "/register", registration("ANN@example.com", "amber-lantern-78"))
		if taken.Code != fresh.Code || sameAnswer(taken.Body.String(), "ANN@example.com") != sameAnswer(fresh.Body.String(), "bob@example.com") {
			t.Fatalf("a taken address is answered %d:\n%s\nnot as a new one, %d:\n%s", taken.Code, taken.Body, fresh.Code, fresh.Body)
		}
		if n := h.hasher.hashes.Load() - freshHashes; n != freshHashes {
			t.Fatalf("%d passwords hashed for a taken address, %d for a new one", n, freshHashes)
		}
	})
	t.Run("the owner is told by mail, with a sign-in page and a live reset link", func(t *testing.T) {
		got := h.mail.take()
		if len(got) != 1 || got[0].To != "ann@example.com" || !strings.Contains(got[0].Text, "Someone tried to create a new TokenIM account") {
			t.Fatalf("mail to the owner: %+v", got)
		}
		if !strings.Contains(got[0].Text, testIssuer+"/login\n") {
			t.Fatalf("no sign-in link:\n%s", got[0].Text)
		}
		token := tokenOf(t, got[0], "/password/reset")
		wantPage(t, h.get(t, "/password/reset?"+url.Values{"token": {token}}.Encode()), http.StatusOK, `name="password"`)
		u, _ := h.store.GetUserByEmail(t.Context(), "ann@example.com")
		if u.Name != "Ann" {
			t.Fatalf("the account was changed: %+v", u)
		}
	})
	t.Run("a disabled account's owner gets no mail, and the same page", func(t *testing.T) {
		w := h.post(t, "/register", registration("dis@example.com", "amber-lantern-79"))
		if w.Code != fresh.Code || sameAnswer(w.Body.String(), "dis@example.com") != sameAnswer(fresh.Body.String(), "bob@example.com") {
			t.Fatalf("a disabled account's address is answered %d:\n%s", w.Code, w.Body)
		}
		if got := h.mail.take(); len(got) != 0 {
			t.Fatalf("mail for a disabled account: %+v", got)
		}
	})
}

func TestRegistrationMailToTheOwnerIsLimited(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.Registrations = c.IPs })
	h.addUser(t, "ann@example.com", "violet-harbour-42")
	sent := 0
	for range accountPolicy.Free + 2 {
		wantPage(t, h.post(t, "/register", registration("ann@example.com", "amber-lantern-78")), http.StatusOK, "ann@example.com")
		sent += len(h.mail.take())
	}
	// The free mails of the address, then a wait.
	if sent != accountPolicy.Free {
		t.Fatalf("%d mails sent to the owner, want %d", sent, accountPolicy.Free)
	}
}

func TestRegistrationIsCountedBeforeHashing(t *testing.T) {
	t.Parallel()
	h := newHarness(t) // two free registrations an address
	h.addUser(t, "ann@example.com", "violet-harbour-42")
	wantPage(t, h.post(t, "/register", registration("bob@example.com", "amber-lantern-77")), http.StatusOK)
	// A taken address counts as much as a new one.
	wantPage(t, h.post(t, "/register", registration("ann@example.com", "amber-lantern-78")), http.StatusOK)
	hashed := h.hasher.hashes.Load()
	for _, email := range []string{"ann@example.com", "cat@example.com"} {
		w := h.post(t, "/register", registration(email, "amber-lantern-79"))
		wantPage(t, w, http.StatusTooManyRequests, "Too many accounts were created from your network")
		if w.Header().Get("Retry-After") != "60" {
			t.Fatalf("Retry-After %q, want 60", w.Header().Get("Retry-After"))
		}
	}
	if n := h.hasher.hashes.Load(); n != hashed {
		t.Fatalf("%d passwords hashed past the budget", n-hashed)
	}
	if _, err := h.store.GetUserByEmail(t.Context(), "cat@example.com"); err == nil {
		t.Fatal("a refused registration created an account")
	}
}
