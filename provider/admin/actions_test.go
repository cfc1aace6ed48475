package admin

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/mail"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

var t0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

// fixture is a memory store with an admin, a member with a grant and TOTP,
// a web app with a secret and a service waiting for a scope; mail goes to
// the fixture's outbox (mailed).
func fixture(t *testing.T) (*API, *memory.Store) {
	a, store, _ := mailFixture(t)
	return a, store
}

// mailFixture is fixture with the mails sent.
func mailFixture(t *testing.T) (*API, *memory.Store, *mailed) {
	t.Helper()
	ctx := t.Context()
	store := memory.New()
	ring, err := secret.NewKeyring(strings.Repeat("s", 32))
	if err != nil {
		t.Fatal(err)
	}
	composer, err := mail.NewComposer()
	if err != nil {
		t.Fatal(err)
	}
	sent := &mailed{}
	now := func() time.Time { return t0 }
	a := New(Config{
		Store: store, Hasher: secret.NewHasher(ring), Now: now,
		Roles:          []Role{{"admin", []string{"openid", "admin"}}, {"member", []string{"openid", "im:calls.read"}}, {"guest", []string{"openid"}}},
		Scopes:         []string{"openid", "im:calls.read", "admin"},
		APIKeys:        apikey.Policy{Lifetime: 90 * 24 * time.Hour, Grace: time.Hour},
		Audit:          audit.NewRecorder(audit.RecorderConfig{Store: store, Now: now}),
		Passwords:      password.NewPolicy(),
		PasswordHasher: password.NewPool(1, 4),
		Mail:           sent, Composer: composer, Links: secret.NewHasherFor(ring, secret.PurposeOneTimeLinks),
		Issuer: "https://auth.example.com", InvitationLink: 72 * time.Hour, ResetLink: 30 * time.Minute,
		Authenticate: func(_ context.Context, token string) (string, string, []string, error) {
			return "ops-bot", "", []string{"admin"}, nil
		},
	})
	addOpsBot(t, store)
	for _, u := range []storage.User{
		{ID: "u-admin", Email: "root@example.com", Role: "admin", Status: storage.UserActive, TOTPEnabled: true, CreatedAt: t0},
		{ID: "u-ann", Email: "ann@example.com", Role: "member", Status: storage.UserActive, TOTPEnabled: true, TOTPSecret: []byte("sealed"),
			RecoveryCodes: [][]byte{[]byte("h1")}, CreatedAt: t0},
	} {
		if err := store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []storage.Client{
		{ID: "chat", Name: "Chat", Type: storage.ClientConfidential, TokenEndpointAuthMethod: "client_secret_basic",
			GrantTypes: []string{"authorization_code"}, Scopes: []string{"openid", "im:calls.read"}, CreatedAt: t0},
		{ID: "bot", Name: "Bot", Type: storage.ClientConfidential, TokenEndpointAuthMethod: "client_secret_basic",
			GrantTypes: []string{"client_credentials"}, RequestedScopes: []string{"im:calls.read"}, CreatedAt: t0},
	} {
		if err := store.CreateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, _, err := apikey.Rotate(ctx, store, a.cfg.Hasher, c.ID, apikey.Policy{}, t0.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.SaveConsent(ctx, storage.Consent{UserID: "u-ann", ClientID: "chat", Scopes: []string{"openid", "im:calls.read"}, GrantedAt: t0}); err != nil {
		t.Fatal(err)
	}
	return a, store, sent
}

// mailed keeps the mails sent, or refuses them all when down.
type mailed struct {
	mu   sync.Mutex
	down bool
	all  []mail.Message
}

func (m *mailed) Send(_ context.Context, msg mail.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return errors.New("smtp: 421 service not available")
	}
	m.all = append(m.all, msg)
	return nil
}

func (m *mailed) messages() []mail.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.all)
}

