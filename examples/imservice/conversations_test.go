package main

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/rs"
)

func TestSendToConversation(t *testing.T) {
	h := newService(func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }).routes()
	details := []any{map[string]any{"type": "im_conversation", "actions": []any{"messages.send"}, "locations": []any{"conv:launch"}}}
	bot := rs.Token{ClientID: "launch-bot", Scopes: []string{"openid"}, Claims: map[string]any{"authorization_details": details}}
	ann := rs.Token{Subject: "ann", Scopes: []string{"im:messages.send"}}
	reader := rs.Token{Subject: "bob", Scopes: []string{"im:messages.read"}}

	if code, _, m := doAt(t, h, bot, "POST", "/conversations/launch/messages", `{"text":"build green"}`); code != 201 || m["to"] != "conv:launch" || m["from"] != "launch-bot" {
		t.Fatalf("the bot posts where it was granted: %d %v", code, m)
	}
	if code, hdr, m := doAt(t, h, bot, "POST", "/conversations/general/messages", `{"text":"spam"}`); code != 403 || m["error"] != "insufficient_scope" ||
		m["scope"] != "im:messages.send" || hdr.Get("WWW-Authenticate") == "" {
		t.Fatalf("the bot cannot post elsewhere: %d %v", code, m)
	}
	if code, m := do(t, h, bot, "POST", `{"to":"bob","text":"hi"}`); code != 403 {
		t.Fatalf("a conversation grant is not the scope for direct messages: %d %v", code, m)
	}
	if code, _, m := doAt(t, h, ann, "POST", "/conversations/general/messages", `{"text":"hello all"}`); code != 201 || m["from"] != "ann" {
		t.Fatalf("the broad scope posts anywhere: %d %v", code, m)
	}
	if code, _, m := doAt(t, h, reader, "POST", "/conversations/launch/messages", `{"text":"x"}`); code != 403 {
		t.Fatalf("reading is not sending: %d %v", code, m)
	}
	for _, body := range []string{`not json`, `{"text":""}`, `{"text":"hi","to":"bob"}`} {
		if code, _, m := doAt(t, h, bot, "POST", "/conversations/launch/messages", body); code != 400 || m["error_description"] == "" {
			t.Errorf("bad body %q: %d %v", body, code, m)
		}
	}
}
