package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// TestInvalidInput checks that a value Postgres cannot hold — bytes that
// are not UTF-8, a NUL — is storage.ErrInvalidInput, the client's mistake,
// whether it is looked up or written.
func TestInvalidInput(t *testing.T) {
	t.Parallel()
	s := pgtest.Open(t)
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"a flow ID that is not UTF-8", func() error { _, err := s.GetFlow(ctx, "\xff\xfe"); return err }()},
		{"a user ID with a NUL", func() error { _, err := s.GetUser(ctx, "a\x00b"); return err }()},
		{"a token signature cut mid-rune", func() error { _, err := s.GetToken(ctx, storage.KindAccessToken, "sig\xe4\xb8"); return err }()},
		{"a client name with a NUL", s.CreateClient(ctx, storage.Client{
			ID: "nul-app", Name: "a\x00b", Type: storage.ClientPublic, CreatedAt: time.Now(),
		})},
		{"a workspace name with a NUL", s.CreateWorkspace(ctx, storage.Workspace{ID: "w1", Handle: "acme", Name: "a\x00b"})},
		{"a workspace handle that is not UTF-8", s.CreateWorkspace(ctx, storage.Workspace{ID: "w2", Handle: "Acme\xff", Name: "Acme"})},
		{"a workspace looked up by a handle that is not UTF-8", func() error { _, err := s.GetWorkspaceByHandle(ctx, "ACME\xc3"); return err }()},
		{"a sign-in method that is not UTF-8", s.CreateWorkspace(ctx, storage.Workspace{
			ID: "w3", Handle: "w3", Policy: storage.WorkspacePolicy{SignInMethods: []string{"connector:\xe4\xb8"}},
		})},
		{"an install policy with a NUL", s.CreateWorkspace(ctx, storage.Workspace{
			ID: "w4", Handle: "w4", Policy: storage.WorkspacePolicy{Installs: "admins\x00"},
		})},
		{"a policy update that is not UTF-8", func() error {
			_, err := s.UpdateWorkspace(ctx, storage.DefaultWorkspaceID, func(w storage.Workspace) (storage.Workspace, error) {
				w.Policy.Installs = "\xff"
				return w, nil
			})
			return err
		}()},
		{"a member's role with a NUL", s.AddMember(ctx, storage.Member{WorkspaceID: storage.DefaultWorkspaceID, UserID: "u1", Role: "own\x00er"})},
		{"an invitation's email that is not UTF-8", s.CreateInvitation(ctx, storage.Invitation{
			ID: "i1", WorkspaceID: storage.DefaultWorkspaceID, Email: "ann@\xffexample.com", TokenHash: "h1", ExpiresAt: time.Now(),
		})},
		{"an upstream session's sid with a NUL", s.CreateLoginSession(ctx, storage.LoginSession{
			ID: "ls1", UserID: "u1", Upstream: "corp", UpstreamSubject: "alice", UpstreamSID: "sid\x00", CreatedAt: time.Now(), ExpiresAt: time.Now(),
		})},
		{"an upstream session's method with a NUL", s.CreateLoginSession(ctx, storage.LoginSession{
			ID: "ls2", UserID: "u1", Upstream: "corp", UpstreamSubject: "alice", UpstreamAMR: []string{"pwd", "m\x00fa"}, CreatedAt: time.Now(), ExpiresAt: time.Now(),
		})},
		{"an upstream session's method that is not UTF-8", s.CreateLoginSession(ctx, storage.LoginSession{
			ID: "ls3", UserID: "u1", Upstream: "corp", UpstreamSubject: "alice", UpstreamAMR: []string{"\xe4\xb8pwd"}, CreatedAt: time.Now(), ExpiresAt: time.Now(),
		})},
		{"upstream sessions looked up by a subject that is not UTF-8", func() error { _, err := s.ListUpstreamSessions(ctx, "corp", "ali\xffce", ""); return err }()},
		{"upstream sessions looked up by a sid with a NUL", func() error { _, err := s.ListUpstreamSessions(ctx, "corp", "", "s\x00id"); return err }()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !errors.Is(tc.err, storage.ErrInvalidInput) {
				t.Fatalf("err = %v, want storage.ErrInvalidInput", tc.err)
			}
		})
	}
}
