package scim_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/storage"
)

const patchOp = `"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`

// filterPath is path?filter=… with the filter escaped as a client does.
func filterPath(path, f string, extra ...string) string {
	q := "filter=" + url.QueryEscape(f)
	for _, e := range extra {
		q += "&" + e
	}
	return path + "?" + q
}

// The Entra ID provisioning cycle, as Microsoft documents its requests:
// look the user up by userName, create it, find it, disable it with
// Entra's string "False", enable it, delete it.
func TestEntraUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	lookup := filterPath("/Users", `userName eq "Test_User_ab6490ee@testuser.com"`)
	if got := f.do(t, f.acme, "GET", lookup, "").resources(t, "lookup before", 0); len(got) != 0 {
		t.Fatalf("lookup before: %v", got)
	}
	created := f.do(t, f.acme, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
		"userName": "Test_User_ab6490ee@testuser.com",
		"active": true,
		"emails": [{"primary": true, "type": "work", "value": "Test_User_fd0ea19b@testuser.com"}],
		"meta": {"resourceType": "User"},
		"name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
		"roles": [],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "Test_User_3a15d8b8", "department": "Test_User_e08c1ea7"}
	}`).want(t, "create", http.StatusCreated)
	id := created.str("id")
	if s := created.schemas(); len(s) == 0 || s[0] != userSchema {
		t.Errorf("create: schemas %v, want the User schema first", s)
	}
	if created.str("userName") != "Test_User_ab6490ee@testuser.com" || created.body["active"] != true ||
		created.str("externalId") != "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef" || created.str("displayName") != "givenName familyName" {
		t.Errorf("create: %s", created.raw)
	}
	if loc := created.header.Get("Location"); loc != base+"/Users/"+id {
		t.Errorf("create: Location %q, want %q", loc, base+"/Users/"+id)
	}
	if meta, _ := created.body["meta"].(map[string]any); meta["resourceType"] != "User" {
		t.Errorf("create: meta %v", created.body["meta"])
	}
	f.do(t, f.acme, "POST", "/Users", `{"schemas":["`+userSchema+`"],"userName":"test_user_ab6490ee@testuser.com"}`).
		wantError(t, "create again", http.StatusConflict, "uniqueness")

	found := f.do(t, f.acme, "GET", lookup, "").resources(t, "lookup after", 1)
	if found[0]["id"] != id {
		t.Errorf("lookup found %v, want %s", found[0]["id"], id)
	}
	byExternal := f.do(t, f.acme, "GET", filterPath("/Users", `externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`), "").resources(t, "by externalId", 1)
	if byExternal[0]["id"] != id {
		t.Errorf("by externalId found %v", byExternal[0]["id"])
	}
	m, err := f.store.GetMember(t.Context(), "w1", id)
	if err != nil || m.Suspended || m.Role != storage.WorkspaceMember {
		t.Fatalf("membership after create: %+v, %v", m, err)
	}

	// A browser session and the user's tokens of the workspace end when
	// Entra disables it; a token of another workspace lives on.
	if err := f.store.CreateLoginSession(t.Context(), storage.LoginSession{ID: "s1", UserID: id, AuthTime: f.now, CreatedAt: f.now, ExpiresAt: f.now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateClient(t.Context(), storage.Client{ID: "chat", Name: "Chat", Type: storage.ClientPublic}); err != nil {
		t.Fatal(err)
	}
	for _, ws := range []string{"w1", "w2"} {
		tok := storage.Token{Kind: storage.KindAccessToken, Signature: "at-" + ws, RequestID: "r-" + ws, ClientID: "chat", Subject: id,
			WorkspaceID: ws, Active: true, RequestedAt: f.now, ExpiresAt: f.now.Add(time.Hour)}
		if err := f.store.CreateToken(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
	}
	disabled := f.do(t, f.acme, "PATCH", "/Users/"+id, `{`+patchOp+`,"Operations":[
		{"op":"Replace","path":"active","value":"False"}]}`).want(t, "disable", http.StatusOK)
	if disabled.body["active"] != false {
		t.Errorf("disable: active %v", disabled.body["active"])
	}
	if m, _ := f.store.GetMember(t.Context(), "w1", id); !m.Suspended {
		t.Errorf("the membership is not suspended after active=False")
	}
	if left, _ := f.store.ListLoginSessions(t.Context(), id); len(left) != 0 {
		t.Errorf("sessions after the user was disabled: %v", left)
	}
	for ws, active := range map[string]bool{"w1": false, "w2": true} {
		if tok, err := f.store.GetToken(t.Context(), storage.KindAccessToken, "at-"+ws); err != nil || tok.Active != active {
			t.Errorf("token of %s after the suspension in w1: active %v (%v), want %v", ws, tok.Active, err, active)
		}
	}
	recs := f.audited(t)
	if recs[0].Action != audit.SCIMUserSuspended || recs[0].ActorType != audit.ActorSCIM || recs[0].Subject != id ||
		recs[0].WorkspaceID != "w1" || recs[0].Detail["sessions_ended"] != "1" {
		t.Errorf("record of the suspension: %+v", recs[0])
	}
	enabled := f.do(t, f.acme, "PATCH", "/Users/"+id, `{`+patchOp+`,"Operations":[
		{"op":"Replace","path":"active","value":"True"},
		{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"},
		{"op":"Add","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},
		{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Sales"}]}`).
		want(t, "enable", http.StatusOK)
	if enabled.body["active"] != true {
		t.Errorf("enable: %s", enabled.raw)
	}
	if a := f.audited(t)[0].Action; a != audit.SCIMUserReactivated {
		t.Errorf("last record %s, want %s", a, audit.SCIMUserReactivated)
	}

	f.do(t, f.acme, "DELETE", "/Users/"+id, "").want(t, "delete", http.StatusNoContent)
	f.do(t, f.acme, "GET", "/Users/"+id, "").wantError(t, "get deleted", http.StatusNotFound, "")
	if _, err := f.store.GetUser(t.Context(), id); err != nil {
		t.Errorf("the account went with its membership: %v", err)
	}
	if _, err := f.store.GetMember(t.Context(), storage.DefaultWorkspaceID, id); err != nil {
		t.Errorf("the account's default membership went too: %v", err)
	}
}

// The Okta provisioning cycle, as Okta documents its requests: check the
// user exists (startIndex, count), create, read, deactivate with PUT,
// reactivate and deactivate with PATCH without a path.
func TestOktaUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	exists := f.do(t, f.acme, "GET", filterPath("/Users", `userName eq "test.user@okta.local"`, "startIndex=1", "count=100"), "")
	exists.resources(t, "user exists", 0)
	if exists.body["startIndex"] != float64(1) || exists.body["itemsPerPage"] != float64(100) {
		t.Errorf("user exists: %s", exists.raw)
	}
	created := f.do(t, f.acme, "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "test.user@okta.local",
		"name": {"givenName": "Test", "familyName": "User"},
		"emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
		"displayName": "Test User",
		"locale": "en-US",
		"externalId": "00ujl29u0le5T6Aj10h7",
		"groups": [],
		"password": "1mz050nq",
		"active": true
	}`).want(t, "create", http.StatusCreated)
	id := created.str("id")
	got := f.do(t, f.acme, "GET", "/Users/"+id, "").want(t, "read", http.StatusOK)
	if got.str("userName") != "test.user@okta.local" || got.str("displayName") != "Test User" {
		t.Errorf("read: %s", got.raw)
	}
	put := f.do(t, f.acme, "PUT", "/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "`+id+`",
		"userName": "test.user@okta.local",
		"name": {"givenName": "Another", "familyName": "User"},
		"emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
		"active": false
	}`).want(t, "deactivate with PUT", http.StatusOK)
	if put.body["active"] != false || put.str("displayName") != "Another User" {
		t.Errorf("deactivate with PUT: %s", put.raw)
	}
	for _, active := range []string{"true", "false"} {
		p := f.do(t, f.acme, "PATCH", "/Users/"+id, `{`+patchOp+`,"Operations":[{"op":"replace","value":{"active":`+active+`}}]}`).
			want(t, "PATCH active="+active, http.StatusOK)
		if p.body["active"] != (active == "true") {
			t.Errorf("PATCH active=%s: %s", active, p.raw)
		}
	}
	// The PUT replaced the whole user: its externalId, absent there, went
	// (RFC 7644 section 3.5.1).
	if m, _ := f.store.GetMember(t.Context(), "w1", id); !m.Suspended || m.ExternalID != "" {
		t.Errorf("membership at the end: %+v", m)
	}
}

// Creating a user whose email has an account attaches that account; its
// email never changes through SCIM, and its name only when no other
// workspace shares it.
func TestExistingAccount(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ann := storage.User{ID: "ann", Email: "ann@example.com", Name: "Ann Lee", Status: storage.UserActive, CreatedAt: f.now}
	if err := f.store.CreateUser(t.Context(), ann); err != nil {
		t.Fatal(err)
	}
	if err := f.store.AddMember(t.Context(), storage.Member{WorkspaceID: "w2", UserID: "ann"}); err != nil {
		t.Fatal(err)
	}
	created := f.do(t, f.acme, "POST", "/Users", `{"schemas":["`+userSchema+`"],"userName":"ANN@example.com","displayName":"Mallory"}`).
		want(t, "attach", http.StatusCreated)
	if created.str("id") != "ann" || created.str("displayName") != "Ann Lee" {
		t.Errorf("attach: %s", created.raw)
	}
	f.do(t, f.acme, "PATCH", "/Users/ann", `{`+patchOp+`,"Operations":[{"op":"replace","path":"displayName","value":"Mallory"}]}`).
		want(t, "rename a shared account", http.StatusOK)
	f.do(t, f.acme, "PATCH", "/Users/ann", `{`+patchOp+`,"Operations":[{"op":"replace","path":"userName","value":"mallory@evil.test"}]}`).
		wantError(t, "change the email", http.StatusBadRequest, "mutability")
	if u, _ := f.store.GetUser(t.Context(), "ann"); u.Email != ann.Email || u.Name != ann.Name {
		t.Errorf("the shared account changed: %+v", u)
	}
	if recs := f.audited(t); recs[0].Action != audit.SCIMUserProvisioned || recs[0].Detail["created"] != "false" {
		t.Errorf("record of the attachment: %+v", recs[0])
	}
}

// A token of one workspace neither sees nor changes another's members
// or groups.
func TestWorkspaceIsolation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.do(t, f.acme, "POST", "/Users", `{"schemas":["`+userSchema+`"],"userName":"bob@acme.test"}`).want(t, "create", http.StatusCreated).str("id")
	gid := f.do(t, f.acme, "POST", "/Groups", `{"schemas":["`+groupSchema+`"],"displayName":"Eng","members":[{"value":"`+id+`"}]}`).
		want(t, "create group", http.StatusCreated).str("id")
	other := f.do(t, f.other, "POST", "/Groups", `{"schemas":["`+groupSchema+`"],"displayName":"Ops"}`).want(t, "other's group", http.StatusCreated).str("id")

	for _, c := range []struct{ method, path, body string }{
		{"GET", "/Users/" + id, ""},
		{"PUT", "/Users/" + id, `{"schemas":["` + userSchema + `"],"userName":"bob@acme.test","active":false}`},
		{"PATCH", "/Users/" + id, `{` + patchOp + `,"Operations":[{"op":"replace","value":{"active":false}}]}`},
		{"DELETE", "/Users/" + id, ""},
		{"GET", "/Groups/" + gid, ""},
		{"PATCH", "/Groups/" + gid, `{` + patchOp + `,"Operations":[{"op":"replace","path":"displayName","value":"x"}]}`},
		{"PUT", "/Groups/" + gid, `{"schemas":["` + groupSchema + `"],"displayName":"x"}`},
		{"DELETE", "/Groups/" + gid, ""},
	} {
		f.do(t, f.other, c.method, c.path, c.body).wantError(t, "other workspace's token: "+c.method+" "+c.path, http.StatusNotFound, "")
	}
	f.do(t, f.other, "GET", filterPath("/Users", `userName eq "bob@acme.test"`), "").resources(t, "other's lookup", 0)
	f.do(t, f.other, "GET", "/Users", "").resources(t, "other's list", 0)
	f.do(t, f.other, "GET", "/Groups", "").resources(t, "other's groups", 1)
	f.do(t, f.other, "PATCH", "/Groups/"+other, `{`+patchOp+`,"Operations":[{"op":"add","path":"members","value":[{"value":"`+id+`"}]}]}`).
		wantError(t, "add acme's member to other's group", http.StatusBadRequest, "invalidValue")
	if m, err := f.store.GetMember(t.Context(), "w1", id); err != nil || m.Suspended {
		t.Errorf("acme's member after other's attempts: %+v, %v", m, err)
	}
	if g, err := f.store.GetSCIMGroup(t.Context(), "w1", gid); err != nil || g.DisplayName != "Eng" {
		t.Errorf("acme's group after other's attempts: %+v, %v", g, err)
	}
}

// A workspace keeps an active owner: the directory can neither suspend
// nor remove the last one.
func TestLastOwner(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if err := f.store.CreateUser(t.Context(), storage.User{ID: "olga", Email: "olga@acme.test", Status: storage.UserActive}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.AddMember(t.Context(), storage.Member{WorkspaceID: "w1", UserID: "olga", Role: storage.WorkspaceOwner}); err != nil {
		t.Fatal(err)
	}
	f.do(t, f.acme, "PATCH", "/Users/olga", `{`+patchOp+`,"Operations":[{"op":"replace","value":{"active":false}}]}`).
		wantError(t, "suspend the last owner", http.StatusConflict, "mutability")
	f.do(t, f.acme, "DELETE", "/Users/olga", "").wantError(t, "remove the last owner", http.StatusConflict, "mutability")
	if m, err := f.store.GetMember(t.Context(), "w1", "olga"); err != nil || m.Suspended {
		t.Errorf("the last owner after the attempts: %+v, %v", m, err)
	}
}

// Lists are paged by startIndex and count, with the total of matches.
func TestUserPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, e := range []string{"a@acme.test", "b@acme.test", "c@acme.test"} {
		f.do(t, f.acme, "POST", "/Users", `{"schemas":["`+userSchema+`"],"userName":"`+e+`"}`).want(t, "create "+e, http.StatusCreated)
	}
	all := f.do(t, f.acme, "GET", "/Users?startIndex=1&count=2", "").resources(t, "first page", 3)
	rest := f.do(t, f.acme, "GET", "/Users?startIndex=3&count=2", "").resources(t, "second page", 3)
	if len(all) != 2 || len(rest) != 1 {
		t.Fatalf("pages of %d and %d users, want 2 and 1", len(all), len(rest))
	}
	seen := map[any]bool{all[0]["id"]: true, all[1]["id"]: true, rest[0]["id"]: true}
	if len(seen) != 3 {
		t.Errorf("the pages repeat a user: %v %v", all, rest)
	}
	f.do(t, f.acme, "GET", "/Users?startIndex=9", "").resources(t, "past the end", 3)
	if got := f.do(t, f.acme, "GET", filterPath("/Users", `userName sw "b"`), "").resources(t, "sw filter", 1); got[0]["userName"] != "b@acme.test" {
		t.Errorf("sw filter found %v", got)
	}
	if got := f.do(t, f.acme, "GET", filterPath("/Users", `active eq true and userName co "acme"`), "").resources(t, "and filter", 3); len(got) != 3 {
		t.Errorf("and filter found %d", len(got))
	}
}

// Discovery: the service provider's configuration, resource types and
// schemas.
func TestDiscovery(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	spc := f.do(t, f.acme, "GET", "/ServiceProviderConfig", "").want(t, "ServiceProviderConfig", http.StatusOK)
	if s := spc.schemas(); len(s) != 1 || s[0] != "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig" {
		t.Errorf("ServiceProviderConfig: %s", spc.raw)
	}
	if p, _ := spc.body["patch"].(map[string]any); p["supported"] != true {
		t.Errorf("ServiceProviderConfig does not offer PATCH: %s", spc.raw)
	}
	types := f.do(t, f.acme, "GET", "/ResourceTypes", "").resources(t, "ResourceTypes", 2)
	if types[0]["name"] != "User" || types[1]["name"] != "Group" {
		t.Errorf("ResourceTypes: %v", types)
	}
	f.do(t, f.acme, "GET", "/Schemas/"+userSchema, "").want(t, "User schema", http.StatusOK)
	f.do(t, f.acme, "GET", "/Schemas", "").want(t, "Schemas", http.StatusOK)
	f.do(t, "", "GET", "/ServiceProviderConfig", "").wantError(t, "discovery without a token", http.StatusUnauthorized, "")
}

// Bad input gets a SCIM error naming the problem, never a 500.
func TestBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.do(t, f.acme, "POST", "/Users", `{"schemas":["`+userSchema+`"],"userName":"bob@acme.test"}`).want(t, "create", http.StatusCreated).str("id")
	for _, c := range []struct {
		method, path, body string
		status             int
		scimType           string
	}{
		{"POST", "/Users", `{"schemas":`, http.StatusBadRequest, "invalidSyntax"},
		{"POST", "/Users", `{"schemas":["` + userSchema + `"],"userName":"not an email"}`, http.StatusBadRequest, "invalidValue"},
		{"POST", "/Users", `{"schemas":["` + userSchema + `"]}`, http.StatusBadRequest, ""},
		{"POST", "/Users", `{"schemas":["` + userSchema + `"],"userName":"x@acme.test","displayName":"` + strings.Repeat("n", 101) + `"}`, http.StatusBadRequest, "invalidValue"},
		{"POST", "/Users", `{"schemas":["` + userSchema + `"],"userName":"x@acme.test","active":"maybe"}`, http.StatusBadRequest, ""},
		{"POST", "/Users", `{"schemas":["` + userSchema + `"],"userName":"` + strings.Repeat("a", 2<<20) + `"}`, http.StatusRequestEntityTooLarge, ""},
		{"PATCH", "/Users/" + id, `{` + patchOp + `,"Operations":[{"op":"explode","path":"active","value":false}]}`, http.StatusBadRequest, ""},
		{"PATCH", "/Users/" + id, `{` + patchOp + `,"Operations":[{"op":"replace","path":"active","value":"Perhaps"}]}`, http.StatusBadRequest, ""},
		{"PATCH", "/Users/" + id, `{` + patchOp + `,"Operations":[{"op":"replace","path":"nope[","value":1}]}`, http.StatusBadRequest, ""},
		{"PATCH", "/Users/" + id, `{"Operations":[]}`, http.StatusBadRequest, ""},
		{"GET", filterPath("/Users", `userName eq`), "", http.StatusBadRequest, "invalidFilter"},
		{"GET", filterPath("/Users", `nope eq "x"`), "", http.StatusBadRequest, "invalidFilter"},
		{"GET", "/Users?count=many", "", http.StatusBadRequest, ""},
		{"GET", "/Users/nobody", "", http.StatusNotFound, ""},
		{"GET", "/Nothing", "", http.StatusNotFound, ""},
		{"POST", "/Groups", `{"schemas":["` + groupSchema + `"],"displayName":"G","members":[{"value":"nobody"}]}`, http.StatusBadRequest, "invalidValue"},
		{"POST", "/Groups", `{"schemas":["` + groupSchema + `"],"displayName":"  "}`, http.StatusBadRequest, "invalidValue"},
	} {
		f.do(t, f.acme, c.method, c.path, c.body).wantError(t, c.method+" "+c.path+" "+trim(c.body), c.status, c.scimType)
	}
}

func trim(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
