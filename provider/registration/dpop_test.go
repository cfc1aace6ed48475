package registration_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/registration"
)

// A client registers dpop_bound_access_tokens (RFC 9449 section 5.2): it
// is stored, echoed in the registration response (RFC 7591 section 3.2.1)
// and in the read (RFC 7592 section 2.1), and an update without it turns
// it off, as an update replaces every metadata.
func TestDPoPBoundAccessTokensRegistered(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(p *registration.Policy) { p.Open = true })
	meta := botMeta()
	meta["dpop_bound_access_tokens"] = true
	a := f.register(t, "", meta)
	if a.status != http.StatusCreated || a.body["dpop_bound_access_tokens"] != true {
		t.Fatalf("register: %d %v; want 201 with dpop_bound_access_tokens true", a.status, a.body)
	}
	id, path, rat := a.str("client_id"), mgmtPath(t, a), a.str("registration_access_token")
	if c, err := f.store.GetClient(t.Context(), id); err != nil || !c.DPoPBoundAccessTokens {
		t.Fatalf("stored client %+v (%v); want DPoPBoundAccessTokens", c, err)
	}
	if r := f.call(t, http.MethodGet, path, rat, "", nil); r.status != http.StatusOK || r.body["dpop_bound_access_tokens"] != true {
		t.Fatalf("read: %d %v; want dpop_bound_access_tokens true", r.status, r.body)
	}

	update := botMeta()
	update["client_id"] = id
	u := f.call(t, http.MethodPut, path, rat, "application/json", update)
	if u.status != http.StatusOK || u.body["dpop_bound_access_tokens"] != false {
		t.Fatalf("update: %d %v; want dpop_bound_access_tokens false", u.status, u.body)
	}
	if c, _ := f.store.GetClient(t.Context(), id); c.DPoPBoundAccessTokens {
		t.Fatal("the update left the client requiring DPoP")
	}

	plain := f.register(t, "", botMeta())
	if plain.status != http.StatusCreated || plain.body["dpop_bound_access_tokens"] != false {
		t.Fatalf("a client that did not ask: %d %v; want dpop_bound_access_tokens false", plain.status, plain.body)
	}
}

// While DPoP is off, a client asking for DPoP-bound tokens is refused
// invalid_client_metadata naming the field: it could get no token.
func TestDPoPBoundAccessTokensRefusedWhileOff(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(p *registration.Policy) { p.Open, p.DPoPOff = true, true })
	meta := botMeta()
	meta["dpop_bound_access_tokens"] = true
	a := f.register(t, "", meta)
	if a.status != http.StatusBadRequest || a.str("error") != "invalid_client_metadata" || !strings.HasPrefix(a.str("error_description"), "dpop_bound_access_tokens: ") {
		t.Fatalf("got %d %v; want 400 invalid_client_metadata naming dpop_bound_access_tokens", a.status, a.body)
	}
	if a := f.register(t, "", botMeta()); a.status != http.StatusCreated {
		t.Fatalf("a client not asking for DPoP while it is off: %d %v", a.status, a.body)
	}
}
