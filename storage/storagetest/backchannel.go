package storagetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// errSample fails a transaction on purpose.
var errSample = errors.New("sample failure")

// lease is how long a claim holds its deliveries in these cases.
const lease = time.Minute

// backchannelWorld is a user signed in on two browsers (sessions s1, s2) to
// two clients that take back-channel logouts (rp1, rp2) and one that does
// not (plain). s1 signed in to rp1, rp2 and plain; s2 to rp1 only.
func backchannelWorld(t *testing.T, s storage.Store) {
	t.Helper()
	ctx := t.Context()
	seedUser(t, s, "u1", "ann@example.com")
	for _, id := range []string{"rp1", "rp2"} {
		c := sampleClient(id)
		c.BackchannelLogoutURI = "https://" + id + ".example/backchannel"
		must(t, s.CreateClient(ctx, c), "create client "+id)
	}
	seedClient(t, s, "plain")
	must(t, s.CreateLoginSession(ctx, sampleSession("s1", "u1", at(0))), "create session s1")
	must(t, s.CreateLoginSession(ctx, sampleSession("s2", "u1", at(time.Second))), "create session s2")
	for _, si := range []storage.SessionSignIn{
		{SessionID: "s1", ClientID: "rp1", SID: "sid-1"},
		{SessionID: "s1", ClientID: "rp2", SID: "sid-1"},
		{SessionID: "s1", ClientID: "plain", SID: "sid-1"},
		{SessionID: "s1", ClientID: "rp1", SID: "sid-1"}, // a second sign-in, same pair
		{SessionID: "s2", ClientID: "rp1", SID: "sid-2"},
	} {
		must(t, s.RecordSessionSignIn(ctx, si), "record sign-in "+si.SessionID+" "+si.ClientID)
	}
}

// claimAll claims every delivery due at now (up to 100).
func claimAll(t *testing.T, s storage.Store, now time.Time) []storage.LogoutDelivery {
	t.Helper()
	ds, err := s.ClaimLogoutDeliveries(t.Context(), now, lease, 100)
	must(t, err, "claim")
	return ds
}

// queued describes deliveries without their IDs and leases, to compare.
func queued(ds []storage.LogoutDelivery) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s sub=%s sid=%s attempt=%d", d.ClientID, d.Subject, d.SID, d.Attempts))
	}
	return out
}

