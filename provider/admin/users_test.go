package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/links"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// call serves one admin API request with an admin service's token.
func call(t *testing.T, a *API, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	mux := http.NewServeMux()
	a.Mount(mux)
	req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer x")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	return w
}

// caller returns a function serving one admin API request (call) that
// fails t unless it is answered status, and returns the JSON answered.
func caller(t *testing.T, a *API) func(method, path, body string, status int) map[string]any {
	return func(method, path, body string, status int) map[string]any {
		t.Helper()
		w := call(t, a, method, path, body)
		if w.Code != status {
			t.Fatalf("%s %s: status %d, want %d: %s", method, path, w.Code, status, w.Body)
		}
		var out map[string]any
		if w.Body.Len() > 0 {
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
}

// wantRefused checks a 400 invalid_request whose description starts with
// the field at fault.
func wantRefused(t *testing.T, w *httptest.ResponseRecorder, field string) {
	t.Helper()
	var body apiError
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != http.StatusBadRequest || body.Error != "invalid_request" ||
		!strings.HasPrefix(body.Description, field+": ") {
		t.Fatalf("status %d %s; want 400 invalid_request naming %s", w.Code, w.Body, field)
	}
}

// linkIn returns the one-time link a mail carries, and its token.
func linkIn(t *testing.T, text, page string) string {
	t.Helper()
	m := regexp.MustCompile(`https://auth\.example\.com` + regexp.QuoteMeta(page) + `\?token=[A-Za-z0-9_%-]+`).FindString(text)
	if m == "" {
		t.Fatalf("no %s link in the mail:\n%s", page, text)
	}
	u, err := url.Parse(m)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

// liveLink reports whether token is a live link of purpose, as the
// account pages will check it.
func liveLink(t *testing.T, a *API, store *memory.Store, purpose storage.LinkPurpose, token string, at time.Time) bool {
	t.Helper()
	m := links.New(links.Config{Hasher: a.cfg.Links})
	_, err := store.GetLink(t.Context(), purpose, m.Hash(token), at)
	return err == nil
}

// createdUser checks a 201 and returns the user it shows.
func createdUser(t *testing.T, w *httptest.ResponseRecorder) user {
	t.Helper()
	if w.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var got user
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestCreateUserWithAPassword(t *testing.T) {
	t.Parallel()
	a, store, sent := mailFixture(t)
	w := call(t, a, "POST", "/admin/api/v1/users", `{"email":" bo@example.com ","name":"Bo","role":"guest","password":"a long enough pass"}`)
	got := createdUser(t, w)
	if got.Email != "bo@example.com" || got.Name != "Bo" || got.Role != "guest" || got.Status != "active" || !got.EmailVerified || got.ID == "" {
		t.Fatalf("created %+v", got)
	}
	if strings.Contains(w.Body.String(), "argon2id") || strings.Contains(w.Body.String(), "a long enough pass") {
		t.Fatalf("the answer shows the password or its hash: %s", w.Body)
	}
	u, err := store.GetUser(t.Context(), got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := password.Verify("a long enough pass", u.PasswordHash); !ok || err != nil {
		t.Fatalf("the password does not open the account: %v", err)
	}
	if len(sent.messages()) != 0 {
		t.Fatalf("an account with a password was mailed: %+v", sent.messages())
	}
	wantOneRecord(t, store, storage.AuditRecord{Action: audit.UserCreated, Subject: got.ID,
		Detail: map[string]string{"email": "bo@example.com", "role": "guest", "password": "given"}})
}

func TestCreateUserWithoutAPasswordMailsAnInvitation(t *testing.T) {
	t.Parallel()
	a, store, sent := mailFixture(t)
	got := createdUser(t, call(t, a, "POST", "/admin/api/v1/users", `{"email":"li@example.cn","name":"李雷","role":"member","locale":"zh-CN"}`))
	if got.Status != "pending" || got.EmailVerified {
		t.Fatalf("an invited account is %s, verified %v; want pending, unverified", got.Status, got.EmailVerified)
	}
	msgs := sent.messages()
	if len(msgs) != 1 || msgs[0].To != "li@example.cn" || !strings.Contains(msgs[0].Subject, "TokenIM 账号") {
		t.Fatalf("mails %+v; want one invitation in Chinese to li@example.cn", msgs)
	}
	token := linkIn(t, msgs[0].Text, "/password/reset")
	if !liveLink(t, a, store, storage.LinkPasswordReset, token, t0.Add(71*time.Hour)) {
		t.Fatal("the invitation's link does not open the password page within its 72 hours")
	}
	if liveLink(t, a, store, storage.LinkPasswordReset, token, t0.Add(73*time.Hour)) {
		t.Fatal("the invitation's link works after its 72 hours")
	}
	wantOneRecord(t, store, storage.AuditRecord{Action: audit.UserCreated, Subject: got.ID,
		Detail: map[string]string{"email": "li@example.cn", "role": "member", "password": "invitation"}})
}

func TestCreateUserRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body, field string
	}{
		{"no email", `{"role":"member","password":"a long enough pass"}`, "email"},
		{"not an email", `{"email":"ann","role":"member","password":"a long enough pass"}`, "email"},
		{"an email with a space", `{"email":"ann smith@example.com","role":"member","password":"a long enough pass"}`, "email"},
		{"no role", `{"email":"bo@example.com","password":"a long enough pass"}`, "role"},
		{"an unknown role", `{"email":"bo@example.com","role":"root","password":"a long enough pass"}`, "role"},
		{"a short password", `{"email":"bo@example.com","role":"member","password":"short"}`, "password"},
		{"a common password", `{"email":"bo@example.com","role":"member","password":"12345678"}`, "password"},
		{"a name too long", `{"email":"bo@example.com","role":"member","password":"a long enough pass","name":"` + strings.Repeat("n", storage.MaxUserName+1) + `"}`, "name"},
		{"a language the mails are not written in", `{"email":"bo@example.com","role":"member","locale":"fr"}`, "locale"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, store, sent := mailFixture(t)
			wantRefused(t, call(t, a, "POST", "/admin/api/v1/users", tc.body), tc.field)
			wantNothingCreated(t, store)
			if len(sent.messages()) != 0 {
				t.Fatal("a refused account was mailed")
			}
		})
	}
	t.Run("an unknown field", func(t *testing.T) {
		t.Parallel()
		a, store := fixture(t)
		w := call(t, a, "POST", "/admin/api/v1/users", `{"email":"bo@example.com","role":"member","password":"a long enough pass","admin":true}`)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `unknown field \"admin\"`) {
			t.Fatalf("status %d %s; want 400 naming the unknown field", w.Code, w.Body)
		}
		wantNothingCreated(t, store)
	})
}

func TestCreateUserConflicts(t *testing.T) {
	t.Parallel()
	t.Run("an email in use, in any case, is 409 naming the email", func(t *testing.T) {
		t.Parallel()
		a, store := fixture(t)
		w := call(t, a, "POST", "/admin/api/v1/users", `{"email":"ANN@example.com","role":"member","password":"a long enough pass"}`)
		if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "email: ") {
			t.Fatalf("status %d %s; want 409 naming email", w.Code, w.Body)
		}
		wantNothingCreated(t, store)
	})
	t.Run("without a mail server an invitation is 409 and nothing is created", func(t *testing.T) {
		t.Parallel()
		a, store := fixture(t)
		a.cfg.Mail = nil
		w := call(t, a, "POST", "/admin/api/v1/users", `{"email":"bo@example.com","role":"member"}`)
		if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "no mail server") {
			t.Fatalf("status %d %s; want 409 saying no mail server is configured", w.Code, w.Body)
		}
		wantNothingCreated(t, store)
	})
	t.Run("an invitation the mail server refuses is 503 and nothing is created", func(t *testing.T) {
		t.Parallel()
		a, store, sent := mailFixture(t)
		sent.down = true
		w := call(t, a, "POST", "/admin/api/v1/users", `{"email":"bo@example.com","role":"member"}`)
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
			t.Fatalf("status %d %s; want 503 with Retry-After", w.Code, w.Body)
		}
		wantNothingCreated(t, store)
	})
}

