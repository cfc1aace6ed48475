package account

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/passkey"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/storage"
)

// Ann's passkeys: one synced across her devices and used since (its
// credential ID, 23 bytes, leaves two bits of its reference's last
// character unused), one on a security key never used; and Bob's.
var (
	annsPhone = storage.Passkey{ID: []byte("ann-phone-credential-01"), UserID: "u-ann", Name: "Ann’s iPhone", BackupEligible: true,
		CreatedAt: t0.Add(-48 * time.Hour), LastUsedAt: t0.Add(-2 * time.Hour)}
	annsKey  = storage.Passkey{ID: []byte("ann-security-key-cred-2"), UserID: "u-ann", Name: "YubiKey 5C", CreatedAt: t0.Add(-24 * time.Hour)}
	bobsKey  = storage.Passkey{ID: []byte("bob-laptop-credential-3"), UserID: "u-bob", Name: "Bob’s laptop", CreatedAt: t0.Add(-24 * time.Hour)}
	annsRef  = passkey.Ref(annsPhone.ID)
	annsKRef = passkey.Ref(annsKey.ID)
	bobsRef  = passkey.Ref(bobsKey.ID)
)

// withPasskeys stores Bob and the passkeys.
func (h *harness) withPasskeys(t testing.TB, keys ...storage.Passkey) {
	t.Helper()
	if err := h.store.CreateUser(t.Context(), storage.User{ID: "u-bob", Email: "bob@example.com", Status: storage.UserActive, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		k.PublicKey, k.AAGUID = []byte{0xa5, 0x01, 0x02}, make([]byte, 16)
		if err := h.store.CreatePasskey(t.Context(), k); err != nil {
			t.Fatal(err)
		}
	}
}

// passkeyNamed returns the stored name of the passkey id, or "" when it
// is gone.
func (h *harness) passkeyNamed(t *testing.T, id []byte) string {
	t.Helper()
	k, err := h.store.GetPasskey(t.Context(), id)
	if err != nil {
		return ""
	}
	return k.Name
}

func TestPasskeysListed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1))
	h.withPasskeys(t, annsPhone, annsKey, bobsKey)
	w := h.get(t, "/account")
	says(t, w, http.StatusOK, "Passkeys", "Ann’s iPhone", "Synced across your devices", "2026-11-25 07:30 UTC",
		"YubiKey 5C", "Kept on one device", "Never", `action="/account/passkeys/`+annsRef+`/rename"`, `href="/account/passkeys/`+annsKRef+`/remove"`,
		`data-passkey="register"`)
	if strings.Contains(w.Body.String(), "Bob’s laptop") || strings.Contains(w.Body.String(), bobsRef) {
		t.Fatalf("another account's passkey is listed:\n%s", w.Body)
	}
	says(t, h.get(t, "/account", "Accept-Language", "zh-CN"), http.StatusOK, "通行密钥", "在您的多台设备间同步", "从未使用")

	t.Run("none, the page says what a passkey is", func(t *testing.T) {
		t.Parallel()
		says(t, newHarness(t, password.NewPool(1, 1)).get(t, "/account"), http.StatusOK,
			"A passkey lets you sign in without a password, with your device’s screen lock")
	})
}

