package account

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/passkey"
	"github.com/tokenim/tokenim-auth/provider/passkey/passkeytest"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
)

// testOrigin is the origin of the provider's pages in these tests.
const testOrigin = "https://auth.tokenim.example"

// postJSON posts v as the passkey script does.
func (h *harness) postJSON(t *testing.T, path string, v any, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return webtest.Serve(h.mux, req, header...)
}

// register runs the passkey script's registration with a, naming the
// passkey name, and returns the final answer.
func (h *harness) register(t *testing.T, a *passkeytest.Authenticator, name string, header ...string) (*httptest.ResponseRecorder, *passkeytest.Credential) {
	t.Helper()
	w := h.postJSON(t, "/account/passkeys/options", map[string]string{}, header...)
	var opts struct {
		PublicKey map[string]any `json:"publicKey"`
		State     string         `json:"state"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &opts); w.Code != http.StatusOK || err != nil {
		t.Fatalf("options: %d %s", w.Code, w.Body)
	}
	resp, cred := a.Create(t, opts.PublicKey)
	return h.postJSON(t, "/account/passkeys", map[string]any{"state": opts.State, "name": name, "credential": json.RawMessage(resp)}, header...), cred
}

func answer(t *testing.T, w *httptest.ResponseRecorder) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("%d %q: %v", w.Code, w.Body, err)
	}
	return m
}

func TestAddPasskey(t *testing.T) {
	t.Parallel()
	for name, open := range stores() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarnessOn(t, open(t), nil)
			phone := &passkeytest.Authenticator{Origin: testOrigin, Verify: true, Synced: true}
			w, cred := h.register(t, phone, "  Ann's phone ")
			if w.Code != http.StatusOK || answer(t, w)["redirect"] != "/account?added=passkey" {
				t.Fatalf("adding a passkey: %d %s", w.Code, w.Body)
			}
			list, err := h.store.ListPasskeys(t.Context(), h.user.ID)
			if err != nil || len(list) != 1 || list[0].Name != "Ann's phone" || !list[0].BackupEligible {
				t.Fatalf("passkeys %+v, %v", list, err)
			}
			recs := h.records(t, audit.PasskeyRegistered)
			if len(recs) != 1 || recs[0].Subject != h.user.ID || recs[0].Detail["passkey"] != passkey.ShortRef(cred.ID) || recs[0].Detail["name"] != "Ann's phone" {
				t.Fatalf("records %+v", recs)
			}
			webtest.WantPage(t, h.get(t, "/account?added=passkey"), http.StatusOK, "Passkey added. You can now sign in with it.", "Ann&#39;s phone")

			// The next registration's options exclude it, so that the
			// authenticator holding it says so rather than make another.
			w = h.postJSON(t, "/account/passkeys/options", map[string]string{})
			if !strings.Contains(w.Body.String(), `"excludeCredentials":[{"type":"public-key","id":"`+passkey.Ref(cred.ID)+`"`) {
				t.Fatalf("the next options do not exclude the passkey: %s", w.Body)
			}
		})
	}
}

func TestAddPasskeyRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	key := &passkeytest.Authenticator{Origin: testOrigin}
	for _, c := range []struct {
		name, passkeyName string
		a                 *passkeytest.Authenticator
		header            []string
		status            int
		want              string
	}{
		{"no name", "  ", key, nil, http.StatusBadRequest, "Give the passkey a name"},
		{"a name too long", strings.Repeat("名", 65), key, nil, http.StatusBadRequest, "64"},
		{"another site's page", "Phone", &passkeytest.Authenticator{Origin: "https://auth.tokenim.example.evil.test"}, nil, http.StatusBadRequest, "not TokenIM's sign-in page"},
		{"another site's page, in Chinese", "Phone", &passkeytest.Authenticator{Origin: "https://evil.test"}, []string{"Accept-Language", "zh-CN"}, http.StatusBadRequest, "非 TokenIM 登录页面"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, _ := h.register(t, c.a, c.passkeyName, c.header...)
			if w.Code != c.status || !strings.Contains(answer(t, w)["error"], c.want) {
				t.Fatalf("%d %s, want %d with %q", w.Code, w.Body, c.status, c.want)
			}
		})
	}
	t.Run("not JSON, a forged state", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/account/passkeys", strings.NewReader("name=x"))
		if w := webtest.Serve(h.mux, req); w.Code != http.StatusBadRequest {
			t.Fatalf("a form post: %d", w.Code)
		}
		w := h.postJSON(t, "/account/passkeys", map[string]any{"state": "AAAA", "name": "x", "credential": map[string]string{}})
		if w.Code != http.StatusBadRequest || !strings.Contains(answer(t, w)["error"], "took too long") {
			t.Fatalf("a forged state: %d %s", w.Code, w.Body)
		}
	})
	if list, _ := h.store.ListPasskeys(t.Context(), h.user.ID); len(list) != 0 {
		t.Fatalf("refused passkeys stored: %+v", list)
	}
}