func backchannelTests() []test {
	return []test{
		{"a client's back-channel logout URI and session requirement read back and update", func(t *testing.T, s storage.Store) {
			c := sampleClient("rp")
			c.BackchannelLogoutURI = "https://rp.example/backchannel"
			c.BackchannelLogoutSessionRequired = true
			must(t, s.CreateClient(t.Context(), c), "create")
			got, err := s.GetClient(t.Context(), "rp")
			must(t, err, "get")
			same(t, "client", got, c)
			_, err = s.UpdateClient(t.Context(), "rp", func(c storage.Client) (storage.Client, error) {
				c.BackchannelLogoutURI, c.BackchannelLogoutSessionRequired = "", false
				return c, nil
			})
			must(t, err, "update")
			got, err = s.GetClient(t.Context(), "rp")
			must(t, err, "get after update")
			if got.BackchannelLogoutURI != "" || got.BackchannelLogoutSessionRequired {
				t.Fatalf("after clearing: uri %q, session required %v", got.BackchannelLogoutURI, got.BackchannelLogoutSessionRequired)
			}
		}},
		{"ending a session queues one delivery per client with a URI it signed in to", func(t *testing.T, s storage.Store) {
			backchannelWorld(t, s)
			must(t, s.DeleteLoginSession(t.Context(), "s1"), "delete s1")
			same(t, "claimed", queued(claimAll(t, s, at(time.Hour))), []string{
				"rp1 sub=u1 sid=sid-1 attempt=1",
				"rp2 sub=u1 sid=sid-1 attempt=1",
			})
			same(t, "claimed again within the lease", queued(claimAll(t, s, at(time.Hour))), []string(nil))
		}},
		{"signing a user out everywhere queues a delivery per session and client", func(t *testing.T, s storage.Store) {
			backchannelWorld(t, s)
			n, err := s.DeleteUserLoginSessions(t.Context(), "u1")
			must(t, err, "delete sessions")
			if n != 2 {
				t.Fatalf("ended %d sessions, want 2", n)
			}
			same(t, "claimed", queued(claimAll(t, s, at(time.Hour))), []string{
				"rp1 sub=u1 sid=sid-1 attempt=1",
				"rp2 sub=u1 sid=sid-1 attempt=1",
				"rp1 sub=u1 sid=sid-2 attempt=1",
			})
		}},
		{"deliveries queued in a transaction are rolled back with it", func(t *testing.T, s storage.Store) {
			backchannelWorld(t, s)
			ctx := t.Context()
			err := storage.InTx(ctx, s, func(ctx context.Context) error {
				if _, err := s.DeleteUserLoginSessions(ctx, "u1"); err != nil {
					return err
				}
				return errSample
			})
			if !errors.Is(err, errSample) {
				t.Fatalf("transaction: %v, want the sample error", err)
			}
			same(t, "claimed after the rollback", queued(claimAll(t, s, at(time.Hour))), []string(nil))
			_, err = s.GetLoginSession(ctx, "s2")
			must(t, err, "session s2 after the rollback")
			// The sign-ins came back with the sessions.
			must(t, s.DeleteLoginSession(ctx, "s2"), "delete s2")
			same(t, "claimed", queued(claimAll(t, s, at(time.Hour))), []string{"rp1 sub=u1 sid=sid-2 attempt=1"})
		}},
		{"deliveries queued in a committed transaction are claimed", func(t *testing.T, s storage.Store) {
			backchannelWorld(t, s)
			must(t, storage.InTx(t.Context(), s, func(ctx context.Context) error {
				return s.DeleteLoginSession(ctx, "s2")
			}), "transaction")
			same(t, "claimed", queued(claimAll(t, s, at(time.Hour))), []string{"rp1 sub=u1 sid=sid-2 attempt=1"})
		}},
		{"a rescheduled delivery is due again at its time, an abandoned one when its lease ends", func(t *testing.T, s storage.Store) {
			backchannelWorld(t, s)
			must(t, s.DeleteLoginSession(t.Context(), "s1"), "delete s1")
			ds := claimAll(t, s, at(0))
			if len(ds) != 2 {
				t.Fatalf("claimed %d, want 2", len(ds))
			}
			if !ds[0].DueAt.Equal(at(lease)) {
				t.Errorf("leased until %v, want %v", ds[0].DueAt, at(lease))
			}
			must(t, s.RescheduleLogoutDelivery(t.Context(), ds[0].ID, at(10*time.Second)), "reschedule")
			same(t, "claimed before it is due", queued(claimAll(t, s, at(9*time.Second))), []string(nil))
			same(t, "claimed when due", queued(claimAll(t, s, at(10*time.Second))), []string{"rp1 sub=u1 sid=sid-1 attempt=2"})
			// The other one was never finished nor rescheduled: its
			// sender died. It is taken again once the lease has run out.
			same(t, "claimed at the end of the lease", queued(claimAll(t, s, at(lease))), []string{"rp2 sub=u1 sid=sid-1 attempt=2"})
		}},
		{"a finished delivery is gone", func(t *testing.T, s storage.Store) {
			backchannelWorld(t, s)
			must(t, s.DeleteLoginSession(t.Context(), "s2"), "delete s2")
			ds := claimAll(t, s, at(0))
			if len(ds) != 1 {
				t.Fatalf("claimed %d, want 1", len(ds))
			}
			must(t, s.FinishLogoutDelivery(t.Context(), ds[0].ID), "finish")
			same(t, "claimed after the lease", queued(claimAll(t, s, at(time.Hour))), []string(nil))
			mustBe(t, s.FinishLogoutDelivery(t.Context(), ds[0].ID), storage.ErrNotFound, "finish again")
			mustBe(t, s.RescheduleLogoutDelivery(t.Context(), ds[0].ID, at(time.Hour)), storage.ErrNotFound, "reschedule finished")
		}},
		{"a claim takes at most its limit, oldest first; a limit below 1 is an error", func(t *testing.T, s storage.Store) {
			backchannelWorld(t, s)
			_, err := s.DeleteUserLoginSessions(t.Context(), "u1")
			must(t, err, "delete sessions")
			ds, err := s.ClaimLogoutDeliveries(t.Context(), at(0), lease, 2)
			must(t, err, "claim 2")
			same(t, "first two", queued(ds), []string{"rp1 sub=u1 sid=sid-1 attempt=1", "rp2 sub=u1 sid=sid-1 attempt=1"})
			if _, err := s.ClaimLogoutDeliveries(t.Context(), at(0), lease, 0); err == nil {
				t.Fatal("a claim of 0 succeeded")
			}
			same(t, "the rest", queued(claimAll(t, s, at(0))), []string{"rp1 sub=u1 sid=sid-2 attempt=1"})
		}},
		{"a sign-in of an unknown session or client is not found", func(t *testing.T, s storage.Store) {
			backchannelWorld(t, s)
			mustBe(t, s.RecordSessionSignIn(t.Context(), storage.SessionSignIn{SessionID: "nope", ClientID: "rp1", SID: "x"}), storage.ErrNotFound, "unknown session")
			mustBe(t, s.RecordSessionSignIn(t.Context(), storage.SessionSignIn{SessionID: "s1", ClientID: "nope", SID: "x"}), storage.ErrNotFound, "unknown client")
		}},
		{"an expired session purged by the janitor queues nothing", func(t *testing.T, s storage.Store) {
			backchannelWorld(t, s)
			n, err := s.Purge(t.Context(), storage.PurgeLoginSessions, at(48*time.Hour), 10)
			must(t, err, "purge")
			if n != 2 {
				t.Fatalf("purged %d sessions, want 2", n)
			}
			same(t, "claimed", queued(claimAll(t, s, at(48*time.Hour))), []string(nil))
		}},
		{"deleting a client drops its sign-ins and deliveries", func(t *testing.T, s storage.Store) {
			backchannelWorld(t, s)
			must(t, s.DeleteLoginSession(t.Context(), "s2"), "delete s2")
			must(t, s.DeleteClient(t.Context(), "rp1"), "delete rp1")
			must(t, s.DeleteLoginSession(t.Context(), "s1"), "delete s1")
			same(t, "claimed", queued(claimAll(t, s, at(0))), []string{"rp2 sub=u1 sid=sid-1 attempt=1"})
		}},
	}
}

