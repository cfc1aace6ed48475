package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// Purge implements storage.Purger: one pass over the area's map under the
// store's mutex, deleting at most limit records that ended before before.
func (s *Store) Purge(ctx context.Context, area storage.PurgeArea, before time.Time, limit int) (int, error) {
	if limit < 1 {
		return 0, fmt.Errorf("memory: purge %s: limit %d is below 1", area, limit)
	}
	ended := func(end time.Time) bool { return !end.IsZero() && end.Before(before) }
	n := 0
	err := s.do(ctx, func(t *txn) error {
		switch area {
		case storage.PurgeTokens:
			n = purgeMap(t, s.tokens, limit, func(tok storage.Token) bool { return ended(tok.ExpiresAt) })
		case storage.PurgeLoginSessions:
			n = purgeMap(t, s.sessions, limit, func(ls storage.LoginSession) bool { return ended(ls.ExpiresAt) })
			s.dropOrphanSignIns(t)
		case storage.PurgeFlows:
			n = purgeMap(t, s.flows, limit, func(f storage.Flow) bool { return ended(f.ExpiresAt) })
		case storage.PurgeDeviceAuthorizations:
			n = purgeEach(s.devices, limit, func(d storage.DeviceAuthorization) bool { return ended(d.ExpiresAt) },
				func(k string) { s.deleteDevice(t, k) })
		case storage.PurgeLinks:
			n = purgeMap(t, s.links, limit, func(l storage.OneTimeLink) bool { return ended(l.ExpiresAt) })
		case storage.PurgeInvitations:
			n = purgeEach(s.invitations, limit, func(inv storage.Invitation) bool { return ended(inv.ExpiresAt) },
				func(id string) { s.deleteInvitation(t, id) })
		case storage.PurgeJTIs:
			n = purgeMap(t, s.jtis, limit, ended)
		case storage.PurgeCounters:
			n = purgeMap(t, s.counters, limit, func(c storage.Counter) bool { return ended(c.LastFailure) })
		case storage.PurgeRegistrationTokens:
			n = purgeMap(t, s.regTokens, limit, func(tok storage.RegistrationToken) bool { return ended(tok.EndedAt()) })
		default:
			return fmt.Errorf("memory: purge: unknown area %q", area)
		}
		return nil
	})
	return n, err
}

// purgeMap deletes at most limit entries of m for which ended holds, and
// returns how many it deleted.
func purgeMap[K comparable, V any](t *txn, m map[K]V, limit int, ended func(V) bool) int {
	return purgeEach(m, limit, ended, func(k K) { del(t, m, k) })
}

// purgeEach passes to drop at most limit keys of m whose entries ended,
// for a record stored under more than one key (a device request with its
// user code, an invitation with its token), and returns how many it
// dropped.
func purgeEach[K comparable, V any](m map[K]V, limit int, ended func(V) bool, drop func(K)) int {
	n := 0
	for k, v := range m {
		if n == limit {
			break
		}
		if ended(v) {
			drop(k)
			n++
		}
	}
	return n
}

// TryLock takes the lock called name if no one holds it, without waiting:
// ok is false when it is held. unlock releases it; calling it again does
// nothing. A lock of the memory store is shared only by the users of this
// Store value, which is all there is of it.
func (s *Store) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	err = s.do(ctx, func(*txn) error {
		if s.locks[name] {
			return nil
		}
		s.locks[name], ok = true, true
		return nil
	})
	if err != nil || !ok {
		return nil, false, err
	}
	return sync.OnceFunc(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.locks, name)
	}), true, nil
}
