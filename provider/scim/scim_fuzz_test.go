package scim_test

import (
	"net/http"
	"testing"
)

// FuzzRequest sends whatever a provisioning client might: no body, filter
// or PATCH makes a 500 or a panic.
func FuzzRequest(f *testing.F) {
	f.Add("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@b.test"}`)
	f.Add("GET", "/Users?filter=userName%20eq%20%22a%40b.test%22", "")
	f.Add("GET", "/Users?filter=not%20(active%20eq%20true)%20or%20emails%5Btype%20eq%20%22work%22%5D", "")
	f.Add("GET", "/Groups?filter=displayName%20eq%20%22x%22&startIndex=-1&count=99999", "")
	f.Add("PATCH", "/Users/u1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	f.Add("PATCH", "/Groups/g1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"u1\"]"}]}`)
	f.Add("PUT", "/Groups/g1", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"\u0000","members":[{"value":1}]}`)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		switch method {
		case "GET", "POST", "PUT", "PATCH", "DELETE":
		default:
			return
		}
		if len(path) == 0 || path[0] != '/' {
			return
		}
		fx := newFixture(t)
		req, err := http.NewRequest(method, "http://id.example.com/scim/v2"+path, nil)
		if err != nil {
			return
		}
		if r := fx.do(t, fx.acme, method, req.URL.RequestURI()[len("/scim/v2"):], body); r.status >= 500 {
			t.Fatalf("%s %s %q: %d\n%s", method, path, body, r.status, r.raw)
		}
	})
}