// concurrentClaims checks that parallel claims never take one delivery
// twice and, between them, take every due one.
func concurrentClaims(t *testing.T, open Opener, race func(func(i int) error) []error) {
	t.Run("parallel claims take each due delivery exactly once", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		ctx := t.Context()
		seedUser(t, s, "u1", "ann@example.com")
		c := sampleClient("rp")
		c.BackchannelLogoutURI = "https://rp.example/backchannel"
		must(t, s.CreateClient(ctx, c), "create client")
		const sessions = 20
		for i := range sessions {
			id := fmt.Sprintf("s%02d", i)
			must(t, s.CreateLoginSession(ctx, sampleSession(id, "u1", at(time.Duration(i)*time.Second))), "create session "+id)
			must(t, s.RecordSessionSignIn(ctx, storage.SessionSignIn{SessionID: id, ClientID: "rp", SID: "sid-" + id}), "record sign-in "+id)
		}
		_, err := s.DeleteUserLoginSessions(ctx, "u1")
		must(t, err, "delete sessions")
		claimed := make([][]storage.LogoutDelivery, 8)
		errs := race(func(i int) error {
			var err error
			claimed[i], err = s.ClaimLogoutDeliveries(ctx, at(0), lease, 3)
			return err
		})
		seen := map[string]int{}
		for i, err := range errs {
			must(t, err, fmt.Sprintf("claim %d", i))
			for _, d := range claimed[i] {
				seen[d.SID]++
				if d.Attempts != 1 {
					t.Errorf("delivery %s claimed at attempt %d, want 1", d.SID, d.Attempts)
				}
			}
		}
		// 8 claims of 3 can take all 20 — unless one claim overlapped
		// with another and found the rows it wanted locked, in which case
		// it skipped them; what is left is taken by one more claim.
		for _, d := range claimAll(t, s, at(0)) {
			seen[d.SID]++
		}
		if len(seen) != sessions {
			t.Errorf("%d deliveries taken, want %d", len(seen), sessions)
		}
		for sid, n := range seen {
			if n != 1 {
				t.Errorf("delivery %s taken %d times", sid, n)
			}
		}
	})
}
