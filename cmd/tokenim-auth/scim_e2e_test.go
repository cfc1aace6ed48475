package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// scimCall sends a SCIM request to the provider and returns the status
// and the decoded body.
func scimCall(t *testing.T, p running, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, p.issuer+"/scim/v2"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %s", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, out
}

// An operator makes a SCIM token with the command line; a directory then
// provisions, finds, suspends and removes a member over HTTP, and a
// revoked token stops working.
func TestSCIMProvisioning(t *testing.T) {
	t.Parallel()
	p := startProvider(t, pgtest.MigratedURL(t))
	r := runCmd(t, p.vars, "", "scim-tokens", "create", "--config", p.config, "--workspace", "default", "--name", "Entra ID", "--output", "json")
	if r.code != 0 {
		t.Fatalf("scim-tokens create: exit %d\n%s", r.code, r.stderr)
	}
	var made struct{ ID, Token string }
	if err := json.Unmarshal([]byte(r.stdout), &made); err != nil || !strings.HasPrefix(made.Token, "tkm_scim_") {
		t.Fatalf("scim-tokens create printed %q (%v)", r.stdout, err)
	}

	status, created := scimCall(t, p, made.Token, "POST", "/Users",
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"zoe@example.com","externalId":"e-1","displayName":"Zoe"}`)
	if status != http.StatusCreated {
		t.Fatalf("create user: %d %v", status, created)
	}
	id, _ := created["id"].(string)
	status, list := scimCall(t, p, made.Token, "GET", "/Users?filter="+url.QueryEscape(`userName eq "zoe@example.com"`), "")
	if status != http.StatusOK || list["totalResults"] != float64(1) {
		t.Fatalf("find user: %d %v", status, list)
	}
	status, patched := scimCall(t, p, made.Token, "PATCH", "/Users/"+id,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	if status != http.StatusOK || patched["active"] != false {
		t.Fatalf("suspend: %d %v", status, patched)
	}
	m, err := storeOf(t, p.vars).GetMember(t.Context(), storage.DefaultWorkspaceID, id)
	if err != nil || !m.Suspended || m.ExternalID != "e-1" {
		t.Fatalf("membership after suspension: %+v, %v", m, err)
	}

	list2 := runCmd(t, p.vars, "", "scim-tokens", "list", "--config", p.config, "--workspace", "default")
	if list2.code != 0 || !strings.Contains(list2.stdout, made.ID) || strings.Contains(list2.stdout, made.Token) {
		t.Fatalf("scim-tokens list: exit %d\n%s%s", list2.code, list2.stdout, list2.stderr)
	}
	if r := runCmd(t, p.vars, "", "scim-tokens", "revoke", "--config", p.config, "--workspace", "default", made.ID); r.code != 0 {
		t.Fatalf("scim-tokens revoke: exit %d\n%s", r.code, r.stderr)
	}
	if status, body := scimCall(t, p, made.Token, "GET", "/Users/"+id, ""); status != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d %v", status, body)
	}
	if r := runCmd(t, p.vars, "", "scim-tokens", "create", "--config", p.config, "--workspace", "nope"); r.code == 0 || !strings.Contains(r.stderr, "nope") {
		t.Fatalf("scim-tokens create for an unknown workspace: exit %d\n%s", r.code, r.stderr)
	}
}

// On the memory store the SCIM endpoints answer, and refuse a request
// without a token with a SCIM error; tokens are made on Postgres only,
// where the command line reaches the provider's store.
func TestSCIMMemory(t *testing.T) {
	t.Parallel()
	p := startProvider(t, "memory")
	status, body := scimCall(t, p, "tkm_scim_nothing", "GET", "/Users", "")
	if status != http.StatusUnauthorized || body["status"] != "401" {
		t.Fatalf("without a valid token: %d %v", status, body)
	}
	if r := runCmd(t, p.vars, "", "scim-tokens", "create", "--config", p.config, "--workspace", "default"); r.code == 0 || !strings.Contains(r.stderr, "memory") {
		t.Fatalf("scim-tokens create on the memory store: exit %d\n%s", r.code, r.stderr)
	}
}
