package scim_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/audit"
)

// memberValues returns a Group reply's member IDs, sorted.
func memberValues(r reply) []string {
	var ids []string
	list, _ := r.body["members"].([]any)
	for _, m := range list {
		ids = append(ids, m.(map[string]any)["value"].(string))
	}
	slices.Sort(ids)
	return ids
}

// Groups as Entra ID and Okta keep them: created, found by displayName,
// renamed, members added and removed by the requests each documents.
func TestGroups(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var ids []string
	for _, e := range []string{"a@acme.test", "b@acme.test", "c@acme.test"} {
		ids = append(ids, f.do(t, f.acme, "POST", "/Users", `{"schemas":["`+userSchema+`"],"userName":"`+e+`"}`).want(t, "create "+e, http.StatusCreated).str("id"))
	}
	slices.Sort(ids)
	a, b, c := ids[0], ids[1], ids[2]
	created := f.do(t, f.acme, "POST", "/Groups", `{"schemas":["`+groupSchema+`"],"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"Group1DisplayName","meta":{"resourceType":"Group"}}`).
		want(t, "create (Entra)", http.StatusCreated)
	gid := created.str("id")
	if s := created.schemas(); len(s) != 1 || s[0] != groupSchema || created.str("displayName") != "Group1DisplayName" {
		t.Errorf("create: %s", created.raw)
	}
	f.do(t, f.acme, "POST", "/Groups", `{"schemas":["`+groupSchema+`"],"displayName":"Group1DisplayName"}`).
		wantError(t, "create a taken name", http.StatusConflict, "uniqueness")
	found := f.do(t, f.acme, "GET", filterPath("/Groups", `displayName eq "Group1DisplayName"`), "").resources(t, "by displayName", 1)
	if found[0]["id"] != gid {
		t.Errorf("by displayName: %v", found)
	}

	// Entra ID: add members, then remove one by a value list.
	added := f.do(t, f.acme, "PATCH", "/Groups/"+gid, `{`+patchOp+`,"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"`+a+`"},{"value":"`+b+`"}]}]}`).
		want(t, "add members (Entra)", http.StatusOK)
	if got := memberValues(added); !slices.Equal(got, []string{a, b}) {
		t.Errorf("members after add: %v", got)
	}
	removed := f.do(t, f.acme, "PATCH", "/Groups/"+gid, `{`+patchOp+`,"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"`+a+`"}]}]}`).
		want(t, "remove a member (Entra)", http.StatusOK)
	if got := memberValues(removed); !slices.Equal(got, []string{b}) {
		t.Errorf("members after remove: %v", got)
	}

	// Okta: rename; remove by path filter and add in one request; replace.
	renamed := f.do(t, f.acme, "PATCH", "/Groups/"+gid, `{`+patchOp+`,"Operations":[{"op":"replace","value":{"id":"`+gid+`","displayName":"Test SCIMv2"}}]}`).
		want(t, "rename (Okta)", http.StatusOK)
	if renamed.str("displayName") != "Test SCIMv2" {
		t.Errorf("rename: %s", renamed.raw)
	}
	both := f.do(t, f.acme, "PATCH", "/Groups/"+gid, `{`+patchOp+`,"Operations":[
		{"op":"remove","path":"members[value eq \"`+b+`\"]"},
		{"op":"add","path":"members","value":[{"value":"`+c+`","display":"c@acme.test"}]}]}`).want(t, "remove and add (Okta)", http.StatusOK)
	if got := memberValues(both); !slices.Equal(got, []string{c}) {
		t.Errorf("members after remove and add: %v", got)
	}
	replaced := f.do(t, f.acme, "PATCH", "/Groups/"+gid, `{`+patchOp+`,"Operations":[{"op":"replace","path":"members","value":[{"value":"`+a+`"},{"value":"`+b+`"}]}]}`).
		want(t, "replace members (Okta)", http.StatusOK)
	if got := memberValues(replaced); !slices.Equal(got, []string{a, b}) {
		t.Errorf("members after replace: %v", got)
	}
	put := f.do(t, f.acme, "PUT", "/Groups/"+gid, `{"schemas":["`+groupSchema+`"],"displayName":"Renamed","members":[{"value":"`+c+`"}]}`).
		want(t, "PUT", http.StatusOK)
	if got := memberValues(put); !slices.Equal(got, []string{c}) || put.str("displayName") != "Renamed" {
		t.Errorf("after PUT: %s", put.raw)
	}

	// A member who leaves the workspace leaves its groups.
	f.do(t, f.acme, "DELETE", "/Users/"+c, "").want(t, "delete c", http.StatusNoContent)
	if got := memberValues(f.do(t, f.acme, "GET", "/Groups/"+gid, "").want(t, "get", http.StatusOK)); len(got) != 0 {
		t.Errorf("members after c left: %v", got)
	}
	f.do(t, f.acme, "DELETE", "/Groups/"+gid, "").want(t, "delete", http.StatusNoContent)
	f.do(t, f.acme, "GET", "/Groups/"+gid, "").wantError(t, "get deleted", http.StatusNotFound, "")
	var actions []string
	for _, r := range f.audited(t) {
		actions = append(actions, r.Action)
	}
	for _, want := range []string{audit.SCIMGroupCreated, audit.SCIMGroupChanged, audit.SCIMGroupDeleted} {
		if !slices.Contains(actions, want) {
			t.Errorf("no %s record among %v", want, actions)
		}
	}
}
