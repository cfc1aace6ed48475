package scim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/scim"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

const (
	userSchema  = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
	listSchema  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	errSchema   = "urn:ietf:params:scim:api:messages:2.0:Error"
	base        = "https://id.example.com/scim/v2"
)

// fixture is the SCIM endpoints over a memory store holding workspaces
// acme (w1) and other (w2), with a token for each.
type fixture struct {
	store       *memory.Store
	tokens      *scim.Tokens
	handler     http.Handler
	acme, other string
	now         time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{store: memory.New(), now: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	now := func() time.Time { return f.now }
	for _, w := range []storage.Workspace{{ID: "w1", Handle: "acme", Name: "Acme"}, {ID: "w2", Handle: "other", Name: "Other"}} {
		if err := f.store.CreateWorkspace(t.Context(), w); err != nil {
			t.Fatal(err)
		}
	}
	ring, err := secret.NewKeyring("scim-test-system-secret-0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	records := audit.NewRecorder(audit.RecorderConfig{Store: f.store, Now: now})
	f.tokens = scim.NewTokens(scim.TokensConfig{Store: f.store, Hasher: secret.NewHasherFor(ring, scim.Purpose), Audit: records, Now: now})
	cli := scim.Actor{Type: audit.ActorCLI}
	if f.acme, _, err = f.tokens.Create(t.Context(), cli, "w1", "Entra ID", 0); err != nil {
		t.Fatal(err)
	}
	if f.other, _, err = f.tokens.Create(t.Context(), cli, "w2", "Okta", 0); err != nil {
		t.Fatal(err)
	}
	h, err := scim.New(scim.Config{
		Members:  scim.NewStore(f.store, records, workspace.TokenRevoker{Tokens: f.store}, now),
		Groups:   scim.NewStore(f.store, records, workspace.TokenRevoker{Tokens: f.store}, now),
		Tokens:   f.tokens,
		Throttle: throttle.New(f.store, throttle.Policy{Free: 3, Base: time.Minute, Max: time.Hour, ForgetAfter: time.Hour}, now),
		BaseURL:  base,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(reqctx.With(r.Context(), "req-1", "192.0.2.7", "test")))
	})
	return f
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends a request with the token and returns the reply.
func (f *fixture) do(t *testing.T, token, method, path, body string) reply {
	t.Helper()
	r := httptest.NewRequest(method, "http://id.example.com/scim/v2"+path, strings.NewReader(body))
	if body == "" {
		r.Body = http.NoBody
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	r.Header.Set("Content-Type", "application/scim+json")
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, r)
	raw, _ := io.ReadAll(w.Body)
	out := reply{status: w.Code, header: w.Header(), raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			t.Fatalf("%s %s: reply is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return out
}

func (r reply) want(t *testing.T, what string, status int) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.status, status, r.raw)
	}
	return r
}

// schemas returns the reply's schemas.
func (r reply) schemas() []string {
	var out []string
	list, _ := r.body["schemas"].([]any)
	for _, s := range list {
		out = append(out, s.(string))
	}
	return out
}

func (r reply) str(key string) string { s, _ := r.body[key].(string); return s }

// wantError checks a SCIM error reply (RFC 7644 section 3.12).
func (r reply) wantError(t *testing.T, what string, status int, scimType string) {
	t.Helper()
	r.want(t, what, status)
	if got := r.schemas(); len(got) != 1 || got[0] != errSchema {
		t.Errorf("%s: schemas %v, want the error schema", what, got)
	}
	if r.str("status") != http.StatusText(status) && r.str("status") != itoa(status) {
		t.Errorf("%s: status member %q, want %d", what, r.str("status"), status)
	}
	if scimType != "" && r.str("scimType") != scimType {
		t.Errorf("%s: scimType %q, want %q", what, r.str("scimType"), scimType)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// resources returns a list response's resources, checking its shape.
func (r reply) resources(t *testing.T, what string, total int) []map[string]any {
	t.Helper()
	r.want(t, what, http.StatusOK)
	if got := r.schemas(); len(got) != 1 || got[0] != listSchema {
		t.Fatalf("%s: schemas %v, want the ListResponse schema", what, got)
	}
	if n, _ := r.body["totalResults"].(float64); int(n) != total {
		t.Fatalf("%s: totalResults %v, want %d\n%s", what, r.body["totalResults"], total, r.raw)
	}
	list, ok := r.body["Resources"].([]any)
	if !ok {
		t.Fatalf("%s: Resources is %T, want a list\n%s", what, r.body["Resources"], r.raw)
	}
	var out []map[string]any
	for _, x := range list {
		out = append(out, x.(map[string]any))
	}
	return out
}

// audited returns the records, newest first.
func (f *fixture) audited(t *testing.T) []storage.AuditRecord {
	t.Helper()
	recs, err := f.store.ListAudit(t.Context(), storage.AuditFilter{}, storage.AuditCursor{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
