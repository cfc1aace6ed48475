package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tokenim/tokenim-auth/storage"
)

type installKey struct {
	workspaceID, clientID string
}

// installMaps holds the installations and the approved apps.
type installMaps struct {
	byID     map[string]storage.Installation
	byApp    map[installKey]string // → installation ID
	approved map[installKey]storage.ApprovedApp
}

func newInstallMaps() installMaps {
	return installMaps{byID: map[string]storage.Installation{}, byApp: map[installKey]string{}, approved: map[installKey]storage.ApprovedApp{}}
}

// CreateInstallation implements storage.Installations.
func (s *Store) CreateInstallation(ctx context.Context, in storage.Installation) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.workspaces[in.WorkspaceID]; !ok {
			return notFound("create installation: workspace", in.WorkspaceID)
		}
		if _, ok := s.clients[in.ClientID]; !ok {
			return notFound("create installation: client", in.ClientID)
		}
		if _, ok := s.installs.byID[in.ID]; ok {
			return exists("create installation", in.ID)
		}
		k := installKey{in.WorkspaceID, in.ClientID}
		if _, ok := s.installs.byApp[k]; ok {
			return exists("create installation of client "+in.ClientID+" in workspace", in.WorkspaceID)
		}
		put(t, s.installs.byID, in.ID, in.Clone())
		put(t, s.installs.byApp, k, in.ID)
		return nil
	})
}

// GetInstallation implements storage.Installations.
func (s *Store) GetInstallation(ctx context.Context, id string) (storage.Installation, error) {
	var in storage.Installation
	err := s.do(ctx, func(*txn) error {
		got, ok := s.installs.byID[id]
		if !ok {
			return notFound("get installation", id)
		}
		in = got.Clone()
		return nil
	})
	return in, err
}

// GetWorkspaceInstallation implements storage.Installations.
func (s *Store) GetWorkspaceInstallation(ctx context.Context, workspaceID, clientID string) (storage.Installation, error) {
	var in storage.Installation
	err := s.do(ctx, func(*txn) error {
		id, ok := s.installs.byApp[installKey{workspaceID, clientID}]
		if !ok {
			return notFound("get installation of client "+clientID+" in workspace", workspaceID)
		}
		in = s.installs.byID[id].Clone()
		return nil
	})
	return in, err
}

// UpdateInstallation implements storage.Installations.
func (s *Store) UpdateInstallation(ctx context.Context, id string, update func(storage.Installation) (storage.Installation, error)) (storage.Installation, error) {
	var in storage.Installation
	err := s.do(ctx, func(t *txn) error {
		old, ok := s.installs.byID[id]
		if !ok {
			return notFound("update installation", id)
		}
		next, err := update(old.Clone())
		if err != nil {
			return err
		}
		if next.ID != old.ID || next.WorkspaceID != old.WorkspaceID || next.ClientID != old.ClientID {
			return fmt.Errorf("memory: update installation %s: the ID, workspace and client cannot change", id)
		}
		put(t, s.installs.byID, id, next.Clone())
		in = next.Clone()
		return nil
	})
	return in, err
}

// DeleteInstallation implements storage.Installations.
func (s *Store) DeleteInstallation(ctx context.Context, id string) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.installs.byID[id]; !ok {
			return notFound("delete installation", id)
		}
		s.deleteInstallation(t, id)
		return nil
	})
}

func (s *Store) deleteInstallation(t *txn, id string) {
	in := s.installs.byID[id]
	del(t, s.installs.byID, id)
	del(t, s.installs.byApp, installKey{in.WorkspaceID, in.ClientID})
}

// deleteInstallationsWhere removes the installations and approvals of a
// workspace or a client that goes.
func (s *Store) deleteInstallationsWhere(t *txn, match func(workspaceID, clientID string) bool) {
	for id, in := range s.installs.byID {
		if match(in.WorkspaceID, in.ClientID) {
			s.deleteInstallation(t, id)
		}
	}
	delWhere(t, s.installs.approved, func(k installKey, _ storage.ApprovedApp) bool { return match(k.workspaceID, k.clientID) })
}

// listInstallations returns the installations for which match holds,
// oldest first, then by ID.
func (s *Store) listInstallations(ctx context.Context, match func(storage.Installation) bool) ([]storage.Installation, error) {
	var out []storage.Installation
	err := s.do(ctx, func(*txn) error {
		for _, in := range s.installs.byID {
			if match(in) {
				out = append(out, in.Clone())
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.Installation) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, err
}

// ListInstallations implements storage.Installations.
func (s *Store) ListInstallations(ctx context.Context, workspaceID, status string) ([]storage.Installation, error) {
	return s.listInstallations(ctx, func(in storage.Installation) bool {
		return in.WorkspaceID == workspaceID && (status == "" || in.Status == status)
	})
}

// ListClientInstallations implements storage.Installations.
func (s *Store) ListClientInstallations(ctx context.Context, clientID string) ([]storage.Installation, error) {
	return s.listInstallations(ctx, func(in storage.Installation) bool { return in.ClientID == clientID })
}

// ApproveApp implements storage.Installations.
func (s *Store) ApproveApp(ctx context.Context, a storage.ApprovedApp) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.workspaces[a.WorkspaceID]; !ok {
			return notFound("approve app: workspace", a.WorkspaceID)
		}
		if _, ok := s.clients[a.ClientID]; !ok {
			return notFound("approve app: client", a.ClientID)
		}
		put(t, s.installs.approved, installKey{a.WorkspaceID, a.ClientID}, a)
		return nil
	})
}

// GetApprovedApp implements storage.Installations.
func (s *Store) GetApprovedApp(ctx context.Context, workspaceID, clientID string) (storage.ApprovedApp, error) {
	var a storage.ApprovedApp
	err := s.do(ctx, func(*txn) error {
		got, ok := s.installs.approved[installKey{workspaceID, clientID}]
		if !ok {
			return notFound("get approved app "+clientID+" of workspace", workspaceID)
		}
		a = got
		return nil
	})
	return a, err
}

// ListApprovedApps implements storage.Installations.
func (s *Store) ListApprovedApps(ctx context.Context, workspaceID string) ([]storage.ApprovedApp, error) {
	var out []storage.ApprovedApp
	err := s.do(ctx, func(*txn) error {
		for k, a := range s.installs.approved {
			if k.workspaceID == workspaceID {
				out = append(out, a)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.ApprovedApp) int { return strings.Compare(a.ClientID, b.ClientID) })
	return out, err
}

// UnapproveApp implements storage.Installations.
func (s *Store) UnapproveApp(ctx context.Context, workspaceID, clientID string) error {
	return s.do(ctx, func(t *txn) error {
		k := installKey{workspaceID, clientID}
		if _, ok := s.installs.approved[k]; !ok {
			return notFound("unapprove app "+clientID+" of workspace", workspaceID)
		}
		del(t, s.installs.approved, k)
		return nil
	})
}
