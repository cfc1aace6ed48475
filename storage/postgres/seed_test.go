package postgres_test

import (
	"bytes"
	"cmp"
	"fmt"
	"iter"
	"slices"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// TestCopyTokensReadBack: tokens written by COPY read back through
// GetToken as CreateToken's do, every column included.
func TestCopyTokensReadBack(t *testing.T) {
	t.Parallel()
	s := pgtest.Open(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := s.CreateClient(ctx, storage.Client{ID: "bot", Name: "Bot", Type: storage.ClientConfidential, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatalf("create client: %v", err)
	}
	token := func(i int) storage.Token {
		t := storage.Token{Kind: storage.KindAccessToken, Signature: fmt.Sprintf("sig-%04d", i), RequestID: fmt.Sprintf("req-%04d", i),
			ClientID: "bot", Scopes: []string{"im:messages.send"}, Active: true, RequestedAt: now, ExpiresAt: now.Add(time.Hour),
			Session: []byte(fmt.Sprintf(`{"id":"req-%04d"}`, i))}
		if i%2 == 1 {
			t.Kind, t.Subject, t.AccessSignature, t.Scopes, t.WorkspaceID = storage.KindRefreshToken, "user-1", fmt.Sprintf("sig-%04d", i-1), nil, "ws"
		}
		if i%10 == 9 {
			t.Active, t.RotatedAt = false, now
		}
		return t
	}
	const n = 1000
	written, err := s.CopyTokens(ctx, func(yield func(storage.Token) bool) {
		for i := range n {
			if !yield(token(i)) {
				return
			}
		}
	})
	if err != nil || written != n {
		t.Fatalf("copy tokens: %d written, %v", written, err)
	}
	for i := range n {
		want := token(i)
		got, err := s.GetToken(ctx, want.Kind, want.Signature)
		if err != nil {
			t.Fatalf("get token %d: %v", i, err)
		}
		if !got.RequestedAt.Equal(want.RequestedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) || !got.RotatedAt.Equal(want.RotatedAt) ||
			got.RequestID != want.RequestID || got.ClientID != want.ClientID || got.Subject != want.Subject || got.Active != want.Active ||
			got.AccessSignature != want.AccessSignature || got.WorkspaceID != want.WorkspaceID ||
			!slices.Equal(got.Scopes, want.Scopes) || !bytes.Equal(got.Session, want.Session) {
			t.Fatalf("token %d read back as\n%+v\nwant\n%+v", i, got, want)
		}
	}
	if _, err := s.CopyTokens(ctx, slices.Values([]storage.Token{token(0)})); err == nil {
		t.Fatal("a signature copied twice was accepted")
	}
}

// TestCopyUsersAreMembers: users written by COPY read back, each a
// member of the default workspace as CreateUser makes it.
func TestCopyUsersAreMembers(t *testing.T) {
	t.Parallel()
	s := pgtest.Open(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	users := []storage.User{
		{ID: "u1", Email: "one@example.com", Name: "One", Status: storage.UserActive, CreatedAt: now, UpdatedAt: now},
		{ID: "u2", Email: "two@example.com", Name: "Two", Status: storage.UserActive, Role: "admin", CreatedAt: now, UpdatedAt: now},
	}
	if n, err := s.CopyUsers(ctx, slices.Values(users)); err != nil || n != 2 {
		t.Fatalf("copy users: %d, %v", n, err)
	}
	for _, want := range users {
		got, err := s.GetUserByEmail(ctx, want.Email)
		if err != nil {
			t.Fatalf("get %s: %v", want.Email, err)
		}
		if got.ID != want.ID || got.Role != cmp.Or(want.Role, "member") || !got.CreatedAt.Equal(now) {
			t.Errorf("%s read back as %+v", want.Email, got)
		}
		m, err := s.GetMember(ctx, storage.DefaultWorkspaceID, want.ID)
		if err != nil {
			t.Fatalf("membership of %s: %v", want.ID, err)
		}
		if m.Role != storage.DefaultRole(cmp.Or(want.Role, "member")) {
			t.Errorf("%s is %q in the default workspace", want.ID, m.Role)
		}
	}
}

// TestCopyAuditVerifies: records written by COPY after an appended,
// sealed one continue the chain: the verifier accepts it whole, and the
// next record appended is sealed after them.
func TestCopyAuditVerifies(t *testing.T) {
	t.Parallel()
	s := pgtest.Open(t)
	ctx := t.Context()
	chain := audit.NewChain(bytes.Repeat([]byte{7}, 32))
	now := time.Now().UTC().Truncate(time.Microsecond)
	record := func(i int) storage.AuditRecord {
		return storage.AuditRecord{Time: now.Add(time.Duration(i) * time.Millisecond), Action: audit.TokenIssued, Outcome: audit.Success,
			ActorType: audit.ActorClient, ActorID: "bot", ClientID: "bot", Scopes: []string{"im:messages.send"},
			Detail: map[string]string{"token_family": fmt.Sprintf("req-%d", i), "grant_type": "client_credentials"}}
	}
	if _, err := s.AppendAudit(ctx, record(-1)); err != nil {
		t.Fatalf("append: %v", err)
	}
	if _, err := s.SealAudit(ctx, 10, chain.Link); err != nil {
		t.Fatalf("seal: %v", err)
	}
	const n = 100
	var records iter.Seq[storage.AuditRecord] = func(yield func(storage.AuditRecord) bool) {
		for i := range n {
			if !yield(record(i)) {
				return
			}
		}
	}
	if written, err := s.CopyAudit(ctx, records, chain.Link); err != nil || written != n {
		t.Fatalf("copy audit records: %d, %v", written, err)
	}
	if _, err := s.AppendAudit(ctx, record(n)); err != nil {
		t.Fatalf("append after the copy: %v", err)
	}
	if _, err := s.SealAudit(ctx, 10, chain.Link); err != nil {
		t.Fatalf("seal after the copy: %v", err)
	}
	rep, err := chain.Verify(ctx, s, 30)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if rep.Problem != nil || rep.Checked != n+2 || rep.Head.Seq != n+2 {
		t.Fatalf("verify: %+v, problem %v", rep, rep.Problem)
	}
	page, err := s.ListAudit(ctx, storage.AuditFilter{}, storage.AuditCursor{}, 1)
	if err != nil || len(page) != 1 || page[0].Detail["token_family"] != fmt.Sprintf("req-%d", n) {
		t.Fatalf("newest record: %+v, %v", page, err)
	}
}