func TestRenamePasskey(t *testing.T) {
	t.Parallel()
	for name, open := range stores() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarnessOn(t, open(t), password.NewPool(1, 1))
			h.withPasskeys(t, annsPhone, annsKey, bobsKey)
			rename := func(ref, name string, header ...string) *http.Response {
				t.Helper()
				return h.post(t, "/account/passkeys/"+ref+"/rename", url.Values{"name": {name}}, header...).Result()
			}

			w := h.post(t, "/account/passkeys/"+annsRef+"/rename", url.Values{"name": {"  Work phone "}})
			says(t, w, http.StatusOK, "Passkey renamed.", "Work phone")
			if got := h.passkeyNamed(t, annsPhone.ID); got != "Work phone" {
				t.Fatalf("stored name %q, want the trimmed new name", got)
			}
			recs := h.records(t, audit.PasskeyRenamed)
			if len(recs) != 1 || recs[0].Subject != h.user.ID || recs[0].ActorID != h.user.ID ||
				recs[0].Detail["passkey"] != storage.Ref(string(annsPhone.ID)) || recs[0].Detail["name_before"] != "Ann’s iPhone" || recs[0].Detail["name"] != "Work phone" {
				t.Fatalf("passkey.renamed records %+v", recs)
			}

			t.Run("a name the rule refuses is said, in both languages, and nothing changes", func(t *testing.T) {
				for _, tc := range []struct{ name, lang, want string }{
					{"   ", "en", "Give the passkey a name."},
					{strings.Repeat("钥", 65), "en", "Use at most 64 characters for the passkey’s name."},
					{"Work\nphone", "en", "The name holds a character that is not allowed"},
					{"Work\xffphone", "en", "The name holds a character that is not allowed"},
					{"Work\x00phone", "zh-CN", "名称中含有不允许的字符"},
					{"", "zh-CN", "请为通行密钥命名。"},
				} {
					says(t, h.post(t, "/account/passkeys/"+annsKRef+"/rename", url.Values{"name": {tc.name}}, "Accept-Language", tc.lang), http.StatusBadRequest, tc.want)
				}
				if got := h.passkeyNamed(t, annsKey.ID); got != "YubiKey 5C" {
					t.Fatalf("a refused name was stored: %q", got)
				}
			})
			t.Run("another account's passkey, one that does not exist, or a reference that is not one, is not found", func(t *testing.T) {
				for _, ref := range []string{bobsRef, passkey.Ref([]byte("no-such-credential")), "not*base64", annsRef + "=", annsRef[:len(annsRef)-1] + "F", strings.Repeat("A", 2000)} {
					if res := rename(ref, "Mine now"); res.StatusCode != http.StatusNotFound {
						t.Errorf("ref %.20q: status %d, want 404", ref, res.StatusCode)
					}
				}
				says(t, h.post(t, "/account/passkeys/"+bobsRef+"/rename", url.Values{"name": {"Mine now"}}), http.StatusNotFound,
					"That passkey is not on your account, or it was already removed.")
				says(t, h.post(t, "/account/passkeys/"+bobsRef+"/rename", url.Values{"name": {"Mine now"}}, "Accept-Language", "zh-CN"), http.StatusNotFound,
					"您的账号中没有该通行密钥")
				if got := h.passkeyNamed(t, bobsKey.ID); got != "Bob’s laptop" {
					t.Fatalf("Bob's passkey renamed to %q", got)
				}
				if n := len(h.records(t, audit.PasskeyRenamed)); n != 1 {
					t.Fatalf("%d passkey.renamed records, want the first rename's only", n)
				}
			})
			t.Run("the same name again changes and records nothing", func(t *testing.T) {
				says(t, h.post(t, "/account/passkeys/"+annsKRef+"/rename", url.Values{"name": {"YubiKey 5C"}}), http.StatusOK, "Passkey renamed.")
				if n := len(h.records(t, audit.PasskeyRenamed)); n != 1 {
					t.Fatalf("%d passkey.renamed records", n)
				}
			})
		})
	}
}

