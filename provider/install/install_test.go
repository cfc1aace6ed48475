package install_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/install"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

var t0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

var adminActor = audit.Actor{Type: audit.ActorUser, ID: "admin"}

// fixture is a workspace "acme" (w1) with an owner, an admin, a member
// and a guest, an app "bot" asking for two IM scopes, over a memory
// store.
type fixture struct {
	store *memory.Store
	svc   *install.Service
}

func newFixture(t *testing.T, policy string) fixture {
	t.Helper()
	ctx := t.Context()
	s := memory.New()
	must(t, s.CreateWorkspace(ctx, storage.Workspace{ID: "w1", Handle: "acme", Name: "Acme", Policy: storage.WorkspacePolicy{Installs: policy}}))
	for _, u := range []struct{ id, role string }{{"owner", storage.WorkspaceOwner}, {"admin", storage.WorkspaceAdmin}, {"member", storage.WorkspaceMember}, {"guest", storage.WorkspaceGuest}, {"outsider", ""}} {
		must(t, s.CreateUser(ctx, storage.User{ID: u.id, Email: u.id + "@example.com", Role: "user"}))
		if u.role != "" {
			must(t, s.AddMember(ctx, storage.Member{WorkspaceID: "w1", UserID: u.id, Role: u.role, JoinedAt: t0}))
		}
	}
	must(t, s.CreateClient(ctx, storage.Client{ID: "bot", Name: "Bot", Type: storage.ClientConfidential,
		GrantTypes: []string{"client_credentials"}, Scopes: []string{"openid", "im:messages.read", "im:messages.send"}}))
	rec := audit.NewRecorder(audit.RecorderConfig{Store: s, Now: func() time.Time { return t0 }})
	svc := install.New(install.Config{Store: s, Revoker: workspace.TokenRevoker{Tokens: s}, Audit: rec, Now: func() time.Time { return t0 }})
	return fixture{store: s, svc: svc}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// actions returns the actions recorded for the workspace, oldest first.
func (f fixture) actions(t *testing.T) []string {
	t.Helper()
	recs, err := f.store.ListAudit(t.Context(), storage.AuditFilter{WorkspaceID: "w1"}, storage.AuditCursor{}, 100)
	must(t, err)
	var out []string
	for _, r := range slices.Backward(recs) {
		out = append(out, r.Action)
	}
	return out
}

// botToken stores an active access token of the installation in.
func (f fixture) botToken(t *testing.T, in storage.Installation, sig string) {
	t.Helper()
	must(t, f.store.CreateToken(t.Context(), storage.Token{Kind: storage.KindAccessToken, Signature: sig, RequestID: "r-" + sig,
		ClientID: in.ClientID, Subject: in.ID, WorkspaceID: in.WorkspaceID, Scopes: in.Scopes, Active: true, ExpiresAt: t0.Add(time.Hour)}))
}

func (f fixture) active(t *testing.T, sig string) bool {
	t.Helper()
	tok, err := f.store.GetToken(t.Context(), storage.KindAccessToken, sig)
	must(t, err)
	return tok.Active
}

func TestRequestFollowsThePolicy(t *testing.T) {
	t.Parallel()
	all := []string{"im:messages.read", "im:messages.send"}
	cases := []struct {
		policy, user string
		preapproved  bool
		want         string
	}{
		{storage.InstallsAdmins, "admin", false, storage.InstallActive},
		{storage.InstallsAdmins, "owner", false, storage.InstallActive},
		{storage.InstallsAdmins, "member", false, storage.InstallPending},
		{storage.InstallsAdmins, "member", true, storage.InstallPending},
		{"", "member", false, storage.InstallPending},
		{storage.InstallsApproved, "member", false, storage.InstallPending},
		{storage.InstallsApproved, "member", true, storage.InstallActive},
		{storage.InstallsMembers, "member", false, storage.InstallActive},
		{storage.InstallsMembers, "guest", false, storage.InstallPending},
	}
	for _, c := range cases {
		t.Run(c.policy+" "+c.user, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, c.policy)
			if c.preapproved {
				must(t, f.svc.Preapprove(t.Context(), audit.Actor{Type: audit.ActorUser, ID: "admin"}, "w1", "bot", true))
			}
			in, err := f.svc.Request(t.Context(), "w1", "bot", c.user, all)
			must(t, err)
			if in.Status != c.want {
				t.Fatalf("status %q, want %q", in.Status, c.want)
			}
			stored, err := f.store.GetWorkspaceInstallation(t.Context(), "w1", "bot")
			must(t, err)
			if c.want == storage.InstallActive && (!slices.Equal(stored.Scopes, all) || len(stored.Requested) != 0) ||
				c.want == storage.InstallPending && (len(stored.Scopes) != 0 || !slices.Equal(stored.Requested, all)) {
				t.Errorf("stored %+v", stored)
			}
			want := audit.InstallRequested
			if c.want == storage.InstallActive {
				want = audit.AppInstalled
			}
			if got := f.actions(t); got[len(got)-1] != want {
				t.Errorf("recorded %v, want last %s", got, want)
			}
		})
	}
}

