package rs_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/rs"
)

// conversationService is an IM API whose POST /conversations/{id}/messages
// needs messages.send in that conversation.
func conversationService(v *rs.Verifier) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /conversations/{id}/messages", rs.RequireConversation("messages.send",
		func(r *http.Request) string { return "conv:" + r.PathValue("id") })(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("sent"))
	})))
	return v.Middleware(mux)
}

func postTo(t *testing.T, h http.Handler, conversation, token string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/conversations/"+conversation+"/messages", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// sendIn is a detail granting messages.send in conv:launch (and reading in
// conv:ops), as the provider writes it.
var sendIn = []any{
	map[string]any{"type": "im_conversation", "actions": []any{"messages.send"}, "locations": []any{"conv:launch"}},
	map[string]any{"type": "im_conversation", "actions": []any{"messages.read"}, "locations": []any{"conv:ops"}},
	map[string]any{"type": "im_channel", "actions": []any{"messages.send"}, "locations": []any{"chan:hall"}},
}

// TestRequireConversation checks the rule with both verifications: a
// detail naming the conversation and action lets the request through, the
// broad scope does too, anything else is 403 insufficient_scope naming the
// broad scope.
func TestRequireConversation(t *testing.T) {
	p := newFakeProvider(t)
	c := newClock()
	exp := c.Now().Add(time.Hour)
	p.issue("ory_at_read.sig", "user-ann", exp, "im:messages.read")
	p.issue("ory_at_broad.sig", "user-ann", exp, "im:messages.send")
	p.set("ory_at_detail.sig", map[string]any{"active": true, "sub": "user-ann", "client_id": "chat-bot", "scope": "openid", "token_use": "access_token",
		"exp": exp.Unix(), "iss": p.srv.URL, "authorization_details": sendIn})
	k := newSigningKey(t, "k1")
	p.publish(k)
	claims := p.atClaims(c.Now())
	claims["scope"] = "openid"
	claims["authorization_details"] = sendIn
	jwtDetail := sign(t, k, "at+jwt", claims)
	claims["authorization_details"] = nil
	claims["scope"] = "im:messages.send"
	jwtBroad := sign(t, k, "at+jwt", claims)
	h := conversationService(newVerifier(t, p, c, rs.Config{Realm: "im", Audience: "https://im.example.com", CacheTTL: rs.NoCache}))

	for _, tc := range []struct {
		name, conversation, token string
		status                    int
	}{
		{"introspected: a detail for the conversation allows", "launch", "ory_at_detail.sig", 200},
		{"introspected: a detail for another conversation refuses", "general", "ory_at_detail.sig", 403},
		{"introspected: a detail for another action refuses", "ops", "ory_at_detail.sig", 403},
		{"introspected: a channel's detail is not a conversation's", "hall", "ory_at_detail.sig", 403},
		{"introspected: the broad scope allows every conversation", "general", "ory_at_broad.sig", 200},
		{"introspected: another scope refuses", "launch", "ory_at_read.sig", 403},
		{"JWT: a detail for the conversation allows", "launch", jwtDetail, 200},
		{"JWT: a detail for another conversation refuses", "general", jwtDetail, 403},
		{"JWT: the broad scope allows every conversation", "general", jwtBroad, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := postTo(t, h, tc.conversation, tc.token)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.status == http.StatusForbidden {
				want := `Bearer realm="im", error="insufficient_scope", error_description="The access token grants messages.send neither in this conversation (authorization_details) nor in all of them (scope im:messages.send).", scope="im:messages.send"`
				if got := rec.Header().Get("WWW-Authenticate"); got != want {
					t.Fatalf("challenge %q, want %q", got, want)
				}
				if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
					t.Fatalf("refusal as %q", ct)
				}
			}
		})
	}
}

// The conversation may be given by its bare ID, as the route names it:
// it stands for "conv:" + ID, never for a channel.
func TestRequireConversationTakesABareID(t *testing.T) {
	p := newFakeProvider(t)
	c := newClock()
	p.set("ory_at_detail.sig", map[string]any{"active": true, "sub": "user-ann", "client_id": "chat-bot", "scope": "openid", "token_use": "access_token",
		"exp": c.Now().Add(time.Hour).Unix(), "iss": p.srv.URL, "authorization_details": sendIn})
	v := newVerifier(t, p, c, rs.Config{Realm: "im", Audience: "https://im.example.com", CacheTTL: rs.NoCache})
	h := v.Middleware(rs.RequireConversation("messages.send", func(r *http.Request) string { return r.Header.Get("X-Conversation") })(
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	for _, tc := range []struct {
		from   string
		status int
	}{
		{"launch", http.StatusOK},
		{"conv:launch", http.StatusOK},
		{"hall", http.StatusForbidden}, // a channel's detail is not conv:hall's
		{"chan:hall", http.StatusOK},
		{"other:launch", http.StatusForbidden},
		{"", http.StatusForbidden},
	} {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", nil)
		req.Header.Set("Authorization", "Bearer ory_at_detail.sig")
		req.Header.Set("X-Conversation", tc.from)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.status {
			t.Errorf("conversation %q: status %d, want %d: %s", tc.from, rec.Code, tc.status, rec.Body)
		}
	}
}

func TestRequireConversationWithoutMiddleware(t *testing.T) {
	t.Parallel()
	h := rs.RequireConversation("messages.send", func(*http.Request) string { return "conv:1" })(http.NotFoundHandler())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", rec.Code)
	}
}

func TestAllowsConversation(t *testing.T) {
	t.Parallel()
	tok := rs.Token{Claims: map[string]any{"authorization_details": sendIn}}
	for _, tc := range []struct {
		action, location string
		want             bool
	}{
		{"messages.send", "conv:launch", true},
		{"messages.send", "chan:hall", true},
		{"messages.send", "conv:hall", false},
		{"messages.read", "conv:ops", true},
		{"messages.read", "conv:launch", false},
		{"messages.send", "launch", false},
		{"messages.send", "", false},
		{"messages.send", "conv:", false},
	} {
		if got := tok.AllowsConversation(tc.action, tc.location); got != tc.want {
			t.Errorf("AllowsConversation(%q, %q) = %v, want %v", tc.action, tc.location, got, tc.want)
		}
	}
	if (rs.Token{Claims: map[string]any{"authorization_details": "garbage"}}).AllowsConversation("messages.send", "conv:launch") {
		t.Error("a malformed claim allowed")
	}
	defer func() {
		if recover() == nil {
			t.Error("an action with a space did not panic")
		}
	}()
	rs.RequireConversation("messages send", nil)
}
