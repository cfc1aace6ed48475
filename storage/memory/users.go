package memory

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tokenim/tokenim-auth/storage"
)

// CreateUser implements storage.Users.
func (s *Store) CreateUser(ctx context.Context, u storage.User) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.users[u.ID]; ok {
			return exists("create user", u.ID)
		}
		if _, ok := s.emails[lower(u.Email)]; ok {
			return exists("create user with email", u.Email)
		}
		put(t, s.users, u.ID, (withRole(u)).Clone())
		put(t, s.emails, lower(u.Email), u.ID)
		if _, ok := s.workspaces[storage.DefaultWorkspaceID]; ok {
			return s.addMember(t, storage.Member{WorkspaceID: storage.DefaultWorkspaceID, UserID: u.ID,
				Role: storage.DefaultRole(withRole(u).Role), JoinedAt: u.CreatedAt})
		}
		return nil
	})
}

// GetUser implements storage.Users.
func (s *Store) GetUser(ctx context.Context, id string) (storage.User, error) {
	var u storage.User
	err := s.do(ctx, func(*txn) error {
		got, ok := s.users[id]
		if !ok {
			return notFound("get user", id)
		}
		u = got.Clone()
		return nil
	})
	return u, err
}

// GetUserByEmail implements storage.Users.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (storage.User, error) {
	var u storage.User
	err := s.do(ctx, func(*txn) error {
		id, ok := s.emails[lower(email)]
		if !ok {
			return notFound("get user by email", email)
		}
		u = (s.users[id]).Clone()
		return nil
	})
	return u, err
}

// ListUsers implements storage.Users.
func (s *Store) ListUsers(ctx context.Context, p storage.Page) ([]storage.User, error) {
	var all []storage.User
	err := s.do(ctx, func(*txn) error {
		for _, u := range s.users {
			if lower(u.Email) > p.After {
				all = append(all, u.Clone())
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b storage.User) int { return strings.Compare(lower(a.Email), lower(b.Email)) })
	if len(all) > p.EffectiveLimit() {
		all = all[:p.EffectiveLimit()]
	}
	return all, nil
}

// UpdateUser implements storage.Users.
func (s *Store) UpdateUser(ctx context.Context, id string, update func(storage.User) (storage.User, error)) (storage.User, error) {
	var u storage.User
	err := s.do(ctx, func(t *txn) error {
		old, ok := s.users[id]
		if !ok {
			return notFound("update user", id)
		}
		next, err := update(old.Clone())
		if err != nil {
			return err
		}
		if next.ID != id {
			return fmt.Errorf("memory: update user %s: the ID cannot change", id)
		}
		if lower(next.Email) != lower(old.Email) {
			if _, taken := s.emails[lower(next.Email)]; taken {
				return exists("update user email", next.Email)
			}
			del(t, s.emails, lower(old.Email))
			put(t, s.emails, lower(next.Email), id)
		}
		next = withRole(next)
		put(t, s.users, id, next.Clone())
		u = next.Clone()
		return nil
	})
	return u, err
}

// CreateLoginSession implements storage.LoginSessions.
func (s *Store) CreateLoginSession(ctx context.Context, ls storage.LoginSession) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.sessions[ls.ID]; ok {
			return exists("create login session ref", storage.Ref(ls.ID))
		}
		if _, ok := s.users[ls.UserID]; !ok {
			return notFound("create login session for user", ls.UserID)
		}
		put(t, s.sessions, ls.ID, ls.Clone())
		return nil
	})
}

// GetLoginSession implements storage.LoginSessions.
func (s *Store) GetLoginSession(ctx context.Context, id string) (storage.LoginSession, error) {
	var ls storage.LoginSession
	err := s.do(ctx, func(*txn) error {
		got, ok := s.sessions[id]
		if !ok {
			return notFound("get login session ref", storage.Ref(id))
		}
		ls = got.Clone()
		return nil
	})
	return ls, err
}

// ListLoginSessions implements storage.LoginSessions.
func (s *Store) ListLoginSessions(ctx context.Context, userID string) ([]storage.LoginSession, error) {
	var out []storage.LoginSession
	err := s.do(ctx, func(*txn) error {
		for _, ls := range s.sessions {
			if ls.UserID == userID {
				out = append(out, ls.Clone())
			}
		}
		return nil
	})
	sortSessions(out)
	return out, err
}

// ListUpstreamSessions implements storage.LoginSessions.
func (s *Store) ListUpstreamSessions(ctx context.Context, connector, subject, sid string) ([]storage.LoginSession, error) {
	if connector == "" || (subject == "" && sid == "") {
		return nil, nil
	}
	var out []storage.LoginSession
	err := s.do(ctx, func(*txn) error {
		for _, ls := range s.sessions {
			if ls.Upstream == connector && (subject == "" || ls.UpstreamSubject == subject) && (sid == "" || ls.UpstreamSID == sid) {
				out = append(out, ls.Clone())
			}
		}
		return nil
	})
	sortSessions(out)
	return out, err
}

// sortSessions orders sessions newest first, ties by ID, as Postgres
// lists them.
func sortSessions(l []storage.LoginSession) {
	slices.SortFunc(l, func(a, b storage.LoginSession) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// DeleteLoginSession implements storage.LoginSessions.
func (s *Store) DeleteLoginSession(ctx context.Context, id string) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.sessions[id]; !ok {
			return notFound("delete login session ref", storage.Ref(id))
		}
		s.endSession(t, id)
		return nil
	})
}

// DeleteUserLoginSessions implements storage.LoginSessions.
func (s *Store) DeleteUserLoginSessions(ctx context.Context, userID string) (int, error) {
	n := 0
	err := s.do(ctx, func(t *txn) error {
		// In ID order, as Postgres queues their deliveries.
		for _, id := range slices.Sorted(maps.Keys(s.sessions)) {
			if s.sessions[id].UserID == userID {
				s.endSession(t, id)
				n++
			}
		}
		return nil
	})
	return n, err
}

// withRole stores an empty role as member, as the contract says.
func withRole(u storage.User) storage.User {
	if u.Role == "" {
		u.Role = "member"
	}
	return u
}
