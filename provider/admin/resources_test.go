package admin

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/resources"
)

// TestAPIResources: resources are added, listed with the configured ones
// (read-only), changed and deleted through the API, each change checked
// and recorded; a refused value is a 400 naming its field.
func TestAPIResources(t *testing.T) {
	t.Parallel()
	a, store := fixture(t)
	a.cfg.Resources = []resources.Resource{{URI: "https://im.example.com", Name: "IM", Scopes: []string{"im:calls.read"}}}
	do := caller(t, a)
	const calls = "https://calls.example.com/api"
	id := ResourceID(calls)
	if strings.ContainsAny(id, "/+=%") {
		t.Fatalf("the ID %q does not stand in a path segment as it is", id)
	}

	created := do("POST", "/admin/api/v1/resources", `{"uri":"`+calls+`","name":"Calls","scopes":["im:calls.read","im:calls.read"]}`, http.StatusCreated)
	if created["id"] != id || created["uri"] != calls || created["configured"] != false || len(created["scopes"].([]any)) != 1 {
		t.Fatalf("created %v", created)
	}
	if recs := records(t, store); len(recs) != 1 || recs[0].Action != audit.ResourceCreated || recs[0].ActorID != "ops-bot" || recs[0].Detail["resource"] != calls {
		t.Fatalf("records %+v", recs)
	}

	list := do("GET", "/admin/api/v1/resources", "", http.StatusOK)["resources"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["uri"] != "https://im.example.com" || list[0].(map[string]any)["configured"] != true ||
		list[1].(map[string]any)["uri"] != calls {
		t.Fatalf("list %v", list)
	}
	if got := do("GET", "/admin/api/v1/resources/"+ResourceID("https://im.example.com"), "", http.StatusOK); got["configured"] != true || got["name"] != "IM" {
		t.Fatalf("the configured one: %v", got)
	}

	for _, bad := range []struct{ body, field string }{
		{`{"uri":"https://x.example/#frag","scopes":["openid"]}`, "uri:"},
		{`{"uri":"not a uri","scopes":["openid"]}`, "uri:"},
		{`{"uri":"https://x.example","scopes":[]}`, "scopes:"},
		{`{"uri":"https://x.example"}`, "scopes:"},
		{`{"uri":"https://x.example","scopes":["im:nothing"]}`, "scope catalogue"},
		{`{"uri":"https://x.example","scopes":["openid"],"name":"` + strings.Repeat("n", 201) + `"}`, "name:"},
		{`{"uri":"https://x.example","scopes":["openid"],"colour":"blue"}`, "colour"},
		{`{"uri":"https://x.example","scopes":["openid"],"name":"a\u0000b"}`, "name:"},
		{`[1]`, "JSON object"},
	} {
		if got := do("POST", "/admin/api/v1/resources", bad.body, http.StatusBadRequest); !strings.Contains(got["error_description"].(string), bad.field) {
			t.Errorf("%s: %v, want it to name %s", bad.body, got, bad.field)
		}
	}
	do("POST", "/admin/api/v1/resources", `{"uri":"`+calls+`","scopes":["openid"]}`, http.StatusConflict)
	if got := do("POST", "/admin/api/v1/resources", `{"uri":"https://im.example.com","scopes":["openid"]}`, http.StatusConflict); !strings.Contains(got["error_description"].(string), "configuration file") {
		t.Fatalf("a configured URI: %v", got)
	}

	changed := do("PATCH", "/admin/api/v1/resources/"+id, `{"scopes":["openid","im:calls.read"]}`, http.StatusOK)
	if changed["name"] != "Calls" || len(changed["scopes"].([]any)) != 2 {
		t.Fatalf("changed %v", changed)
	}
	if recs := records(t, store); len(recs) != 2 || recs[0].Action != audit.ResourceUpdated || recs[0].Detail["changed"] != "scopes" {
		t.Fatalf("records %+v", recs)
	}
	do("PATCH", "/admin/api/v1/resources/"+id, `{"uri":"https://other.example"}`, http.StatusBadRequest)
	do("PATCH", "/admin/api/v1/resources/"+id, `{"scopes":["im:nothing"]}`, http.StatusBadRequest)
	do("PATCH", "/admin/api/v1/resources/"+ResourceID("https://im.example.com"), `{"name":"x"}`, http.StatusConflict)
	do("PATCH", "/admin/api/v1/resources/"+ResourceID("https://absent.example"), `{"name":"x"}`, http.StatusNotFound)
	do("GET", "/admin/api/v1/resources/not!base64", "", http.StatusNotFound)

	do("DELETE", "/admin/api/v1/resources/"+ResourceID("https://im.example.com"), "", http.StatusConflict)
	do("DELETE", "/admin/api/v1/resources/"+id, "", http.StatusNoContent)
	do("GET", "/admin/api/v1/resources/"+id, "", http.StatusNotFound)
	do("DELETE", "/admin/api/v1/resources/"+id, "", http.StatusNotFound)
	if recs := records(t, store); len(recs) != 3 || recs[0].Action != audit.ResourceDeleted || recs[0].Detail["resource"] != calls {
		t.Fatalf("records %+v", recs)
	}
}

// FuzzResourceURI: an ID read from a path is the URI whose ResourceID it
// is, or refused.
func FuzzResourceURI(f *testing.F) {
	for _, s := range []string{ResourceID("https://im.example.com"), "", "not!base64", "aHR0cHM6Ly9pbS5leGFtcGxlLmNvbQ==", "_-_-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		uri, ok := ResourceURI(id)
		if !ok {
			return
		}
		if uri == "" || ResourceID(uri) != id {
			t.Fatalf("ResourceURI(%q) = %q, whose ID is %q", id, uri, ResourceID(uri))
		}
	})
}

// FuzzAPIResourceBody: whatever body a client posts or patches, the
// resource routes answer with a client error or success, never a 500,
// and a stored resource always passes the rule of a resource identifier.
func FuzzAPIResourceBody(f *testing.F) {
	for _, s := range []string{`{"uri":"https://im.example.com","scopes":["openid"]}`, `{"uri":"https://x/#","scopes":[]}`, `{"name":"\u0000"}`,
		`{"uri":1}`, `null`, `{"scopes":["openid","openid"],"uri":"http://[::1]:1/a?b"}`, `{"uri":"https://a.example","scopes":["openid"],"name":"\ud800"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		a, store := fixture(t)
		for _, req := range []struct{ method, path string }{
			{"POST", "/admin/api/v1/resources"},
			{"PATCH", "/admin/api/v1/resources/" + ResourceID("https://im.example.com")},
		} {
			if w := call(t, a, req.method, req.path, body); w.Code >= 500 {
				t.Fatalf("%s %s %q: %d %s", req.method, req.path, body, w.Code, w.Body)
			}
		}
		list, err := store.ListResources(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range list {
			if resources.Check(r.URI) != nil || len(r.Scopes) == 0 {
				t.Fatalf("stored %+v", r)
			}
		}
	})
}
