package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

type signInKey struct {
	sessionID, clientID string
}

// endSession deletes a login session and its sign-ins, queuing a logout
// delivery for each client signed in through it that has a back-channel
// logout URI: the storage.BackchannelLogouts contract.
func (s *Store) endSession(t *txn, id string) {
	ls := s.sessions[id]
	del(t, s.sessions, id)
	keys := make([]signInKey, 0)
	for k := range s.signIns {
		if k.sessionID == id {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b signInKey) int { return cmp.Compare(a.clientID, b.clientID) })
	for _, k := range keys {
		if c, ok := s.clients[k.clientID]; ok && c.BackchannelLogoutURI != "" {
			s.lastDelivery++
			put(t, s.deliveries, s.lastDelivery, storage.LogoutDelivery{
				ID: s.lastDelivery, ClientID: k.clientID, Subject: ls.UserID, SID: s.signIns[k],
			})
		}
		del(t, s.signIns, k)
	}
}

// dropOrphanSignIns deletes the sign-ins of sessions that are gone
// without being ended (purged once expired).
func (s *Store) dropOrphanSignIns(t *txn) {
	delWhere(t, s.signIns, func(k signInKey, _ string) bool {
		_, ok := s.sessions[k.sessionID]
		return !ok
	})
}

// RecordSessionSignIn implements storage.BackchannelLogouts.
func (s *Store) RecordSessionSignIn(ctx context.Context, si storage.SessionSignIn) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.sessions[si.SessionID]; !ok {
			return notFound("record sign-in of session ref", storage.Ref(si.SessionID))
		}
		if _, ok := s.clients[si.ClientID]; !ok {
			return notFound("record sign-in to client", si.ClientID)
		}
		k := signInKey{si.SessionID, si.ClientID}
		if _, ok := s.signIns[k]; !ok {
			put(t, s.signIns, k, si.SID)
		}
		return nil
	})
}

// ClaimLogoutDeliveries implements storage.BackchannelLogouts; the
// store's mutex makes concurrent claims take turns.
func (s *Store) ClaimLogoutDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]storage.LogoutDelivery, error) {
	if limit < 1 {
		return nil, fmt.Errorf("memory: claim logout deliveries: limit %d below 1", limit)
	}
	var out []storage.LogoutDelivery
	err := s.do(ctx, func(t *txn) error {
		for _, d := range s.deliveries {
			if d.DueAt.IsZero() || !d.DueAt.After(now) {
				out = append(out, d)
			}
		}
		slices.SortFunc(out, func(a, b storage.LogoutDelivery) int { return cmp.Compare(a.ID, b.ID) })
		if len(out) > limit {
			out = out[:limit]
		}
		for i := range out {
			out[i].Attempts++
			out[i].DueAt = now.Add(lease)
			put(t, s.deliveries, out[i].ID, out[i])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RescheduleLogoutDelivery implements storage.BackchannelLogouts.
func (s *Store) RescheduleLogoutDelivery(ctx context.Context, id int64, due time.Time) error {
	return s.do(ctx, func(t *txn) error {
		d, ok := s.deliveries[id]
		if !ok {
			return notFound("reschedule logout delivery", fmt.Sprint(id))
		}
		d.DueAt = due
		put(t, s.deliveries, id, d)
		return nil
	})
}

// FinishLogoutDelivery implements storage.BackchannelLogouts.
func (s *Store) FinishLogoutDelivery(ctx context.Context, id int64) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.deliveries[id]; !ok {
			return notFound("finish logout delivery", fmt.Sprint(id))
		}
		del(t, s.deliveries, id)
		return nil
	})
}
