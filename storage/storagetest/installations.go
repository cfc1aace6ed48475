package storagetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func sampleInstallation(id, workspaceID, clientID string, created int) storage.Installation {
	return storage.Installation{
		ID: id, WorkspaceID: workspaceID, ClientID: clientID,
		Scopes: []string{"messages:read"}, Requested: []string{"messages:write"}, Declined: []string{"messages:delete"},
		Status: storage.InstallPending, RequestedBy: "u1", CreatedAt: at(time.Duration(created) * time.Minute), UpdatedAt: at(time.Duration(created) * time.Minute),
	}
}

// seedInstallable stores the workspace w1 and the clients app1 and app2.
func seedInstallable(t *testing.T, s storage.Store) {
	t.Helper()
	seedWorkspace(t, s, "w1", "acme")
	seedClient(t, s, "app1")
	seedClient(t, s, "app2")
}

func installationTests() []test {
	return []test{
		{"an installation is stored whole and found by ID and by workspace and client", func(t *testing.T, s storage.Store) {
			seedInstallable(t, s)
			in := sampleInstallation("i1", "w1", "app1", 0)
			in.DecidedBy, in.Reason = "u2", "why"
			must(t, s.CreateInstallation(t.Context(), in), "create")
			got, err := s.GetInstallation(t.Context(), "i1")
			must(t, err, "get")
			same(t, "installation", got, in)
			got, err = s.GetWorkspaceInstallation(t.Context(), "w1", "app1")
			must(t, err, "get by workspace and client")
			same(t, "installation by workspace and client", got, in)
			_, err = s.GetInstallation(t.Context(), "nope")
			mustBe(t, err, storage.ErrNotFound, "get unknown")
			_, err = s.GetWorkspaceInstallation(t.Context(), "w1", "app2")
			mustBe(t, err, storage.ErrNotFound, "get an app not installed")
			got.Scopes[0] = "changed"
			again, err := s.GetInstallation(t.Context(), "i1")
			must(t, err, "get again")
			same(t, "installation after the caller changed its copy", again, in)
		}},
		{"a workspace installs an app once; an unknown workspace or app is not found", func(t *testing.T, s storage.Store) {
			seedInstallable(t, s)
			must(t, s.CreateInstallation(t.Context(), sampleInstallation("i1", "w1", "app1", 0)), "create")
			mustBe(t, s.CreateInstallation(t.Context(), sampleInstallation("i1", "w1", "app2", 0)), storage.ErrAlreadyExists, "same ID")
			mustBe(t, s.CreateInstallation(t.Context(), sampleInstallation("i2", "w1", "app1", 0)), storage.ErrAlreadyExists, "same app twice")
			mustBe(t, s.CreateInstallation(t.Context(), sampleInstallation("i3", "nope", "app1", 0)), storage.ErrNotFound, "unknown workspace")
			mustBe(t, s.CreateInstallation(t.Context(), sampleInstallation("i4", "w1", "nope", 0)), storage.ErrNotFound, "unknown client")
			must(t, s.CreateInstallation(t.Context(), sampleInstallation("i5", storage.DefaultWorkspaceID, "app1", 0)), "the same app in another workspace")
		}},
		{"an update is atomic, keeps the keys, and an error of the updater changes nothing", func(t *testing.T, s storage.Store) {
			seedInstallable(t, s)
			in := sampleInstallation("i1", "w1", "app1", 0)
			must(t, s.CreateInstallation(t.Context(), in), "create")
			want := in.Clone()
			want.Scopes, want.Requested, want.Status, want.DecidedBy, want.UpdatedAt = []string{"messages:read", "messages:write"}, nil, storage.InstallActive, "u2", at(time.Duration(5)*time.Minute)
			got, err := s.UpdateInstallation(t.Context(), "i1", func(in storage.Installation) (storage.Installation, error) {
				in.Scopes = append(in.Scopes, in.Requested...)
				in.Requested, in.Status, in.DecidedBy, in.UpdatedAt = nil, storage.InstallActive, "u2", at(time.Duration(5)*time.Minute)
				return in, nil
			})
			must(t, err, "update")
			same(t, "returned", got, want)
			stored, err := s.GetInstallation(t.Context(), "i1")
			must(t, err, "get")
			same(t, "stored", stored, want)
			boom := errors.New("boom")
			_, err = s.UpdateInstallation(t.Context(), "i1", func(in storage.Installation) (storage.Installation, error) {
				in.Status = storage.InstallDenied
				return in, boom
			})
			mustBe(t, err, boom, "updater's error")
			_, err = s.UpdateInstallation(t.Context(), "i1", func(in storage.Installation) (storage.Installation, error) {
				in.ClientID = "app2"
				return in, nil
			})
			if err == nil {
				t.Error("an update that changes the client succeeded")
			}
			stored, err = s.GetInstallation(t.Context(), "i1")
			must(t, err, "get after refused updates")
			same(t, "stored after refused updates", stored, want)
			_, err = s.UpdateInstallation(t.Context(), "nope", func(in storage.Installation) (storage.Installation, error) { return in, nil })
			mustBe(t, err, storage.ErrNotFound, "update unknown")
		}},
		{"installations are listed by workspace and status, and by client, oldest first", func(t *testing.T, s storage.Store) {
			seedInstallable(t, s)
			a := sampleInstallation("i-a", "w1", "app2", 2)
			b := sampleInstallation("i-b", "w1", "app1", 1)
			b.Status = storage.InstallActive
			c := sampleInstallation("i-c", storage.DefaultWorkspaceID, "app1", 0)
			for _, in := range []storage.Installation{a, b, c} {
				must(t, s.CreateInstallation(t.Context(), in), "create "+in.ID)
			}
			list, err := s.ListInstallations(t.Context(), "w1", "")
			must(t, err, "list w1")
			same(t, "w1's installations", list, []storage.Installation{b, a})
			list, err = s.ListInstallations(t.Context(), "w1", storage.InstallPending)
			must(t, err, "list w1 pending")
			same(t, "w1's pending installations", list, []storage.Installation{a})
			list, err = s.ListInstallations(t.Context(), "nope", "")
			must(t, err, "list unknown")
			same(t, "unknown workspace's installations", list, []storage.Installation(nil))
			list, err = s.ListClientInstallations(t.Context(), "app1")
			must(t, err, "list app1")
			same(t, "app1's installations", list, []storage.Installation{c, b})
		}},
		{"an installation is deleted, and goes with its workspace or its app", func(t *testing.T, s storage.Store) {
			seedInstallable(t, s)
			for _, in := range []storage.Installation{sampleInstallation("i1", "w1", "app1", 0), sampleInstallation("i2", "w1", "app2", 0),
				sampleInstallation("i3", storage.DefaultWorkspaceID, "app2", 0)} {
				must(t, s.CreateInstallation(t.Context(), in), "create "+in.ID)
			}
			must(t, s.ApproveApp(t.Context(), storage.ApprovedApp{WorkspaceID: "w1", ClientID: "app2"}), "approve")
			must(t, s.DeleteInstallation(t.Context(), "i1"), "delete")
			_, err := s.GetInstallation(t.Context(), "i1")
			mustBe(t, err, storage.ErrNotFound, "get deleted")
			mustBe(t, s.DeleteInstallation(t.Context(), "i1"), storage.ErrNotFound, "delete again")
			must(t, s.CreateInstallation(t.Context(), sampleInstallation("i1b", "w1", "app1", 0)), "install again after a delete")
			must(t, s.DeleteClient(t.Context(), "app2"), "delete client")
			for _, id := range []string{"i2", "i3"} {
				_, err = s.GetInstallation(t.Context(), id)
				mustBe(t, err, storage.ErrNotFound, id+" after its app went")
			}
			_, err = s.GetApprovedApp(t.Context(), "w1", "app2")
			mustBe(t, err, storage.ErrNotFound, "approval after its app went")
			must(t, s.DeleteWorkspace(t.Context(), "w1"), "delete workspace")
			_, err = s.GetInstallation(t.Context(), "i1b")
			mustBe(t, err, storage.ErrNotFound, "installation after its workspace went")
		}},
		{"an app approved beforehand is found, listed, approved again and withdrawn", func(t *testing.T, s storage.Store) {
			seedInstallable(t, s)
			a2 := storage.ApprovedApp{WorkspaceID: "w1", ClientID: "app2", ApprovedBy: "u1", ApprovedAt: at(0)}
			a1 := storage.ApprovedApp{WorkspaceID: "w1", ClientID: "app1", ApprovedBy: "u1", ApprovedAt: at(0)}
			must(t, s.ApproveApp(t.Context(), a2), "approve app2")
			must(t, s.ApproveApp(t.Context(), a1), "approve app1")
			a1.ApprovedBy, a1.ApprovedAt = "u2", at(time.Duration(1)*time.Minute)
			must(t, s.ApproveApp(t.Context(), a1), "approve app1 again")
			got, err := s.GetApprovedApp(t.Context(), "w1", "app1")
			must(t, err, "get")
			same(t, "approval", got, a1)
			list, err := s.ListApprovedApps(t.Context(), "w1")
			must(t, err, "list")
			same(t, "approvals", list, []storage.ApprovedApp{a1, a2})
			_, err = s.GetApprovedApp(t.Context(), storage.DefaultWorkspaceID, "app1")
			mustBe(t, err, storage.ErrNotFound, "another workspace's")
			mustBe(t, s.ApproveApp(t.Context(), storage.ApprovedApp{WorkspaceID: "nope", ClientID: "app1"}), storage.ErrNotFound, "unknown workspace")
			mustBe(t, s.ApproveApp(t.Context(), storage.ApprovedApp{WorkspaceID: "w1", ClientID: "nope"}), storage.ErrNotFound, "unknown client")
			must(t, s.UnapproveApp(t.Context(), "w1", "app1"), "unapprove")
			mustBe(t, s.UnapproveApp(t.Context(), "w1", "app1"), storage.ErrNotFound, "unapprove again")
			list, err = s.ListApprovedApps(t.Context(), "w1")
			must(t, err, "list after")
			same(t, "approvals after", list, []storage.ApprovedApp{a2})
		}},
		{"an installation created in a transaction rolled back is gone", func(t *testing.T, s storage.Store) {
			seedInstallable(t, s)
			err := storage.InTx(t.Context(), s, func(ctx context.Context) error {
				if err := s.CreateInstallation(ctx, sampleInstallation("i1", "w1", "app1", 0)); err != nil {
					return err
				}
				return errors.New("roll back")
			})
			if err == nil {
				t.Fatal("the transaction committed")
			}
			_, err = s.GetInstallation(t.Context(), "i1")
			mustBe(t, err, storage.ErrNotFound, "get after rollback")
		}},
	}
}