func TestRemovePasskey(t *testing.T) {
	t.Parallel()
	removal := "/account/passkeys/" + annsRef + "/remove"
	for name, open := range stores() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			t.Run("a sign-in that is not fresh is sent to sign in again, and back", func(t *testing.T) {
				t.Parallel()
				h := newHarnessOn(t, open(t), password.NewPool(1, 1), signedInWith(staleTwoFactor))
				h.withPasskeys(t, annsPhone, annsKey)
				for _, w := range []int{h.get(t, removal).Code, h.post(t, removal, nil).Code} {
					if w != http.StatusSeeOther {
						t.Fatalf("status %d, want 303", w)
					}
				}
				for _, loc := range []string{h.get(t, removal).Header().Get("Location"), h.post(t, removal, nil).Header().Get("Location")} {
					if loc != "/login?next="+removal {
						t.Fatalf("Location %q, want /login?next=%s", loc, removal)
					}
				}
				if h.passkeyNamed(t, annsPhone.ID) == "" || len(h.records(t, audit.PasskeyRemoved)) != 0 {
					t.Fatal("a stale sign-in removed a passkey")
				}
			})
			t.Run("a fresh sign-in confirms, then removes", func(t *testing.T) {
				t.Parallel()
				h := newHarnessOn(t, open(t), password.NewPool(1, 1), signedInWith(freshPassword))
				h.withPasskeys(t, annsPhone, annsKey)
				w := h.get(t, removal)
				says(t, w, http.StatusOK, "Remove the passkey “Ann’s iPhone”?", "Synced across your devices",
					"You will no longer be able to sign in with it.", `action="`+removal+`"`, `href="/account"`)
				if strings.Contains(w.Body.String(), "This is your only passkey") {
					t.Fatal("the confirmation says the passkey is the last one, with two")
				}
				says(t, h.post(t, removal, nil), http.StatusOK, "Passkey removed. It no longer signs in to your account.", "YubiKey 5C")
				if h.passkeyNamed(t, annsPhone.ID) != "" || h.passkeyNamed(t, annsKey.ID) == "" {
					t.Fatal("want the phone's passkey gone and the key's kept")
				}
				recs := h.records(t, audit.PasskeyRemoved)
				if len(recs) != 1 || recs[0].Subject != h.user.ID || recs[0].ActorID != h.user.ID ||
					recs[0].Detail["passkey"] != storage.Ref(string(annsPhone.ID)) || recs[0].Detail["name"] != "Ann’s iPhone" {
					t.Fatalf("passkey.removed records %+v", recs)
				}
				says(t, h.post(t, removal, nil), http.StatusNotFound, "That passkey is not on your account, or it was already removed.")
			})
			t.Run("the last passkey may go; the step says the account keeps its password, in Chinese too", func(t *testing.T) {
				t.Parallel()
				h := newHarnessOn(t, open(t), password.NewPool(1, 1), signedInWith(freshTwoFactor))
				h.withPasskeys(t, annsPhone)
				says(t, h.get(t, removal), http.StatusOK, "This is your only passkey. Once it is removed, you will sign in with your password and a code from your authenticator app.")
				h.turnOff(t)
				says(t, h.get(t, removal, "Accept-Language", "zh-CN"), http.StatusOK, "移除通行密钥“Ann’s iPhone”？", "这是您唯一的通行密钥。移除后，您需要使用密码登录。")
				says(t, h.post(t, removal, nil, "Accept-Language", "zh-CN"), http.StatusOK, "通行密钥已移除")
				if h.passkeyNamed(t, annsPhone.ID) != "" {
					t.Fatal("the last passkey was kept")
				}
				if h.stored(t).PasswordHash == "" {
					t.Fatal("the account lost its password")
				}
			})
			t.Run("an account without a password or a linked identity keeps its last passkey", func(t *testing.T) {
				t.Parallel()
				h := newHarnessOn(t, open(t), password.NewPool(1, 1), signedInWith(freshTwoFactor))
				h.withPasskeys(t, annsPhone)
				if _, err := h.store.UpdateUser(t.Context(), h.user.ID, func(u storage.User) (storage.User, error) {
					u.PasswordHash = ""
					return u, nil
				}); err != nil {
					t.Fatal(err)
				}
				says(t, h.post(t, removal, nil), http.StatusConflict, "This is the only way left to sign in to your account")
				if h.passkeyNamed(t, annsPhone.ID) == "" || len(h.records(t, audit.PasskeyRemoved)) != 0 {
					t.Fatal("the last way in was removed")
				}
			})
			t.Run("never another account's, one that does not exist, or a reference that is not one", func(t *testing.T) {
				t.Parallel()
				h := newHarnessOn(t, open(t), password.NewPool(1, 1), signedInWith(freshTwoFactor))
				h.withPasskeys(t, annsPhone, bobsKey)
				for _, ref := range []string{bobsRef, passkey.Ref([]byte("no-such-credential")), "not*base64", strings.Repeat("A", 2000)} {
					says(t, h.get(t, "/account/passkeys/"+ref+"/remove"), http.StatusNotFound, "That passkey is not on your account")
					says(t, h.post(t, "/account/passkeys/"+ref+"/remove", nil), http.StatusNotFound, "That passkey is not on your account")
				}
				if h.passkeyNamed(t, bobsKey.ID) == "" || len(h.records(t, audit.PasskeyRemoved)) != 0 {
					t.Fatal("another account's passkey was removed")
				}
			})
		})
	}
	t.Run("how fresh is the operator's to say", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1), signedInWith(staleTwoFactor), func(c *Config) { c.FreshSignIn = 2 * time.Hour })
		h.withPasskeys(t, annsPhone)
		says(t, h.get(t, removal), http.StatusOK, "Remove the passkey")
	})
}
