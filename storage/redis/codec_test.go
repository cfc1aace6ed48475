package redis

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tokenim/tokenim-auth/storage"
)

// A token's workspace round-trips through the cache, and an entry a node
// wrote before tokens had a workspace still reads, with none.
func TestTokenEntryLayouts(t *testing.T) {
	t.Parallel()
	c, err := newCompressor()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	tok := storage.Token{Kind: storage.KindAccessToken, Signature: "sig", RequestID: "fam", ClientID: "app", Subject: "u1",
		WorkspaceID: "w-acme", Scopes: []string{"openid"}, Active: true, RequestedAt: at, ExpiresAt: at.Add(time.Hour),
		Session: []byte(`{"id":"fam"}`)}
	got, err := c.decodeToken(tok.Kind, tok.Signature, c.encodeToken(tok))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tok, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	// The first layout: the same fields without the workspace, no layout byte.
	var old []byte
	for _, s := range []string{tok.RequestID, tok.ClientID, tok.Subject, "openid"} {
		old = appendString(old, s)
	}
	old = append(old, 1)
	old = appendTime(old, tok.RequestedAt)
	old = appendTime(old, tok.ExpiresAt)
	old = appendString(old, "")
	got, err = c.decodeToken(tok.Kind, tok.Signature, c.compress(nil, append(old, tok.Session...)))
	if err != nil {
		t.Fatal(err)
	}
	want := tok
	want.WorkspaceID = ""
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first layout (-want +got):\n%s", diff)
	}
}