func records(t *testing.T, store storage.Audit) []storage.AuditRecord {
	t.Helper()
	recs, err := store.ListAudit(t.Context(), storage.AuditFilter{}, storage.AuditCursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestAPIChangesAreRecorded: every change made through the JSON API
// lands in exactly one authorization record, its actor the calling app.
func TestAPIChangesAreRecorded(t *testing.T) {
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     storage.AuditRecord
		check                    func(t *testing.T, s *memory.Store)
	}{
		{"a role change is user.role_changed with from and to", "PATCH", "/admin/api/v1/users/u-ann", `{"role":"guest"}`, 200,
			storage.AuditRecord{Action: audit.RoleChanged, Subject: "u-ann", Detail: map[string]string{"from": "member", "to": "guest"}}, nil},
		{"disabling is user.disabled", "PATCH", "/admin/api/v1/users/u-ann", `{"status":"disabled"}`, 200,
			storage.AuditRecord{Action: audit.UserDisabled, Subject: "u-ann", Detail: map[string]string{"sessions_ended": "0", "tokens_revoked": "0"}}, nil},
		{"approving scopes is app.changed with the new scopes", "PATCH", "/admin/api/v1/apps/bot", `{"scopes":["im:calls.read"]}`, 200,
			storage.AuditRecord{Action: audit.AppChanged, ClientID: "bot", Scopes: []string{"im:calls.read"}, Detail: map[string]string{"scopes_before": ""}},
			func(t *testing.T, s *memory.Store) {
				if c, _ := s.GetClient(t.Context(), "bot"); len(c.RequestedScopes) != 0 {
					t.Errorf("requested scopes still pending: %v", c.RequestedScopes)
				}
			}},
		{"disabling an app is app.changed with disabled true", "PATCH", "/admin/api/v1/apps/chat", `{"disabled":true}`, 200,
			storage.AuditRecord{Action: audit.AppChanged, ClientID: "chat", Detail: map[string]string{"disabled": "true"}},
			func(t *testing.T, s *memory.Store) {
				if c, _ := s.GetClient(t.Context(), "chat"); !c.Disabled {
					t.Errorf("the app is not disabled")
				}
			}},
		{"switching an app to JWT access tokens and pushed requests is app.changed with both", "PATCH", "/admin/api/v1/apps/chat",
			`{"access_token_format":"jwt","require_pushed_authorization_requests":true}`, 200,
			storage.AuditRecord{Action: audit.AppChanged, ClientID: "chat", Detail: map[string]string{"access_token_format": "jwt", "require_par": "true"}},
			func(t *testing.T, s *memory.Store) {
				if c, _ := s.GetClient(t.Context(), "chat"); !c.IssuesJWT() || !c.RequirePAR {
					t.Errorf("the app's options: format %q, require PAR %v", c.AccessTokenFormat, c.RequirePAR)
				}
			}},
		{"signing an app's ID tokens with ES256 is app.changed with the algorithm", "PATCH", "/admin/api/v1/apps/chat",
			`{"id_token_signed_response_alg":"ES256"}`, 200,
			storage.AuditRecord{Action: audit.AppChanged, ClientID: "chat", Detail: map[string]string{"id_token_signed_response_alg": "ES256"}},
			func(t *testing.T, s *memory.Store) {
				if c, _ := s.GetClient(t.Context(), "chat"); c.IDTokenSignedResponseAlg != "ES256" {
					t.Errorf("the app's ID token algorithm: %q", c.IDTokenSignedResponseAlg)
				}
			}},
		{"encrypting an app's introspection answers is app.changed with its keys and algorithms", "PATCH", "/admin/api/v1/apps/chat",
			`{"jwks_uri":"https://chat.example/jwks.json","introspection_signed_response_alg":"ES256","introspection_encrypted_response_alg":"ECDH-ES+A128KW","introspection_encrypted_response_enc":"A256GCM"}`, 200,
			storage.AuditRecord{Action: audit.AppChanged, ClientID: "chat", Detail: map[string]string{"jwks_uri": "https://chat.example/jwks.json",
				"introspection_signed_response_alg": "ES256", "introspection_encrypted_response_alg": "ECDH-ES+A128KW", "introspection_encrypted_response_enc": "A256GCM"}},
			func(t *testing.T, s *memory.Store) {
				if c, _ := s.GetClient(t.Context(), "chat"); c.JWKSURI != "https://chat.example/jwks.json" || c.IntrospectionAlg() != "ES256" || c.IntrospectionEnc() != "A256GCM" {
					t.Errorf("the app's keys %q, introspection %s/%s", c.JWKSURI, c.IntrospectionAlg(), c.IntrospectionEnc())
				}
			}},
		{"registering a back-channel logout URI is app.changed with it", "PATCH", "/admin/api/v1/apps/chat",
			`{"backchannel_logout_uri":"https://chat.example/backchannel-logout","backchannel_logout_session_required":true}`, 200,
			storage.AuditRecord{Action: audit.AppChanged, ClientID: "chat", Detail: map[string]string{
				"backchannel_logout_uri": "https://chat.example/backchannel-logout", "backchannel_logout_session_required": "true"}},
			func(t *testing.T, s *memory.Store) {
				if c, _ := s.GetClient(t.Context(), "chat"); c.BackchannelLogoutURI != "https://chat.example/backchannel-logout" || !c.BackchannelLogoutSessionRequired {
					t.Errorf("the app's back-channel logout: %q, session required %v", c.BackchannelLogoutURI, c.BackchannelLogoutSessionRequired)
				}
			}},
		{"setting an app's origins and reuse window is app.changed with both, origins normalised", "PATCH", "/admin/api/v1/apps/chat",
			`{"allowed_origins":["https://Chat.example:443","http://localhost:5173"],"refresh_token_reuse_window":"30s"}`, 200,
			storage.AuditRecord{Action: audit.AppChanged, ClientID: "chat", Detail: map[string]string{
				"allowed_origins": "https://chat.example http://localhost:5173", "refresh_token_reuse_window": "30s"}},
			func(t *testing.T, s *memory.Store) {
				c, _ := s.GetClient(t.Context(), "chat")
				if !slices.Equal(c.AllowedOrigins, []string{"https://chat.example", "http://localhost:5173"}) || c.RefreshReuseWindow == nil || *c.RefreshReuseWindow != 30*time.Second {
					t.Errorf("the app's origins %q, reuse window %v", c.AllowedOrigins, c.RefreshReuseWindow)
				}
			}},
		{"an empty reuse window gives the app the provider's again", "PATCH", "/admin/api/v1/apps/chat",
			`{"refresh_token_reuse_window":"","allowed_origins":[]}`, 200,
			storage.AuditRecord{Action: audit.AppChanged, ClientID: "chat", Detail: map[string]string{"allowed_origins": "", "refresh_token_reuse_window": ""}},
			func(t *testing.T, s *memory.Store) {
				if c, _ := s.GetClient(t.Context(), "chat"); c.RefreshReuseWindow != nil || len(c.AllowedOrigins) != 0 {
					t.Errorf("the app's origins %q, reuse window %v", c.AllowedOrigins, c.RefreshReuseWindow)
				}
			}},
		{"deleting an app is app.deleted", "DELETE", "/admin/api/v1/apps/bot", "", 204,
			storage.AuditRecord{Action: audit.AppDeleted, ClientID: "bot"}, nil},
		{"rotating a secret is secret.rotated", "POST", "/admin/api/v1/apps/chat/secrets", "", 201,
			storage.AuditRecord{Action: audit.SecretRotated, ClientID: "chat"}, nil},
		{"revoking a grant is consent.withdrawn with its scopes", "DELETE", "/admin/api/v1/grants/u-ann/chat", "", 204,
			storage.AuditRecord{Action: audit.ConsentWithdrawn, Subject: "u-ann", ClientID: "chat", Scopes: []string{"openid", "im:calls.read"},
				Reason: "by_admin", Detail: map[string]string{"tokens_revoked": "0"}},
			func(t *testing.T, s *memory.Store) {
				if _, err := s.GetConsent(t.Context(), "u-ann", "chat"); err == nil {
					t.Errorf("the grant is still there")
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, store := fixture(t)
			mux := http.NewServeMux()
			a.Mount(mux)
			req := httptest.NewRequestWithContext(t.Context(), tc.method, tc.path, strings.NewReader(tc.body))
			req.Header.Set("Authorization", "Bearer x")
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, req)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			recs := records(t, store)
			if len(recs) != 1 {
				t.Fatalf("want exactly one record, have %d: %+v", len(recs), recs)
			}
			tc.want.Outcome, tc.want.ActorType, tc.want.ActorID = audit.Success, audit.ActorClient, "ops-bot"
			ignore := cmpopts.IgnoreFields(storage.AuditRecord{}, "ID", "Time")
			if tc.want.Action == audit.SecretRotated {
				ignore = cmpopts.IgnoreFields(storage.AuditRecord{}, "ID", "Time", "Detail")
			}
			if diff := cmp.Diff(tc.want, recs[0], ignore, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
			if tc.check != nil {
				tc.check(t, store)
			}
		})
	}
}

// TestActionsRecordOnce covers the actions the API does not offer: each
// is one record, actor the console's administrator.
func TestActionsRecordOnce(t *testing.T) {
	by := ByUser("u-admin")
	for _, tc := range []struct {
		name string
		run  func(ctx context.Context, a *API, s *memory.Store) error
		want storage.AuditRecord
	}{
		{"resetting MFA is mfa.reset and clears TOTP and recovery codes", func(ctx context.Context, a *API, s *memory.Store) error {
			if err := a.ResetMFA(ctx, by, "u-ann"); err != nil {
				return err
			}
			if u, _ := s.GetUser(ctx, "u-ann"); u.TOTPEnabled || u.TOTPSecret != nil || len(u.RecoveryCodes) != 0 {
				t.Errorf("MFA left on: %+v", u)
			}
			return nil
		}, storage.AuditRecord{Action: audit.MFAReset, Subject: "u-ann"}},
		{"signing out everywhere is signout.all", func(ctx context.Context, a *API, s *memory.Store) error {
			return a.SignOutEverywhere(ctx, by, "u-ann")
		}, storage.AuditRecord{Action: audit.SignOutEverywhere, Subject: "u-ann", Detail: map[string]string{"sessions_ended": "0", "tokens_revoked": "0"}}},
		{"enabling a disabled user is user.enabled", func(ctx context.Context, a *API, s *memory.Store) error {
			if _, err := s.UpdateUser(ctx, "u-ann", func(u storage.User) (storage.User, error) { u.Status = storage.UserDisabled; return u, nil }); err != nil {
				return err
			}
			active := storage.UserActive
			_, err := a.ChangeUser(ctx, by, "u-ann", UserChange{Status: &active})
			return err
		}, storage.AuditRecord{Action: audit.UserEnabled, Subject: "u-ann"}},
		{"activating a pending user is user.activated", func(ctx context.Context, a *API, s *memory.Store) error {
			if _, err := s.UpdateUser(ctx, "u-ann", func(u storage.User) (storage.User, error) { u.Status = storage.UserPending; return u, nil }); err != nil {
				return err
			}
			active := storage.UserActive
			_, err := a.ChangeUser(ctx, by, "u-ann", UserChange{Status: &active})
			return err
		}, storage.AuditRecord{Action: audit.UserActivated, Subject: "u-ann"}},
		{"revoking a secret is secret.revoked", func(ctx context.Context, a *API, s *memory.Store) error {
			if _, _, err := a.RotateSecret(ctx, ByClient("setup"), "chat", apikey.Policy{}); err != nil {
				return err
			}
			c, _ := s.GetClient(ctx, "chat")
			return a.RevokeSecret(ctx, by, "chat", c.Secrets[0].ID)
		}, storage.AuditRecord{Action: audit.SecretRevoked, ClientID: "chat"}},
		{"an export is audit.exported with its filter", func(ctx context.Context, a *API, s *memory.Store) error {
			return a.RecordExport(ctx, by, storage.AuditFilter{Subject: "u-ann", Actions: []string{audit.SignIn}}, audit.FormatCSV)
		}, storage.AuditRecord{Action: audit.AuditExported, Subject: "u-ann", Detail: map[string]string{"format": "csv", "filter_actions": "signin"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, store := fixture(t)
			if err := tc.run(t.Context(), a, store); err != nil {
				t.Fatal(err)
			}
			recs := records(t, store)
			recs = slices.DeleteFunc(recs, func(r storage.AuditRecord) bool { return r.ActorID == "setup" })
			if len(recs) != 1 {
				t.Fatalf("want exactly one record, have %d: %+v", len(recs), recs)
			}
			tc.want.Outcome, tc.want.ActorType, tc.want.ActorID = audit.Success, audit.ActorUser, "u-admin"
			ignore := []string{"ID", "Time"}
			if tc.want.Action == audit.SecretRevoked {
				ignore = append(ignore, "Detail")
			}
			if diff := cmp.Diff(tc.want, recs[0], cmpopts.IgnoreFields(storage.AuditRecord{}, ignore...), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFailedChangeLeavesNoRecord: a change refused by the store rolls its
// record back with it.
func TestUnknownTokenFormatIsRefused(t *testing.T) {
	a, store := fixture(t)
	mux := http.NewServeMux()
	a.Mount(mux)
	req := httptest.NewRequestWithContext(t.Context(), "PATCH", "/admin/api/v1/apps/chat", strings.NewReader(`{"access_token_format":"paseto"}`))
	req.Header.Set("Authorization", "Bearer x")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "invalid_request") {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if recs := records(t, store); len(recs) != 0 {
		t.Fatalf("a refused change left records: %+v", recs)
	}
	if err := a.SetAppOptions(t.Context(), ByUser("u-admin"), "chat", AppOptions{AccessTokenFormat: ptr(storage.AccessTokenFormat("paseto"))}); !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("the action accepted an unknown format: %v", err)
	}
}

// TestBadAppOptionsAreRefused: an app option the API refuses is a 400
// naming the field, and changes nothing.
func TestBadAppOptionsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name, body, field string
	}{
		{"plain http to a public host", `{"backchannel_logout_uri":"http://chat.example/logout"}`, "backchannel_logout_uri"},
		{"a fragment", `{"backchannel_logout_uri":"https://chat.example/logout#x"}`, "backchannel_logout_uri"},
		{"a relative URI", `{"backchannel_logout_uri":"/logout"}`, "backchannel_logout_uri"},
		{"a session required without a URI", `{"backchannel_logout_session_required":true}`, "backchannel_logout_session_required"},
		{"a URI removed while a session is required", `{"backchannel_logout_uri":"","backchannel_logout_session_required":true}`, "backchannel_logout_session_required"},
		{"an ID token algorithm without a key", `{"id_token_signed_response_alg":"PS256"}`, "id_token_signed_response_alg"},
		{"unsigned ID tokens", `{"id_token_signed_response_alg":"none"}`, "id_token_signed_response_alg"},
		{"an algorithm in lower case", `{"id_token_signed_response_alg":"es256"}`, "id_token_signed_response_alg"},
		{"an empty algorithm", `{"id_token_signed_response_alg":""}`, "id_token_signed_response_alg"},
		{"encrypted introspection without keys", `{"introspection_encrypted_response_alg":"ECDH-ES"}`, "jwks_uri"},
		{"keys for nothing", `{"jwks_uri":"https://chat.example/jwks.json"}`, "jwks_uri"},
		{"keys over plain http", `{"jwks_uri":"http://chat.example/jwks.json","introspection_encrypted_response_alg":"ECDH-ES"}`, "jwks_uri"},
		{"RSA1_5 for introspection answers", `{"jwks_uri":"https://chat.example/jwks.json","introspection_encrypted_response_alg":"RSA1_5"}`, "introspection_encrypted_response_alg"},
		{"a content encryption alone", `{"introspection_encrypted_response_enc":"A128GCM"}`, "introspection_encrypted_response_enc"},
		{"unsigned introspection answers", `{"introspection_signed_response_alg":"none"}`, "introspection_signed_response_alg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, store := fixture(t)
			before, err := store.GetClient(t.Context(), "chat")
			if err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			a.Mount(mux)
			req := httptest.NewRequestWithContext(t.Context(), "PATCH", "/admin/api/v1/apps/chat", strings.NewReader(tc.body))
			req.Header.Set("Authorization", "Bearer x")
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, req)
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"invalid_request"`) || !strings.Contains(w.Body.String(), tc.field+": ") {
				t.Fatalf("status %d: %s; want 400 invalid_request naming %s", w.Code, w.Body, tc.field)
			}
			if recs := records(t, store); len(recs) != 0 {
				t.Fatalf("a refused change left records: %+v", recs)
			}
			if after, _ := store.GetClient(t.Context(), "chat"); !cmp.Equal(after, before) {
				t.Fatalf("a refused change was stored (-before +after):\n%s", cmp.Diff(before, after))
			}
		})
	}
}

func TestBadOriginAndReuseWindowOptionsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name, body, field string
	}{
		{"an origin with a path", `{"allowed_origins":["https://chat.example/app"]}`, "allowed_origins"},
		{"a wildcard origin", `{"allowed_origins":["https://ok.example","*"]}`, "allowed_origins"},
		{"the null origin", `{"allowed_origins":["null"]}`, "allowed_origins"},
		{"a plain http origin", `{"allowed_origins":["http://chat.example"]}`, "allowed_origins"},
		{"a reuse window over a minute", `{"refresh_token_reuse_window":"2m"}`, "refresh_token_reuse_window"},
		{"a negative reuse window", `{"refresh_token_reuse_window":"-1s"}`, "refresh_token_reuse_window"},
		{"a reuse window that is not a duration", `{"refresh_token_reuse_window":"soon"}`, "refresh_token_reuse_window"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, store := fixture(t)
			mux := http.NewServeMux()
			a.Mount(mux)
			req := httptest.NewRequestWithContext(t.Context(), "PATCH", "/admin/api/v1/apps/chat", strings.NewReader(tc.body))
			req.Header.Set("Authorization", "Bearer x")
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, req)
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"invalid_request"`) || !strings.Contains(w.Body.String(), tc.field+": ") {
				t.Fatalf("status %d: %s; want 400 invalid_request naming %s", w.Code, w.Body, tc.field)
			}
			if recs := records(t, store); len(recs) != 0 {
				t.Fatalf("a refused change left records: %+v", recs)
			}
			if c, _ := store.GetClient(t.Context(), "chat"); len(c.AllowedOrigins) != 0 || c.RefreshReuseWindow != nil {
				t.Fatalf("a refused change was stored: %q %v", c.AllowedOrigins, c.RefreshReuseWindow)
			}
		})
	}
}

func TestPAROfAServiceIsRefused(t *testing.T) {
	a, store := fixture(t)
	mux := http.NewServeMux()
	a.Mount(mux)
	req := httptest.NewRequestWithContext(t.Context(), "PATCH", "/admin/api/v1/apps/bot", strings.NewReader(`{"require_pushed_authorization_requests":true}`))
	req.Header.Set("Authorization", "Bearer x")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "require_pushed_authorization_requests: ") {
		t.Fatalf("status %d: %s; want 400 naming require_pushed_authorization_requests", w.Code, w.Body)
	}
	if recs := records(t, store); len(recs) != 0 {
		t.Fatalf("a refused change left records: %+v", recs)
	}
	if c, _ := store.GetClient(t.Context(), "bot"); c.RequirePAR {
		t.Fatal("a service requires pushed requests")
	}
	if err := a.SetAppOptions(t.Context(), ByUser("u-admin"), "bot", AppOptions{RequirePAR: ptr(false)}); err != nil {
		t.Fatalf("a service not requiring pushed requests: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestFailedChangeLeavesNoRecord(t *testing.T) {
	a, store := fixture(t)
	if err := a.RevokeSecret(t.Context(), ByUser("u-admin"), "chat", "no-such-secret"); err == nil {
		t.Fatal("revoking an unknown secret succeeded")
	}
	if err := a.RevokeGrant(t.Context(), ByUser("u-admin"), "u-ann", "bot"); err == nil {
		t.Fatal("revoking an absent grant succeeded")
	}
	if recs := records(t, store); len(recs) != 0 {
		t.Fatalf("records of failed changes: %+v", recs)
	}
}
