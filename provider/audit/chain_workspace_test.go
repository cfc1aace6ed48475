package audit

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// A record naming no workspace hashes as records did before they could
// name one (no workspace_id in its canonical form), so the records sealed
// then still verify; one naming a workspace is bound to it.
func TestChainCoversTheWorkspaceOnlyWhenSet(t *testing.T) {
	t.Parallel()
	r := storage.AuditRecord{ID: 7, Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Action: SignIn, Outcome: Success, ActorType: ActorUser, ActorID: "u1"}
	const before = `{"id":7,"time":"2026-01-02T03:04:05Z","action":"signin","outcome":"success","reason":"","actor_type":"user","actor_id":"u1",` +
		`"subject":"","client_id":"","scopes":[],"client_ip":"","user_agent":"","request_id":"","detail":{}}`
	if got := string(canonicalJSON(r)); got != before {
		t.Fatalf("canonical form of a record without a workspace changed:\n got %s\nwant %s", got, before)
	}
	c := NewChain(bytes.Repeat([]byte{1}, 32))
	plain := c.Hash(nil, 1, r)
	r.WorkspaceID = "ws-1"
	if !strings.HasSuffix(string(canonicalJSON(r)), `,"workspace_id":"ws-1"}`) {
		t.Fatalf("canonical form %s does not end with the workspace", canonicalJSON(r))
	}
	if bytes.Equal(c.Hash(nil, 1, r), plain) {
		t.Fatal("setting a record's workspace leaves its hash as it was")
	}
}
