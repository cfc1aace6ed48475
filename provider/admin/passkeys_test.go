package admin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/passkey"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// The tokens passkeyHarness's API accepts: an admin service's, a user's
// token carrying the admin scope, and a service's without it.
const (
	serviceToken = "service"
	userToken    = "user"
	noScopeToken = "no-scope"
)

// passkeyHarness is the API and the console over one store holding an
// administrator with a second factor and a passkey, Ann with two
// passkeys (one synced and used, one on a security key never used) and
// Bo with none; the console is signed in as the administrator.
type passkeyHarness struct {
	api      *API
	store    storage.Store
	sessions *fakeSessions
	console  *consoleHarness
	// laptop and yubikey are Ann's passkeys, adminKey the
	// administrator's.
	laptop, yubikey, adminKey storage.Passkey
}

func newPasskeyHarness(t *testing.T, store storage.Store) *passkeyHarness {
	t.Helper()
	ctx := t.Context()
	now := func() time.Time { return t0 }
	a := New(Config{
		Store: store, Now: now,
		Roles:  []Role{{"admin", []string{"openid", "admin"}}, {"member", []string{"openid"}}},
		Scopes: []string{"openid", "admin"},
		Audit:  audit.NewRecorder(audit.RecorderConfig{Store: store, Now: now}),
		Authenticate: func(_ context.Context, token string) (string, string, []string, error) {
			switch token {
			case serviceToken:
				return "ops-bot", "", []string{"admin"}, nil
			case userToken:
				return "portal", "u-ann", []string{"admin"}, nil
			case noScopeToken:
				return "chat", "", []string{"openid"}, nil
			}
			return "", "", nil, errors.New("unknown token")
		},
	})
	addOpsBot(t, store)
	users := []storage.User{
		{ID: "u-admin", Email: "root@example.com", Role: "admin", Status: storage.UserActive, TOTPEnabled: true, CreatedAt: t0},
		{ID: "u-ann", Email: "ann@example.com", Role: "member", Status: storage.UserActive, CreatedAt: t0},
		{ID: "u-bo", Email: "bo@example.com", Role: "member", Status: storage.UserActive, CreatedAt: t0},
	}
	for _, u := range users {
		if err := store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	h := &passkeyHarness{api: a, store: store,
		laptop: storage.Passkey{ID: []byte{0xde, 0xad, 0xbe, 0xef, 0xfb, 0xff}, UserID: "u-ann", Name: "Work laptop", PublicKey: []byte("cose-public-key-of-the-laptop"),
			AttestationType: "none", AAGUID: []byte{0xfb, 0xfc, 0x30, 0x07, 0x15, 0x4e, 0x4e, 0xcc, 0x8c, 0x0b, 0x6e, 0x02, 0x05, 0x57, 0xd7, 0xbd},
			SignCount: 0, Transports: []string{"internal", "hybrid"}, UserVerified: true, BackupEligible: true, BackupState: true,
			CreatedAt: t0.Add(-72 * time.Hour), LastUsedAt: t0.Add(-time.Hour)},
		yubikey: storage.Passkey{ID: []byte("yubikey-credential"), UserID: "u-ann", Name: "YubiKey <5>", PublicKey: []byte("cose-public-key-of-the-yubikey"),
			AttestationType: "packed", AAGUID: make([]byte, 16), SignCount: 12, Transports: []string{"usb", "nfc"}, CreatedAt: t0.Add(-24 * time.Hour)},
		adminKey: storage.Passkey{ID: []byte("admin-credential"), UserID: "u-admin", Name: "Admin key", PublicKey: []byte("cose-public-key-of-the-admin"),
			AttestationType: "none", AAGUID: make([]byte, 16), CreatedAt: t0},
	}
	for _, p := range []storage.Passkey{h.laptop, h.yubikey, h.adminKey} {
		if err := store.CreatePasskey(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	h.sessions = &fakeSessions{ok: true, signed: session.Signed{User: users[0], Session: storage.LoginSession{UserID: "u-admin", ACR: session.ACRTwoFactor}}}
	c := NewConsole(a, ConsoleConfig{Store: store, Sessions: h.sessions, Pages: webtest.Pages(t), AdminRole: "admin", MFARoles: []string{"admin"}})
	mux := http.NewServeMux()
	c.Mount(mux)
	h.console = &consoleHarness{api: a, sessions: h.sessions, mux: mux}
	return h
}

// callAs serves one admin API request with token.
func (h *passkeyHarness) callAs(t *testing.T, token, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	mux := http.NewServeMux()
	h.api.Mount(mux)
	req := httptest.NewRequestWithContext(t.Context(), method, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	return w
}

// held reports whether the user still holds passkey p.
func (h *passkeyHarness) held(t *testing.T, p storage.Passkey) bool {
	t.Helper()
	got, err := h.store.GetPasskey(t.Context(), p.ID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil && got.UserID == p.UserID
}

// wantAllKept fails the test if any passkey is gone or anything was
// recorded.
func (h *passkeyHarness) wantAllKept(t *testing.T) {
	t.Helper()
	for _, p := range []storage.Passkey{h.laptop, h.yubikey, h.adminKey} {
		if !h.held(t, p) {
			t.Errorf("the passkey %q of %s was removed", p.Name, p.UserID)
		}
	}
	if recs := records(t, h.store); len(recs) != 0 {
		t.Errorf("a refused removal left records: %+v", recs)
	}
}

// removedRecord is the record of p's removal by an actor.
func removedRecord(p storage.Passkey, actorType, actorID string) storage.AuditRecord {
	return storage.AuditRecord{Action: audit.PasskeyRemoved, Outcome: audit.Success, ActorType: actorType, ActorID: actorID, Subject: p.UserID,
		Detail: map[string]string{"passkey": storage.Ref(string(p.ID)), "name": p.Name}}
}

func wantRecords(t *testing.T, store storage.Audit, want ...storage.AuditRecord) {
	t.Helper()
	got := records(t, store)
	// Newest first, as the records page shows them.
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(storage.AuditRecord{}, "ID", "Time"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestAPIListsAUsersPasskeys(t *testing.T) {
	t.Parallel()
	h := newPasskeyHarness(t, memory.New())
	w := h.callAs(t, serviceToken, "GET", "/admin/api/v1/users/u-ann/passkeys")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var body struct {
		Passkeys []map[string]any `json:"passkeys"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"id": "3q2-7_v_", "ref": storage.Ref(string(h.laptop.ID)), "name": "Work laptop", "created_at": "2026-11-22T09:30:00Z",
			"last_used_at": "2026-11-25T08:30:00Z", "backup_eligible": true, "backup_state": true, "user_verified": true,
			"transports": []any{"internal", "hybrid"}, "aaguid": "fbfc3007-154e-4ecc-8c0b-6e020557d7bd", "attestation_type": "none"},
		{"id": base64.RawURLEncoding.EncodeToString([]byte("yubikey-credential")), "ref": storage.Ref("yubikey-credential"), "name": "YubiKey <5>",
			"created_at": "2026-11-24T09:30:00Z", "last_used_at": nil, "backup_eligible": false, "backup_state": false, "user_verified": false,
			"transports": []any{"usb", "nfc"}, "aaguid": "00000000-0000-0000-0000-000000000000", "attestation_type": "packed"},
	}
	if diff := cmp.Diff(want, body.Passkeys); diff != "" {
		t.Errorf("Ann's passkeys (-want +got):\n%s", diff)
	}
	for _, secretish := range []string{"public_key", "cose-public-key", base64.StdEncoding.EncodeToString(h.laptop.PublicKey), "sign_count"} {
		if strings.Contains(w.Body.String(), secretish) {
			t.Errorf("the list shows %q: %s", secretish, w.Body)
		}
	}

	if w := h.callAs(t, serviceToken, "GET", "/admin/api/v1/users/u-bo/passkeys"); w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != `{"passkeys":[]}` {
		t.Errorf("a user without passkeys: status %d %s, want an empty list", w.Code, w.Body)
	}
	if w := h.callAs(t, serviceToken, "GET", "/admin/api/v1/users/ghost/passkeys"); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), `"error":"not_found"`) {
		t.Errorf("an unknown user: status %d %s, want 404 not_found", w.Code, w.Body)
	}
}

// TestAPIPasskeyRefusals: a malformed passkey_id is the caller's 400; an
// unknown user, an unknown passkey and another user's passkey are 404s
// that remove nothing; a token that is not an admin service's is refused
// before anything is read.
func TestAPIPasskeyRefusals(t *testing.T) {
	t.Parallel()
	ann := func(ref string) string { return "/admin/api/v1/users/u-ann/passkeys/" + ref }
	h0 := newPasskeyHarness(t, memory.New())
	laptop, adminKey := passkey.Ref(h0.laptop.ID), passkey.Ref(h0.adminKey.ID)
	for _, tc := range []struct {
		name, token, method, path string
		status                    int
		code, description         string
	}{
		{"not base64url", serviceToken, "DELETE", ann("%21%21"), 400, "invalid_request", "passkey_id: "},
		{"standard base64", serviceToken, "DELETE", ann(url.PathEscape(base64.RawStdEncoding.EncodeToString(h0.laptop.ID))), 400, "invalid_request", "passkey_id: "},
		{"padded", serviceToken, "DELETE", ann(laptop + "%3D%3D"), 400, "invalid_request", "passkey_id: "},
		{"a second spelling of a byte (unused bits set)", serviceToken, "DELETE", ann("AB"), 400, "invalid_request", "passkey_id: "},
		{"a line break inside", serviceToken, "DELETE", ann(laptop[:4] + "%0A" + laptop[4:]), 400, "invalid_request", "passkey_id: "},
		{"longer than any credential ID", serviceToken, "DELETE", ann(strings.Repeat("A", 1368)), 400, "invalid_request", "passkey_id: "},
		{"an unknown user", serviceToken, "DELETE", "/admin/api/v1/users/ghost/passkeys/" + laptop, 404, "not_found", "No such user."},
		{"an unknown passkey", serviceToken, "DELETE", ann(passkey.Ref([]byte("nobody's"))), 404, "not_found", "No such passkey."},
		{"another user's passkey", serviceToken, "DELETE", ann(adminKey), 404, "not_found", "No such passkey."},
		{"a user's token", userToken, "DELETE", ann(laptop), 403, "insufficient_scope", ""},
		{"a user's token listing", userToken, "GET", "/admin/api/v1/users/u-ann/passkeys", 403, "insufficient_scope", ""},
		{"a service without the admin scope", noScopeToken, "DELETE", ann(laptop), 403, "insufficient_scope", ""},
		{"no token", "", "DELETE", ann(laptop), 401, "invalid_token", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newPasskeyHarness(t, memory.New())
			w := h.callAs(t, tc.token, tc.method, tc.path)
			var body apiError
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != tc.status || body.Error != tc.code ||
				!strings.HasPrefix(body.Description, tc.description) {
				t.Fatalf("status %d %s; want %d %s starting %q", w.Code, w.Body, tc.status, tc.code, tc.description)
			}
			h.wantAllKept(t)
		})
	}
}

// TestPasskeyRemoval removes passkeys through the API and the console on
// each store: each removal is one record naming its actor, the passkey's
// short reference and name; the user's other passkey and another
// account's are kept, and a second removal is a 404.
func TestPasskeyRemoval(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(t *testing.T) storage.Store{
		"memory":   func(*testing.T) storage.Store { return memory.New() },
		"postgres": func(t *testing.T) storage.Store { return pgtest.Open(t) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newPasskeyHarness(t, open(t))
			path := "/admin/api/v1/users/u-ann/passkeys/" + passkey.Ref(h.laptop.ID)
			if w := h.callAs(t, serviceToken, "DELETE", path); w.Code != http.StatusNoContent || w.Body.Len() != 0 {
				t.Fatalf("API: status %d %s, want 204", w.Code, w.Body)
			}
			if h.held(t, h.laptop) || !h.held(t, h.yubikey) || !h.held(t, h.adminKey) {
				t.Fatalf("after removing the laptop: laptop %v, YubiKey %v, admin's %v", h.held(t, h.laptop), h.held(t, h.yubikey), h.held(t, h.adminKey))
			}
			wantRecords(t, h.store, removedRecord(h.laptop, audit.ActorClient, "ops-bot"))
			if w := h.callAs(t, serviceToken, "DELETE", path); w.Code != http.StatusNotFound {
				t.Fatalf("API, again: status %d %s, want 404", w.Code, w.Body)
			}

			// Another account's passkey under Ann's address is not hers.
			if w := h.console.post(t, "/admin/users/u-ann/passkeys/"+passkey.Ref(h.adminKey.ID)+"/remove", url.Values{}); w.Code != http.StatusNotFound {
				t.Fatalf("console, another account's passkey: status %d", w.Code)
			}
			w := h.console.post(t, "/admin/users/u-ann/passkeys/"+passkey.Ref(h.yubikey.ID)+"/remove", url.Values{})
			if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/users/u-ann?done=passkey-removed" {
				t.Fatalf("console: status %d to %q:\n%s", w.Code, w.Header().Get("Location"), w.Body)
			}
			if h.held(t, h.yubikey) || !h.held(t, h.adminKey) {
				t.Fatalf("after removing the YubiKey: YubiKey %v, admin's %v", h.held(t, h.yubikey), h.held(t, h.adminKey))
			}
			wantRecords(t, h.store, removedRecord(h.yubikey, audit.ActorUser, "u-admin"), removedRecord(h.laptop, audit.ActorClient, "ops-bot"))
			if list, err := h.store.ListPasskeys(t.Context(), "u-ann"); err != nil || len(list) != 0 {
				t.Fatalf("Ann's passkeys after both removals: %v, %v", list, err)
			}
		})
	}
}

func TestConsoleShowsAUsersPasskeys(t *testing.T) {
	t.Parallel()
	h := newPasskeyHarness(t, memory.New())
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"en", []string{`<h2 id="passkeys">Passkeys</h2>`, "<td>Work laptop</td>", "<td>YubiKey &lt;5&gt;</td>",
			"<code>" + storage.Ref(string(h.laptop.ID)) + "</code>", "<code>" + storage.Ref(string(h.yubikey.ID)) + "</code>",
			`<time datetime="2026-11-25T08:30:00Z">`, "<td>Never</td>", "<td>Synced across devices</td>", "<td>On one device</td>",
			"<td>Yes: screen lock or biometrics</td>", "<td>No: presence only</td>",
			`href="/admin/users/u-ann/passkeys/3q2-7_v_/remove"`, `href="/admin/users/u-ann/passkeys/` + passkey.Ref(h.yubikey.ID) + `/remove"`}},
		{"zh-CN", []string{`<h2 id="passkeys">通行密钥</h2>`, "<td>Work laptop</td>", "<td>从不</td>", "<td>跨设备同步</td>", "<td>仅存于一台设备</td>",
			"<td>是（屏幕锁或生物识别）</td>", "<td>否（仅确认在场）</td>", ">删除</a>"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/admin/users/u-ann", nil)
			req.Header.Set("Accept-Language", tc.lang)
			w := httptest.NewRecorder()
			h.console.mux.ServeHTTP(w, req)
			page := w.Body.String()
			if w.Code != http.StatusOK {
				t.Fatalf("status %d", w.Code)
			}
			for _, s := range tc.want {
				if !strings.Contains(page, s) {
					t.Errorf("Ann's page lacks %q", s)
				}
			}
			for _, s := range []string{"Admin key", passkey.Ref(h.adminKey.ID), "cose-public-key"} {
				if strings.Contains(page, s) {
					t.Errorf("Ann's page shows %q", s)
				}
			}
		})
	}
	if page := h.console.get(t, "/admin/users/u-bo").Body.String(); !strings.Contains(page, "This user has no passkey") || strings.Contains(page, "/passkeys/") {
		t.Errorf("Bo's page does not say he has no passkey:\n%s", page)
	}
}

// TestConsoleRemovesAPasskey: the Remove link leads to a confirmation
// naming the passkey and its user, which changes nothing; its form posts
// with the CSRF token, and the user's page then says the passkey was
// removed and no longer lists it.
func TestConsoleRemovesAPasskey(t *testing.T) {
	t.Parallel()
	h := newPasskeyHarness(t, memory.New())
	path := "/admin/users/u-ann/passkeys/" + passkey.Ref(h.yubikey.ID) + "/remove"
	c := h.console.get(t, path)
	confirm := c.Body.String()
	for _, want := range []string{"Remove the passkey “YubiKey &lt;5&gt;”?", "<code>ann@example.com</code>", "<code>" + storage.Ref(string(h.yubikey.ID)) + "</code>",
		`action="` + path + `"`, `name="csrf_token"`, "Remove passkey", `href="/admin/users/u-ann#passkeys"`, "sign the user out everywhere"} {
		if c.Code != http.StatusOK || !strings.Contains(confirm, want) {
			t.Fatalf("confirmation: status %d, lacks %q:\n%s", c.Code, want, confirm)
		}
	}
	h.wantAllKept(t)
	if w := h.console.post(t, path, url.Values{"csrf_token": {"forged"}}); w.Code != http.StatusForbidden {
		t.Fatalf("a post without the CSRF token: status %d", w.Code)
	}
	h.wantAllKept(t)
	if w := h.console.post(t, path, url.Values{}); w.Code != http.StatusSeeOther {
		t.Fatalf("post: status %d:\n%s", w.Code, w.Body)
	}
	wantRecords(t, h.store, removedRecord(h.yubikey, audit.ActorUser, "u-admin"))
	page := h.console.get(t, "/admin/users/u-ann?done=passkey-removed").Body.String()
	if !strings.Contains(page, "The passkey was removed") || strings.Contains(page, "YubiKey") || !strings.Contains(page, "Work laptop") {
		t.Errorf("the user's page after the removal:\n%s", page)
	}
}

// TestConsolePasskeyRefusals: the confirmation and the removal refuse a
// crafted address (another account's passkey, a malformed reference, an
// unknown user or passkey) with the console's not-found page, and anyone
// but an administrator signed in with a second factor; nothing is
// removed or recorded.
func TestConsolePasskeyRefusals(t *testing.T) {
	t.Parallel()
	h0 := newPasskeyHarness(t, memory.New())
	ann := func(ref string) string { return "/admin/users/u-ann/passkeys/" + ref + "/remove" }
	yubikey := passkey.Ref(h0.yubikey.ID)
	for _, tc := range []struct {
		name   string
		setup  func(f *fakeSessions)
		path   string
		status int
		want   string
	}{
		{"another account's passkey under the user", nil, ann(passkey.Ref(h0.adminKey.ID)), 404, "no such user, app, secret, authorisation or passkey"},
		{"a passkey of the user under another", nil, "/admin/users/u-bo/passkeys/" + yubikey + "/remove", 404, "no such"},
		{"a reference that is not base64url", nil, ann("%21%21"), 404, "no such"},
		{"a padded reference", nil, ann(yubikey + "%3D"), 404, "no such"},
		{"an overlong reference", nil, ann(strings.Repeat("A", 4000)), 404, "no such"},
		{"an unknown user", nil, "/admin/users/ghost/passkeys/" + yubikey + "/remove", 404, "no such"},
		{"an unknown passkey", nil, ann(passkey.Ref([]byte("nobody's"))), 404, "no such"},
		{"a member", func(f *fakeSessions) { f.signed.User.Role = "member" }, ann(yubikey), 403, "for administrators only"},
		{"an admin without a second factor", func(f *fakeSessions) { f.signed.Session.ACR = session.ACRPassword }, ann(yubikey), 403, "two-step verification"},
		{"nobody signed in", func(f *fakeSessions) { f.ok = false }, ann(yubikey), 303, "/login?next="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				h := newPasskeyHarness(t, memory.New())
				if tc.setup != nil {
					tc.setup(h.sessions)
				}
				var w *httptest.ResponseRecorder
				if method == http.MethodGet {
					w = h.console.get(t, tc.path)
				} else {
					w = h.console.post(t, tc.path, url.Values{})
				}
				if got := w.Header().Get("Location") + w.Body.String(); w.Code != tc.status || !strings.Contains(got, tc.want) {
					t.Errorf("%s: status %d, want %d saying %q:\n%s", method, w.Code, tc.status, tc.want, got)
				}
				h.wantAllKept(t)
			}
		})
	}
}
