package workspace_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/mail"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

var t0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

// store is what a fixture runs over: a memory or a Postgres store.
type store interface {
	workspace.Store
	storage.Audit
	CreateUser(ctx context.Context, u storage.User) error
}

// revoked records the members whose tokens were revoked; fail, when set,
// is what RevokeMember returns. A double for the seam the signin slice's
// storage fills (storage.Tokens' revocation by workspace).
type revoked struct {
	mu    sync.Mutex
	calls []string
	fail  error
}

func (r *revoked) RevokeMember(_ context.Context, workspaceID, userID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.calls = append(r.calls, workspaceID+"/"+userID)
	return nil
}

func (r *revoked) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// outbox keeps the mails sent; composer writes them plainly.
type outbox struct {
	mu   sync.Mutex
	sent []mail.Message
}

func (o *outbox) Send(_ context.Context, m mail.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, m)
	return nil
}

type composer struct{}

func (composer) WorkspaceInvitation(loc mail.Locale, to string, m workspace.InvitationMail) (mail.Message, error) {
	return mail.Message{To: to, Subject: string(loc) + " join " + m.Workspace + " as " + m.Role, Text: m.Link}, nil
}

type fixture struct {
	svc     *workspace.Service
	store   store
	revoked *revoked
	mails   *outbox
	clock   *clock
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func newFixture(t testing.TB, s store) *fixture {
	t.Helper()
	ring, err := secret.NewKeyring(strings.Repeat("s", 32))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: s, revoked: &revoked{}, mails: &outbox{}, clock: &clock{t: t0}}
	f.svc = workspace.New(workspace.Config{
		Store: s, Roles: workspace.Roles{"admin", "member", "guest"},
		Audit:   audit.NewRecorder(audit.RecorderConfig{Store: s, Now: f.clock.now}),
		Revoker: f.revoked, Links: secret.NewHasherFor(ring, secret.PurposeOneTimeLinks),
		Mail: f.mails, Composer: composer{}, Issuer: "https://auth.example.com", Now: f.clock.now,
	})
	for _, id := range []string{"ann", "bob", "cat"} {
		u := storage.User{ID: id, Email: id + "@example.com", Status: storage.UserActive, Role: "member", CreatedAt: t0}
		if err := s.CreateUser(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func memoryFixture(t *testing.T) *fixture { return newFixture(t, memory.New()) }

var admin = audit.Actor{Type: audit.ActorClient, ID: "ops"}

// create makes workspace "acme" owned by ann.
func (f *fixture) create(t *testing.T) storage.Workspace {
	t.Helper()
	w, err := f.svc.Create(t.Context(), admin, workspace.Settings{Handle: "Acme", Name: " Acme Inc. "}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// records returns the actions recorded for the workspace, oldest first.
func (f *fixture) records(t *testing.T, workspaceID string) []storage.AuditRecord {
	t.Helper()
	recs, err := f.store.ListAudit(t.Context(), storage.AuditFilter{WorkspaceID: workspaceID}, storage.AuditCursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(recs)-1; i < j; i, j = i+1, j-1 {
		recs[i], recs[j] = recs[j], recs[i]
	}
	return recs
}

func actions(recs []storage.AuditRecord) string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Action)
	}
	return strings.Join(out, " ")
}

func TestCreateMakesTheCreatorOwnerAndRecordsIt(t *testing.T) {
	t.Parallel()
	f := memoryFixture(t)
	w := f.create(t)
	if w.Handle != "acme" || w.Name != "Acme Inc." {
		t.Fatalf("workspace %+v: want handle acme, name trimmed", w)
	}
	m, err := f.store.GetMember(t.Context(), w.ID, "ann")
	if err != nil || m.Role != storage.WorkspaceOwner {
		t.Fatalf("ann's membership %+v, %v: want owner", m, err)
	}
	recs := f.records(t, w.ID)
	if actions(recs) != audit.WorkspaceCreated || recs[0].ActorID != "ops" || recs[0].Detail["owner"] != "ann" {
		t.Fatalf("records %+v", recs)
	}
	if _, err := f.svc.Create(t.Context(), admin, workspace.Settings{Handle: "ACME", Name: "Again"}, ""); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Fatalf("a taken handle in other letters: %v, want ErrAlreadyExists", err)
	}
	if _, err := f.svc.Create(t.Context(), admin, workspace.Settings{Handle: "default", Name: "X"}, ""); err == nil {
		t.Fatal("the reserved handle default was taken")
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	for h, ok := range map[string]bool{
		"ab": true, "acme-2": true, "ACME": true, strings.Repeat("a", 40): true,
		"a": false, strings.Repeat("a", 41): false, "-ab": false, "ab-": false, "a_b": false, "a b": false,
		"default": false, "admin": false, "caf\u00e9": false, "a\x00b": false, "\xff\xfe": false,
	} {
		if _, err := workspace.Handle(h); (err == nil) != ok {
			t.Errorf("Handle(%q) = %v, want ok %v", h, err, ok)
		}
	}
	for n, ok := range map[string]bool{"Acme": true, "  ": false, strings.Repeat("名", 100): true, strings.Repeat("名", 101): false, "a\nb": false, "\xff": false} {
		if _, err := workspace.Name(n); (err == nil) != ok {
			t.Errorf("Name(%q) = %v, want ok %v", n, err, ok)
		}
	}
	roles := workspace.Roles{"admin", "member"}
	if roles.Check("owner") != nil || roles.Check("member") != nil || roles.Check("root") == nil || roles.Check("") == nil {
		t.Error("roles: owner and the configured ones only")
	}
	for _, p := range []storage.WorkspacePolicy{
		{SignInMethods: []string{"sms"}}, {SignInMethods: []string{"connector:"}}, {SignInMethods: []string{"connector:A B"}},
		{SessionLifetime: time.Minute}, {SessionLifetime: 91 * 24 * time.Hour}, {Installs: "anyone"},
	} {
		if _, err := workspace.Policy(p); err == nil {
			t.Errorf("Policy(%+v) accepted", p)
		}
	}
	p, err := workspace.Policy(storage.WorkspacePolicy{SignInMethods: []string{"passkey", "connector:feishu", "passkey"}, SessionLifetime: time.Hour, Installs: storage.InstallsApproved})
	if err != nil || strings.Join(p.SignInMethods, ",") != "passkey,connector:feishu" {
		t.Errorf("a good policy: %+v, %v", p, err)
	}
	if workspace.MayChange("admin", "member", "owner") == nil || workspace.MayChange("admin", "owner", "") == nil ||
		workspace.MayChange("admin", "member", "guest") != nil || workspace.MayChange("owner", "owner", "member") != nil {
		t.Error("MayChange: only an owner gives, takes or removes the owner role")
	}
}

func TestUpdateRecordsWhatChanged(t *testing.T) {
	t.Parallel()
	f := memoryFixture(t)
	w := f.create(t)
	name, handle := "Acme Group", "acme-group"
	pol := storage.WorkspacePolicy{RequireMFA: true}
	got, err := f.svc.Update(t.Context(), admin, w.ID, workspace.Change{Name: &name, Handle: &handle, Policy: &pol})
	if err != nil || got.Name != name || got.Handle != handle || !got.Policy.RequireMFA {
		t.Fatalf("update: %+v, %v", got, err)
	}
	if _, err := f.svc.Update(t.Context(), admin, w.ID, workspace.Change{Name: &name}); err != nil {
		t.Fatal(err)
	}
	recs := f.records(t, w.ID)
	if actions(recs) != "workspace.created workspace.updated" || recs[1].Detail["handle_before"] != "acme" || recs[1].Detail["policy"] != "changed" {
		t.Fatalf("records %+v: one update recorded, with what changed", recs)
	}
	other := "other"
	if _, err := f.svc.Update(t.Context(), admin, storage.DefaultWorkspaceID, workspace.Change{Handle: &other}); err == nil {
		t.Fatal("the default workspace's handle changed")
	}
	if err := f.svc.Delete(t.Context(), admin, storage.DefaultWorkspaceID); !errors.Is(err, workspace.ErrDefaultWorkspace) {
		t.Fatalf("delete default: %v", err)
	}
}

func TestRemovingAMemberRevokesTheirTokensOfTheWorkspace(t *testing.T) {
	t.Parallel()
	f := memoryFixture(t)
	ctx := t.Context()
	w := f.create(t)
	if _, err := f.svc.AddMember(ctx, admin, w.ID, "bob", "member"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddMember(ctx, admin, w.ID, "bob", "member"); !errors.Is(err, workspace.ErrAlreadyMember) {
		t.Fatalf("adding bob twice: %v", err)
	}
	if _, err := f.svc.AddMember(ctx, admin, w.ID, "cat", "root"); err == nil {
		t.Fatal("an unknown role was given")
	}
	// A revocation that fails leaves bob a member: never a removed member
	// with live tokens.
	f.revoked.fail = errors.New("store down")
	if err := f.svc.RemoveMember(ctx, admin, w.ID, "bob", nil); err == nil {
		t.Fatal("removed although the tokens were not revoked")
	}
	if _, err := f.store.GetMember(ctx, w.ID, "bob"); err != nil {
		t.Fatalf("bob after a failed removal: %v", err)
	}
	f.revoked.fail = nil
	if err := f.svc.RemoveMember(ctx, admin, w.ID, "bob", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.GetMember(ctx, w.ID, "bob"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("bob after removal: %v", err)
	}
	if _, err := f.svc.AddMember(ctx, admin, w.ID, "cat", "admin"); err != nil {
		t.Fatal(err)
	}
	// A new role revokes the tokens the old one capped.
	if _, err := f.svc.ChangeRole(ctx, admin, w.ID, "cat", "member", nil); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Leave(ctx, w.ID, "cat"); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.revoked.list(), " "); got != w.ID+"/bob "+w.ID+"/cat "+w.ID+"/cat" {
		t.Fatalf("revoked %q, want bob's tokens of the workspace, then cat's on her new role and as she left", got)
	}
	recs := f.records(t, w.ID)
	if actions(recs) != "workspace.created workspace.member_added workspace.member_removed workspace.member_added workspace.role_changed workspace.member_left" {
		t.Fatalf("records: %s", actions(recs))
	}
	if left := recs[5]; left.ActorType != audit.ActorUser || left.ActorID != "cat" || left.Subject != "cat" {
		t.Fatalf("leaving recorded as %+v", left)
	}
}

func TestTheLastOwnerStays(t *testing.T) {
	t.Parallel()
	f := memoryFixture(t)
	ctx := t.Context()
	w := f.create(t)
	if _, err := f.svc.ChangeRole(ctx, admin, w.ID, "ann", "admin", nil); !errors.Is(err, workspace.ErrLastOwner) {
		t.Fatalf("demoting the last owner: %v", err)
	}
	if err := f.svc.Leave(ctx, w.ID, "ann"); !errors.Is(err, workspace.ErrLastOwner) {
		t.Fatalf("the last owner leaving: %v", err)
	}
	if _, err := f.svc.AddMember(ctx, admin, w.ID, "bob", "admin"); err != nil {
		t.Fatal(err)
	}
	onlyOwners := func(from string) error { return workspace.MayChange("admin", from, "owner") }
	if _, err := f.svc.ChangeRole(ctx, admin, w.ID, "bob", "owner", onlyOwners); !errors.Is(err, workspace.ErrOwnersOnly) {
		t.Fatalf("an admin making an owner: %v", err)
	}
	if _, err := f.svc.ChangeRole(ctx, admin, w.ID, "bob", "owner", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ChangeRole(ctx, admin, w.ID, "ann", "member", nil); err != nil {
		t.Fatalf("demoting one of two owners: %v", err)
	}
}

// concurrentRemovals removes both owners of a workspace at once: one
// removal wins, the other finds the last owner.
func concurrentRemovals(t *testing.T, f *fixture) {
	ctx := t.Context()
	w := f.create(t)
	if _, err := f.svc.AddMember(ctx, admin, w.ID, "bob", "owner"); err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, id := range []string{"ann", "bob"} {
			wg.Go(func() { errs[i] = f.svc.RemoveMember(ctx, admin, w.ID, id, nil) })
		}
		wg.Wait()
		n, err := f.store.CountMembers(ctx, w.ID, storage.WorkspaceOwner)
		if err != nil {
			t.Fatal(err)
		}
		lost := 0
		for _, err := range errs {
			if errors.Is(err, workspace.ErrLastOwner) {
				lost++
			} else if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if n != 1 || lost != 1 {
			t.Fatalf("round %d: %d owners left, %d removals refused: want 1 and 1 (errors %v)", round, n, lost, errs)
		}
		// Back to two owners for the next round.
		for _, id := range []string{"ann", "bob"} {
			if _, err := f.store.GetMember(ctx, w.ID, id); errors.Is(err, storage.ErrNotFound) {
				if _, err := f.svc.AddMember(ctx, admin, w.ID, id, "owner"); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func TestConcurrentRemovalsKeepAnOwnerMemory(t *testing.T) {
	t.Parallel()
	concurrentRemovals(t, memoryFixture(t))
}

func TestConcurrentRemovalsKeepAnOwnerPostgres(t *testing.T) {
	t.Parallel()
	concurrentRemovals(t, newFixture(t, pgtest.Open(t)))
}

func TestInvitationExpires(t *testing.T) {
	t.Parallel()
	f := memoryFixture(t)
	ctx := t.Context()
	w := f.create(t)
	sent, err := f.svc.Invite(ctx, audit.Actor{Type: audit.ActorUser, ID: "ann"}, w.ID, "bob@example.com", "member", mail.Chinese, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !sent.Mailed || len(f.mails.sent) != 1 || f.mails.sent[0].To != "bob@example.com" || f.mails.sent[0].Text != sent.Link ||
		!strings.HasPrefix(f.mails.sent[0].Subject, "zh-CN join Acme Inc. as member") {
		t.Fatalf("sent %+v, mails %+v", sent, f.mails.sent)
	}
	token := strings.TrimPrefix(sent.Link, "https://auth.example.com/invitations/")
	if sent.Invitation.ExpiresAt != t0.Add(workspace.DefaultInvitationLife) || sent.Invitation.InvitedBy != "ann" {
		t.Fatalf("invitation %+v: want 7 days, invited by ann", sent.Invitation)
	}
	f.clock.set(t0.Add(workspace.DefaultInvitationLife - time.Second))
	if p, err := f.svc.Lookup(ctx, token); err != nil || p.Workspace.ID != w.ID || p.Invitation.Role != "member" {
		t.Fatalf("lookup a second before it expires: %+v, %v", p, err)
	}
	f.clock.set(t0.Add(workspace.DefaultInvitationLife))
	if _, err := f.svc.Lookup(ctx, token); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("lookup once expired: %v", err)
	}
	if _, err := f.svc.Accept(ctx, token, "bob"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("accept once expired: %v", err)
	}
	if _, err := f.svc.Invite(ctx, admin, w.ID, "Bob <bob@example.com>", "member", mail.English, nil); err == nil {
		t.Fatal("an address with a display name was invited")
	}
	if _, err := f.svc.Invite(ctx, admin, w.ID, "bob@example.com", "root", mail.English, nil); err == nil {
		t.Fatal("an unknown role was offered")
	}
}

func TestInvitationIsAcceptedOnceAndStoresOnlyAHash(t *testing.T) {
	t.Parallel()
	f := memoryFixture(t)
	ctx := t.Context()
	w := f.create(t)
	sent, err := f.svc.Invite(ctx, admin, w.ID, "someone@example.com", "admin", mail.English, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(sent.Link, "https://auth.example.com/invitations/")
	if len(token) < 40 || strings.Contains(sent.Invitation.TokenHash, token) {
		t.Fatalf("token %q, stored hash %q: want a long random token, not stored", token, sent.Invitation.TokenHash)
	}
	// The stored hash is no token: a database reader cannot accept with it.
	if _, err := f.svc.Lookup(ctx, sent.Invitation.TokenHash); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the stored hash used as a token: %v", err)
	}
	// ann, already a member, cannot use it; it stays for bob.
	if _, err := f.svc.Accept(ctx, token, "ann"); !errors.Is(err, workspace.ErrAlreadyMember) {
		t.Fatalf("a member accepting: %v", err)
	}
	// bob's address is not the invited one: he joins all the same, and
	// the record says so.
	m, err := f.svc.Accept(ctx, token, "bob")
	if err != nil || m.Role != "admin" {
		t.Fatalf("bob accepts: %+v, %v", m, err)
	}
	if _, err := f.svc.Accept(ctx, token, "cat"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("accepting a used invitation: %v", err)
	}
	recs := f.records(t, w.ID)
	last := recs[len(recs)-1]
	if actions(recs) != "workspace.created workspace.invitation_sent workspace.invitation_accepted" ||
		last.ActorID != "bob" || last.Detail["email_matches"] != "false" || last.Detail["email"] != "someone@example.com" {
		t.Fatalf("records %s, last %+v", actions(recs), last)
	}
	if recs[1].Detail["invitation"] != sent.Invitation.ID || strings.Contains(recs[1].Detail["expires"]+recs[1].Detail["email"], token) {
		t.Fatalf("sent record %+v", recs[1])
	}
}

func TestRevokeInvitation(t *testing.T) {
	t.Parallel()
	f := memoryFixture(t)
	ctx := t.Context()
	w := f.create(t)
	other, err := f.svc.Create(ctx, admin, workspace.Settings{Handle: "other", Name: "Other"}, "")
	if err != nil {
		t.Fatal(err)
	}
	sent, err := f.svc.Invite(ctx, admin, w.ID, "bob@example.com", "member", mail.English, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RevokeInvitation(ctx, admin, other.ID, sent.Invitation.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("revoking through another workspace: %v", err)
	}
	if err := f.svc.RevokeInvitation(ctx, admin, w.ID, sent.Invitation.ID); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(sent.Link, "https://auth.example.com/invitations/")
	if _, err := f.svc.Accept(ctx, token, "bob"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("accepting a revoked invitation: %v", err)
	}
	if err := f.svc.Delete(ctx, admin, w.ID); err != nil {
		t.Fatal(err)
	}
	if got := f.revoked.list(); len(got) != 1 || got[0] != w.ID+"/ann" {
		t.Fatalf("deleting revoked %v, want ann's tokens of it", got)
	}
	if actions(f.records(t, w.ID)) != "workspace.created workspace.invitation_sent workspace.invitation_revoked workspace.deleted" {
		t.Fatalf("records %s", actions(f.records(t, w.ID)))
	}
}