func TestRequestRefusesOutsidersAndStrangeScopes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, storage.InstallsMembers)
	ctx := t.Context()
	if _, err := f.svc.Request(ctx, "w1", "bot", "outsider", []string{"im:messages.read"}); !errors.Is(err, install.ErrNotMember) {
		t.Errorf("outsider: %v, want ErrNotMember", err)
	}
	_, err := f.store.UpdateMember(ctx, "w1", "member", func(m storage.Member) (storage.Member, error) { m.Suspended = true; return m, nil })
	must(t, err)
	if _, err := f.svc.Request(ctx, "w1", "bot", "member", []string{"im:messages.read"}); !errors.Is(err, install.ErrNotMember) {
		t.Errorf("suspended member: %v, want ErrNotMember", err)
	}
	var se *install.ScopeError
	if _, err := f.svc.Request(ctx, "w1", "bot", "admin", []string{"im:admin"}); !errors.As(err, &se) {
		t.Errorf("a scope the app does not ask for: %v, want a ScopeError", err)
	}
	if _, err := f.svc.Request(ctx, "w1", "bot", "admin", []string{"openid"}); !errors.As(err, &se) {
		t.Errorf("a sign-in scope: %v, want a ScopeError", err)
	}
	if _, err := f.svc.Request(ctx, "w1", "bot", "admin", nil); !errors.Is(err, install.ErrNoScopes) {
		t.Errorf("no scope: %v, want ErrNoScopes", err)
	}
	if _, err := f.svc.Request(ctx, "w1", "nope", "admin", []string{"im:messages.read"}); !errors.Is(err, install.ErrAppUnavailable) {
		t.Errorf("unknown app: %v, want ErrAppUnavailable", err)
	}
	if _, err := f.store.GetWorkspaceInstallation(ctx, "w1", "bot"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a refused request left an installation: %v", err)
	}
}

func TestApproveNarrowsAndDenyTellsWhy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, storage.InstallsAdmins)
	ctx := t.Context()
	admin := audit.Actor{Type: audit.ActorUser, ID: "admin"}
	in, err := f.svc.Request(ctx, "w1", "bot", "member", []string{"im:messages.read", "im:messages.send"})
	must(t, err)
	if _, err := f.svc.Approve(ctx, admin, "w1", in.ID, []string{"im:admin"}); err == nil {
		t.Error("an approval widened the request")
	}
	if _, err := f.svc.Approve(ctx, admin, storage.DefaultWorkspaceID, in.ID, nil); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("approval through another workspace: %v, want ErrNotFound", err)
	}
	got, err := f.svc.Approve(ctx, admin, "w1", in.ID, []string{"im:messages.read"})
	must(t, err)
	if got.Status != storage.InstallActive || !slices.Equal(got.Scopes, []string{"im:messages.read"}) || len(got.Requested) != 0 || got.DecidedBy != "admin" {
		t.Errorf("approved: %+v", got)
	}
	if _, err := f.svc.Approve(ctx, admin, "w1", in.ID, nil); !errors.Is(err, install.ErrNotPending) {
		t.Errorf("second approval: %v, want ErrNotPending", err)
	}

	// A member asks for more: the installation stays active with what it
	// has; a denial keeps it so and says why.
	got, err = f.svc.Request(ctx, "w1", "bot", "member", []string{"im:messages.send"})
	must(t, err)
	if got.Status != storage.InstallActive || !slices.Equal(got.Scopes, []string{"im:messages.read"}) || !slices.Equal(got.Requested, []string{"im:messages.send"}) || !install.NeedsReapproval(got) {
		t.Errorf("more asked: %+v", got)
	}
	got, err = f.svc.Deny(ctx, admin, "w1", in.ID, "  not for bots  ")
	must(t, err)
	if got.Status != storage.InstallActive || got.Reason != "not for bots" || len(got.Requested) != 0 {
		t.Errorf("re-request denied: %+v", got)
	}
	if _, err := f.svc.Deny(ctx, admin, "w1", in.ID, "x\x00"); err == nil {
		t.Error("a reason with a NUL was taken")
	}
	if want := []string{audit.InstallRequested, audit.InstallApproved, audit.InstallRequested, audit.InstallDenied}; !slices.Equal(f.actions(t), want) {
		t.Errorf("recorded %v, want %v", f.actions(t), want)
	}
}

func TestDeniedRequestIsAskedAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t, storage.InstallsAdmins)
	ctx := t.Context()
	in, err := f.svc.Request(ctx, "w1", "bot", "member", []string{"im:messages.read"})
	must(t, err)
	got, err := f.svc.Deny(ctx, audit.Actor{Type: audit.ActorUser, ID: "admin"}, "w1", in.ID, "ask IT")
	must(t, err)
	if got.Status != storage.InstallDenied || got.Reason != "ask IT" {
		t.Fatalf("denied: %+v", got)
	}
	got, err = f.svc.Request(ctx, "w1", "bot", "member", []string{"im:messages.read"})
	must(t, err)
	if got.Status != storage.InstallPending || got.Reason != "" {
		t.Errorf("asked again: %+v", got)
	}
}

func TestUninstallRevokesTheBotTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t, storage.InstallsAdmins)
	ctx := t.Context()
	in, err := f.svc.Request(ctx, "w1", "bot", "admin", []string{"im:messages.read"})
	must(t, err)
	f.botToken(t, in, "bot-tok")
	must(t, f.store.CreateToken(ctx, storage.Token{Kind: storage.KindAccessToken, Signature: "member-tok", RequestID: "r-m",
		ClientID: "bot", Subject: "member", WorkspaceID: "w1", Active: true, ExpiresAt: t0.Add(time.Hour)}))
	if err := f.svc.Uninstall(ctx, audit.Actor{Type: audit.ActorUser, ID: "owner"}, storage.DefaultWorkspaceID, in.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("uninstall through another workspace: %v, want ErrNotFound", err)
	}
	must(t, f.svc.Uninstall(ctx, audit.Actor{Type: audit.ActorUser, ID: "owner"}, "w1", in.ID))
	if f.active(t, "bot-tok") {
		t.Error("the installation's token is still active")
	}
	if !f.active(t, "member-tok") {
		t.Error("a member's token was revoked with the installation")
	}
	if _, err := f.store.GetInstallation(ctx, in.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("installation after uninstall: %v", err)
	}
	recs, err := f.store.ListAudit(ctx, storage.AuditFilter{Actions: []string{audit.AppUninstalled}}, storage.AuditCursor{}, 10)
	must(t, err)
	if len(recs) != 1 || recs[0].Subject != in.ID || recs[0].WorkspaceID != "w1" || recs[0].ClientID != "bot" {
		t.Errorf("uninstall records: %+v", recs)
	}
}