// wantNothingCreated checks that the fixture has its two users and no
// record.
func wantNothingCreated(t *testing.T, store *memory.Store) {
	t.Helper()
	if list, _ := store.ListUsers(t.Context(), storage.Page{}); len(list) != 2 {
		t.Fatalf("a refused account was stored: %+v", list)
	}
	if recs := records(t, store); len(recs) != 0 {
		t.Fatalf("a refused change left records: %+v", recs)
	}
}

// wantOneRecord checks the store holds exactly one record, want, made by
// the admin API's caller.
func wantOneRecord(t *testing.T, store *memory.Store, want storage.AuditRecord) {
	t.Helper()
	recs := records(t, store)
	if len(recs) != 1 {
		t.Fatalf("want exactly one record, have %d: %+v", len(recs), recs)
	}
	want.Outcome, want.ActorType, want.ActorID = audit.Success, audit.ActorClient, "ops-bot"
	if diff := cmp.Diff(want, recs[0], cmpopts.IgnoreFields(storage.AuditRecord{}, "ID", "Time"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
}

func TestPatchUserName(t *testing.T) {
	t.Parallel()
	a, store := fixture(t)
	w := call(t, a, "PATCH", "/admin/api/v1/users/u-ann", `{"name":"  Ann Lee "}`)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"name":"Ann Lee"`) {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	wantOneRecord(t, store, storage.AuditRecord{Action: audit.UserChanged, Subject: "u-ann", Detail: map[string]string{"name_before": "", "name": "Ann Lee"}})

	wantRefused(t, call(t, a, "PATCH", "/admin/api/v1/users/u-ann", `{"name":"`+strings.Repeat("名", storage.MaxUserName+1)+`"}`), "name")
	wantRefused(t, call(t, a, "PATCH", "/admin/api/v1/users/u-ann", `{"role":"root"}`), "role")
	wantRefused(t, call(t, a, "PATCH", "/admin/api/v1/users/u-ann", `{"status":"pending"}`), "status")
	if w := call(t, a, "PATCH", "/admin/api/v1/users/u-ann", `{}`); w.Code != http.StatusBadRequest {
		t.Fatalf("an empty change: status %d %s", w.Code, w.Body)
	}
	if u, _ := store.GetUser(t.Context(), "u-ann"); u.Name != "Ann Lee" || u.Role != "member" || u.Status != storage.UserActive {
		t.Fatalf("a refused change was stored: %+v", u)
	}
	if recs := records(t, store); len(recs) != 1 {
		t.Fatalf("refused changes left records: %+v", recs)
	}
}

func TestPasswordResetLink(t *testing.T) {
	t.Parallel()
	t.Run("a user is mailed a reset link and the change is recorded", func(t *testing.T) {
		t.Parallel()
		a, store, sent := mailFixture(t)
		w := call(t, a, "POST", "/admin/api/v1/users/u-ann/password-reset", "")
		if w.Code != http.StatusAccepted || !strings.Contains(w.Body.String(), `"expires_at":"2026-11-25T10:00:00Z"`) {
			t.Fatalf("status %d %s; want 202 with the link's expiry", w.Code, w.Body)
		}
		msgs := sent.messages()
		if len(msgs) != 1 || msgs[0].To != "ann@example.com" || !strings.Contains(msgs[0].Subject, "Reset your TokenIM password") {
			t.Fatalf("mails %+v; want one reset mail to ann@example.com", msgs)
		}
		if !liveLink(t, a, store, storage.LinkPasswordReset, linkIn(t, msgs[0].Text, "/password/reset"), t0.Add(29*time.Minute)) {
			t.Fatal("the mailed link does not open the password page")
		}
		if strings.Contains(w.Body.String(), "token") {
			t.Fatalf("the answer carries the link: %s", w.Body)
		}
		wantOneRecord(t, store, storage.AuditRecord{Action: audit.PasswordLinkSent, Subject: "u-ann", Detail: map[string]string{"expires_at": "2026-11-25T10:00:00Z"}})
	})
	for _, tc := range []struct {
		name   string
		setup  func(t *testing.T, a *API, s *memory.Store, m *mailed)
		path   string
		status int
		want   string
	}{
		{"an unknown user is 404", nil, "/admin/api/v1/users/nobody/password-reset", http.StatusNotFound, "not_found"},
		{"a disabled user is 409", func(t *testing.T, _ *API, s *memory.Store, _ *mailed) {
			if _, err := s.UpdateUser(t.Context(), "u-ann", func(u storage.User) (storage.User, error) { u.Status = storage.UserDisabled; return u, nil }); err != nil {
				t.Fatal(err)
			}
		}, "/admin/api/v1/users/u-ann/password-reset", http.StatusConflict, "disabled"},
		{"without a mail server it is 409", func(_ *testing.T, a *API, _ *memory.Store, _ *mailed) { a.cfg.Mail = nil },
			"/admin/api/v1/users/u-ann/password-reset", http.StatusConflict, "no mail server"},
		{"a refused mail is 503 and leaves no link", func(_ *testing.T, _ *API, _ *memory.Store, m *mailed) { m.down = true },
			"/admin/api/v1/users/u-ann/password-reset", http.StatusServiceUnavailable, "temporarily_unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, store, sent := mailFixture(t)
			if tc.setup != nil {
				tc.setup(t, a, store, sent)
			}
			w := call(t, a, "POST", tc.path, "")
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.want) {
				t.Fatalf("status %d %s; want %d saying %q", w.Code, w.Body, tc.status, tc.want)
			}
			if recs := records(t, store); len(recs) != 0 {
				t.Fatalf("a refused link left records: %+v", recs)
			}
			if n, _ := store.DeleteUserLinks(t.Context(), "u-ann", storage.LinkPasswordReset); n != 0 {
				t.Fatalf("a refused link was stored (%d)", n)
			}
		})
	}
	t.Run("a language the mails are not written in is 400 naming locale", func(t *testing.T) {
		t.Parallel()
		a, _ := fixture(t)
		wantRefused(t, call(t, a, "POST", "/admin/api/v1/users/u-ann/password-reset", `{"locale":"de"}`), "locale")
	})
}

func TestTOTPReset(t *testing.T) {
	t.Parallel()
	a, store := fixture(t)
	w := call(t, a, "POST", "/admin/api/v1/users/u-ann/totp-reset", "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"mfa":false`) {
		t.Fatalf("status %d %s; want 200 with mfa false", w.Code, w.Body)
	}
	if u, _ := store.GetUser(t.Context(), "u-ann"); u.TOTPEnabled || u.TOTPSecret != nil || len(u.RecoveryCodes) != 0 {
		t.Fatalf("the second factor is left: %+v", u)
	}
	wantOneRecord(t, store, storage.AuditRecord{Action: audit.MFAReset, Subject: "u-ann"})
	if w := call(t, a, "POST", "/admin/api/v1/users/nobody/totp-reset", ""); w.Code != http.StatusNotFound {
		t.Fatalf("an unknown user: status %d %s", w.Code, w.Body)
	}
}

// TestEveryRouteNeedsAnAdminService calls every route the API mounts
// without a token, with a user's token, and with a service's token
// lacking the admin scope: 401, 403, 403, and nothing changes.
func TestEveryRouteNeedsAnAdminService(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		header  string
		subject string
		scopes  []string
		status  int
	}{
		{"no token is 401", "", "", nil, http.StatusUnauthorized},
		{"a token of another scheme is 401", "Basic b3BzOnNlY3JldA==", "", nil, http.StatusUnauthorized},
		{"a user's admin token is 403", "Bearer user-token", "u-admin", []string{"admin"}, http.StatusForbidden},
		{"a service's token without the admin scope is 403", "Bearer svc-token", "", []string{"im:calls.read"}, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, store := fixture(t)
			a.cfg.Authenticate = func(context.Context, string) (string, string, []string, error) {
				return "some-client", tc.subject, tc.scopes, nil
			}
			mux := http.NewServeMux()
			a.Mount(mux)
			for _, route := range a.Routes() {
				method, path, _ := strings.Cut(route, " ")
				for _, wild := range []string{"{id}", "{sid}", "{user}", "{app}"} {
					path = strings.ReplaceAll(path, wild, "x")
				}
				req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(`{"email":"bo@example.com","role":"admin","password":"a long enough pass","name":"x","type":"confidential"}`))
				if tc.header != "" {
					req.Header.Set("Authorization", tc.header)
				}
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, req)
				if w.Code != tc.status || w.Header().Get("WWW-Authenticate") == "" {
					t.Errorf("%s: status %d %s, want %d with WWW-Authenticate", route, w.Code, w.Body, tc.status)
				}
			}
			wantNothingCreated(t, store)
		})
	}
}