func TestAppAskingMoreNeedsReapproval(t *testing.T) {
	t.Parallel()
	f := newFixture(t, storage.InstallsAdmins)
	ctx := t.Context()
	in, err := f.svc.Request(ctx, "w1", "bot", "admin", []string{"im:messages.read", "im:messages.send"})
	must(t, err)
	f.botToken(t, in, "bot-tok")
	// A member's token for the app in w1, which the installation capped,
	// and one in another workspace, which it did not.
	for ws, sig := range map[string]string{"w1": "member-tok", storage.DefaultWorkspaceID: "member-default-tok"} {
		must(t, f.store.CreateToken(ctx, storage.Token{Kind: storage.KindAccessToken, Signature: sig, RequestID: "r-" + sig,
			ClientID: "bot", Subject: "member", WorkspaceID: ws, Active: true, ExpiresAt: t0.Add(time.Hour)}))
	}
	_, err = f.store.UpdateClient(ctx, "bot", func(c storage.Client) (storage.Client, error) {
		c.Scopes = append(c.Scopes, "im:files.read")
		return c, nil
	})
	must(t, err)
	list, err := f.svc.List(ctx, "w1", "")
	must(t, err)
	if len(list) != 1 || !install.NeedsReapproval(list[0]) || !slices.Equal(list[0].Requested, []string{"im:files.read"}) ||
		!slices.Equal(list[0].Scopes, []string{"im:messages.read", "im:messages.send"}) {
		t.Fatalf("after the app grew: %+v", list)
	}
	c, err := f.store.GetClient(ctx, "bot")
	must(t, err)
	if got := install.Effective(list[0], c); !slices.Equal(got, []string{"im:messages.read", "im:messages.send"}) {
		t.Errorf("effective before re-approval: %v", got)
	}
	// Listing again records nothing new.
	_, err = f.svc.List(ctx, "w1", "")
	must(t, err)
	if n := len(slices.DeleteFunc(f.actions(t), func(a string) bool { return a != audit.InstallReapproval })); n != 1 {
		t.Errorf("%d re-approval records, want 1", n)
	}
	// Narrowing on re-approval drops an installed scope: the old tokens go.
	got, err := f.svc.Approve(ctx, audit.Actor{Type: audit.ActorUser, ID: "admin"}, "w1", in.ID, []string{"im:messages.read", "im:files.read"})
	must(t, err)
	if !slices.Equal(got.Scopes, []string{"im:messages.read", "im:files.read"}) {
		t.Errorf("re-approved: %+v", got)
	}
	if f.active(t, "bot-tok") {
		t.Error("a token carrying a scope taken away is still active")
	}
	if f.active(t, "member-tok") {
		t.Error("a member's token for the app in the workspace, capped by the old installation, is still active")
	}
	if !f.active(t, "member-default-tok") {
		t.Error("a member's token for the app in another workspace was revoked")
	}
}

// TestWithdrawingAnApprovalNeedsNoApp: an approval given beforehand is
// withdrawn after its app was switched off; a deleted app's approval
// went with it (the store's cascade), so withdrawing it is not found,
// not a complaint about the app.
func TestWithdrawingAnApprovalNeedsNoApp(t *testing.T) {
	t.Parallel()
	t.Run("disabled", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, storage.InstallsApproved)
		ctx := t.Context()
		must(t, f.svc.Preapprove(ctx, adminActor, "w1", "bot", true))
		_, err := f.store.UpdateClient(ctx, "bot", func(c storage.Client) (storage.Client, error) {
			c.Disabled = true
			return c, nil
		})
		must(t, err)
		if err := f.svc.Preapprove(ctx, adminActor, "w1", "bot", true); !errors.Is(err, install.ErrAppUnavailable) {
			t.Fatalf("approving the disabled app again: %v, want ErrAppUnavailable", err)
		}
		must(t, f.svc.Preapprove(ctx, adminActor, "w1", "bot", false))
		if list, err := f.svc.Approved(ctx, "w1"); err != nil || len(list) != 0 {
			t.Fatalf("approved apps after the withdrawal: %+v, %v", list, err)
		}
		if got := f.actions(t); got[len(got)-1] != audit.AppUnapproved {
			t.Errorf("recorded %v, want last %s", got, audit.AppUnapproved)
		}
		if err := f.svc.Preapprove(ctx, adminActor, "w1", "bot", false); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("withdrawing twice: %v, want ErrNotFound", err)
		}
	})
	t.Run("deleted", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, storage.InstallsApproved)
		ctx := t.Context()
		must(t, f.svc.Preapprove(ctx, adminActor, "w1", "bot", true))
		must(t, f.store.DeleteClient(ctx, "bot"))
		if err := f.svc.Preapprove(ctx, adminActor, "w1", "bot", false); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("withdrawing the deleted app's approval: %v, want ErrNotFound", err)
		}
	})
}
