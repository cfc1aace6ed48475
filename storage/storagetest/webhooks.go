package storagetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func sampleWebhook(id, clientID string) storage.WebhookSubscription {
	return storage.WebhookSubscription{
		ID: id, ClientID: clientID, URL: "https://hooks.example/" + id, EventTypes: []string{"user.created", "grant.given"},
		Description: "a hook", SealedSecret: []byte("sealed-" + id), CreatedAt: at(0), UpdatedAt: at(0),
	}
}

// webhookWorld is a platform subscription (wh-p) and one of app rp (wh-a).
func webhookWorld(t *testing.T, s storage.Store) {
	t.Helper()
	seedClient(t, s, "rp")
	must(t, s.CreateWebhook(t.Context(), sampleWebhook("wh-p", "")), "create wh-p")
	must(t, s.CreateWebhook(t.Context(), sampleWebhook("wh-a", "rp")), "create wh-a")
}

func sampleMessage(sub, msgID string) storage.WebhookMessage {
	return storage.WebhookMessage{SubscriptionID: sub, MessageID: msgID, EventType: "user.created",
		Payload: []byte(`{"type":"user.created","data":{"id":"` + msgID + `"}}`), CreatedAt: at(0)}
}

func queue(t *testing.T, s storage.Store, ms ...storage.WebhookMessage) {
	t.Helper()
	must(t, s.QueueWebhookMessages(t.Context(), ms), "queue")
}

// claimMessages claims every message due at now (up to 100).
func claimMessages(t *testing.T, s storage.Store, now time.Time) []storage.WebhookMessage {
	t.Helper()
	ms, err := s.ClaimWebhookMessages(t.Context(), now, lease, 100)
	must(t, err, "claim")
	return ms
}

// messages describes messages without their IDs and leases, to compare.
func messages(ms []storage.WebhookMessage) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s %s %s attempt=%d", m.SubscriptionID, m.MessageID, m.State, m.Attempts))
	}
	return out
}

func webhookTests() []test {
	return []test{
		{"a subscription reads back, lists, updates and deletes", func(t *testing.T, s storage.Store) {
			webhookWorld(t, s)
			ctx := t.Context()
			got, err := s.GetWebhook(ctx, "wh-a")
			must(t, err, "get")
			same(t, "subscription", got, sampleWebhook("wh-a", "rp"))
			mustBe(t, s.CreateWebhook(ctx, sampleWebhook("wh-a", "")), storage.ErrAlreadyExists, "create again")
			mustBe(t, s.CreateWebhook(ctx, sampleWebhook("wh-x", "nope")), storage.ErrNotFound, "create for an unknown app")
			list, err := s.ListWebhooks(ctx)
			must(t, err, "list")
			same(t, "list", list, []storage.WebhookSubscription{sampleWebhook("wh-a", "rp"), sampleWebhook("wh-p", "")})

			want := sampleWebhook("wh-a", "rp")
			want.URL, want.EventTypes, want.Disabled, want.Description = "https://other.example/", nil, true, ""
			want.SealedSecret, want.PreviousSealedSecret, want.PreviousUntil, want.UpdatedAt = []byte("new"), []byte("sealed-wh-a"), at(24*time.Hour), at(time.Minute)
			updated, err := s.UpdateWebhook(ctx, "wh-a", func(w storage.WebhookSubscription) (storage.WebhookSubscription, error) {
				w.URL, w.EventTypes, w.Disabled, w.Description = want.URL, nil, true, ""
				w.PreviousSealedSecret, w.SealedSecret = w.SealedSecret, []byte("new")
				w.PreviousUntil, w.UpdatedAt = at(24*time.Hour), at(time.Minute)
				w.ID, w.ClientID = "other", "" // neither changes
				return w, nil
			})
			must(t, err, "update")
			same(t, "updated", updated, want)
			got, err = s.GetWebhook(ctx, "wh-a")
			must(t, err, "get after update")
			same(t, "read back", got, want)

			_, err = s.UpdateWebhook(ctx, "wh-a", func(storage.WebhookSubscription) (storage.WebhookSubscription, error) {
				return storage.WebhookSubscription{}, errSample
			})
			mustBe(t, err, errSample, "update failing")
			_, err = s.UpdateWebhook(ctx, "nope", func(w storage.WebhookSubscription) (storage.WebhookSubscription, error) { return w, nil })
			mustBe(t, err, storage.ErrNotFound, "update unknown")

			must(t, s.DeleteWebhook(ctx, "wh-p"), "delete")
			mustBe(t, s.DeleteWebhook(ctx, "wh-p"), storage.ErrNotFound, "delete again")
			_, err = s.GetWebhook(ctx, "wh-p")
			mustBe(t, err, storage.ErrNotFound, "get deleted")
		}},
		{"deleting an app deletes its subscriptions and their messages", func(t *testing.T, s storage.Store) {
			webhookWorld(t, s)
			queue(t, s, sampleMessage("wh-a", "m1"), sampleMessage("wh-p", "m2"))
			must(t, s.DeleteClient(t.Context(), "rp"), "delete client")
			_, err := s.GetWebhook(t.Context(), "wh-a")
			mustBe(t, err, storage.ErrNotFound, "the app's subscription")
			same(t, "claimed", messages(claimMessages(t, s, at(0))), []string{"wh-p m2 pending attempt=1"})
		}},
		{"messages queued in a rolled-back transaction are not there; in a committed one they are claimed", func(t *testing.T, s storage.Store) {
			webhookWorld(t, s)
			err := storage.InTx(t.Context(), s, func(ctx context.Context) error {
				if err := s.QueueWebhookMessages(ctx, []storage.WebhookMessage{sampleMessage("wh-p", "m1")}); err != nil {
					return err
				}
				return errSample
			})
			if !errors.Is(err, errSample) {
				t.Fatalf("transaction: %v, want the sample error", err)
			}
			same(t, "claimed after the rollback", messages(claimMessages(t, s, at(time.Hour))), []string(nil))
			must(t, storage.InTx(t.Context(), s, func(ctx context.Context) error {
				return s.QueueWebhookMessages(ctx, []storage.WebhookMessage{sampleMessage("wh-p", "m2"), sampleMessage("wh-a", "m3")})
			}), "committed transaction")
			got := claimMessages(t, s, at(time.Hour))
			same(t, "claimed", messages(got), []string{"wh-p m2 pending attempt=1", "wh-a m3 pending attempt=1"})
			want := sampleMessage("wh-p", "m2")
			if string(got[0].Payload) != string(want.Payload) || got[0].EventType != want.EventType || !got[0].CreatedAt.Equal(want.CreatedAt) {
				t.Errorf("claimed %+v, want the queued message %+v", got[0], want)
			}
			mustBe(t, s.QueueWebhookMessages(t.Context(), []storage.WebhookMessage{sampleMessage("nope", "m4")}), storage.ErrNotFound, "queue for an unknown subscription")
		}},
		{"a claim leases; a rescheduled message is due at its time, an abandoned one when its lease ends", func(t *testing.T, s storage.Store) {
			webhookWorld(t, s)
			queue(t, s, sampleMessage("wh-p", "m1"), sampleMessage("wh-p", "m2"), sampleMessage("wh-a", "m3"))
			ms, err := s.ClaimWebhookMessages(t.Context(), at(0), lease, 2)
			must(t, err, "claim 2")
			same(t, "first two", messages(ms), []string{"wh-p m1 pending attempt=1", "wh-p m2 pending attempt=1"})
			if !ms[0].DueAt.Equal(at(lease)) {
				t.Errorf("leased until %v, want %v", ms[0].DueAt, at(lease))
			}
			if _, err := s.ClaimWebhookMessages(t.Context(), at(0), lease, 0); err == nil {
				t.Fatal("a claim of 0 succeeded")
			}
			same(t, "the rest", messages(claimMessages(t, s, at(0))), []string{"wh-a m3 pending attempt=1"})
			must(t, s.RescheduleWebhookMessage(t.Context(), ms[0].ID, at(10*time.Second)), "reschedule")
			same(t, "before it is due", messages(claimMessages(t, s, at(9*time.Second))), []string(nil))
			same(t, "when due", messages(claimMessages(t, s, at(10*time.Second))), []string{"wh-p m1 pending attempt=2"})
			same(t, "at the end of the lease", messages(claimMessages(t, s, at(lease))), []string{"wh-p m2 pending attempt=2", "wh-a m3 pending attempt=2"})
		}},
		{"a finished message is no longer claimed, keeps its state, and can be sent again", func(t *testing.T, s storage.Store) {
			webhookWorld(t, s)
			ctx := t.Context()
			queue(t, s, sampleMessage("wh-p", "m1"), sampleMessage("wh-p", "m2"))
			ms := claimMessages(t, s, at(0))
			must(t, s.FinishWebhookMessage(ctx, ms[0].ID, storage.WebhookDelivered, 10), "finish delivered")
			must(t, s.FinishWebhookMessage(ctx, ms[1].ID, storage.WebhookFailed, 10), "finish failed")
			mustBe(t, s.FinishWebhookMessage(ctx, ms[0].ID, storage.WebhookFailed, 10), storage.ErrNotFound, "finish again")
			mustBe(t, s.RescheduleWebhookMessage(ctx, ms[0].ID, at(time.Hour)), storage.ErrNotFound, "reschedule finished")
			if err := s.FinishWebhookMessage(ctx, ms[0].ID, "lost", 10); err == nil {
				t.Error("finishing with an unknown state succeeded")
			}
			same(t, "claimed after the lease", messages(claimMessages(t, s, at(time.Hour))), []string(nil))
			list, err := s.ListWebhookMessages(ctx, "wh-p", 10)
			must(t, err, "list")
			same(t, "listed, newest first", messages(list), []string{"wh-p m2 failed attempt=1", "wh-p m1 delivered attempt=1"})

			must(t, s.ResendWebhookMessage(ctx, "wh-p", ms[1].ID, at(2*time.Hour)), "resend")
			mustBe(t, s.ResendWebhookMessage(ctx, "wh-p", ms[1].ID, at(2*time.Hour)), storage.ErrConflict, "resend a pending one")
			mustBe(t, s.ResendWebhookMessage(ctx, "wh-a", ms[0].ID, at(2*time.Hour)), storage.ErrNotFound, "resend another subscription's")
			mustBe(t, s.ResendWebhookMessage(ctx, "wh-p", 1<<40, at(2*time.Hour)), storage.ErrNotFound, "resend an unknown one")
			same(t, "before its time", messages(claimMessages(t, s, at(time.Hour))), []string(nil))
			same(t, "resent", messages(claimMessages(t, s, at(2*time.Hour))), []string{"wh-p m2 pending attempt=1"})
		}},
		{"each subscription keeps its newest finished messages and log entries", func(t *testing.T, s storage.Store) {
			webhookWorld(t, s)
			ctx := t.Context()
			for i := range 4 {
				queue(t, s, sampleMessage("wh-p", fmt.Sprintf("p%d", i)), sampleMessage("wh-a", fmt.Sprintf("a%d", i)))
			}
			for i, m := range claimMessages(t, s, at(0)) {
				must(t, s.RecordWebhookAttempt(ctx, storage.WebhookAttempt{Delivery: m.ID, Attempt: 1, At: at(time.Duration(i) * time.Second),
					Status: 500, ErrorClass: "http_status", Duration: 1500 * time.Microsecond}, 3), "record attempt")
				if m.SubscriptionID == "wh-p" {
					must(t, s.FinishWebhookMessage(ctx, m.ID, storage.WebhookDelivered, 2), "finish")
				}
			}
			list, err := s.ListWebhookMessages(ctx, "wh-p", 10)
			must(t, err, "list wh-p")
			same(t, "wh-p", messages(list), []string{"wh-p p3 delivered attempt=1", "wh-p p2 delivered attempt=1"})
			list, err = s.ListWebhookMessages(ctx, "wh-a", 3)
			must(t, err, "list wh-a")
			same(t, "wh-a, pending, limited", messages(list), []string{"wh-a a3 pending attempt=1", "wh-a a2 pending attempt=1", "wh-a a1 pending attempt=1"})
			log, err := s.ListWebhookAttempts(ctx, "wh-a", 10)
			must(t, err, "log of wh-a")
			if len(log) != 3 {
				t.Fatalf("wh-a keeps %d log entries, want 3", len(log))
			}
			want := storage.WebhookAttempt{ID: log[0].ID, SubscriptionID: "wh-a", Delivery: list[0].ID, Attempt: 1, At: at(7 * time.Second),
				Status: 500, ErrorClass: "http_status", Duration: 1500 * time.Microsecond}
			same(t, "newest entry", log[0], want)
			if !(log[0].ID > log[1].ID && log[1].ID > log[2].ID) {
				t.Errorf("log not newest first: %d, %d, %d", log[0].ID, log[1].ID, log[2].ID)
			}
			log, err = s.ListWebhookAttempts(ctx, "wh-p", 10)
			must(t, err, "log of wh-p")
			if len(log) != 2 {
				// The messages trimmed took their entries with them.
				t.Errorf("wh-p keeps %d log entries, want 2", len(log))
			}
			mustBe(t, s.RecordWebhookAttempt(ctx, storage.WebhookAttempt{Delivery: 1 << 40, Attempt: 1, At: at(0)}, 3), storage.ErrNotFound, "record for an unknown message")
		}},
		{"deleting a subscription deletes its messages and log", func(t *testing.T, s storage.Store) {
			webhookWorld(t, s)
			queue(t, s, sampleMessage("wh-p", "m1"), sampleMessage("wh-a", "m2"))
			ms := claimMessages(t, s, at(0))
			must(t, s.RecordWebhookAttempt(t.Context(), storage.WebhookAttempt{Delivery: ms[0].ID, Attempt: 1, At: at(0)}, 10), "record")
			must(t, s.DeleteWebhook(t.Context(), "wh-p"), "delete")
			list, err := s.ListWebhookMessages(t.Context(), "wh-p", 10)
			must(t, err, "list")
			same(t, "messages", messages(list), []string(nil))
			log, err := s.ListWebhookAttempts(t.Context(), "wh-p", 10)
			must(t, err, "log")
			same(t, "log", len(log), 0)
			same(t, "the other's", messages(claimMessages(t, s, at(lease))), []string{"wh-a m2 pending attempt=2"})
		}},
	}
}

// concurrentWebhookClaims checks that parallel claims never take one
// message twice and, between them, take every due one.
func concurrentWebhookClaims(t *testing.T, open Opener, race func(func(i int) error) []error) {
	t.Run("parallel webhook claims take each due message exactly once", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.CreateWebhook(t.Context(), sampleWebhook("wh", "")), "create")
		const queued = 20
		for i := range queued {
			queue(t, s, sampleMessage("wh", fmt.Sprintf("m%02d", i)))
		}
		claimed := make([][]storage.WebhookMessage, 8)
		errs := race(func(i int) error {
			var err error
			claimed[i], err = s.ClaimWebhookMessages(t.Context(), at(0), lease, 3)
			return err
		})
		seen := map[string]int{}
		for i, err := range errs {
			must(t, err, fmt.Sprintf("claim %d", i))
			for _, m := range claimed[i] {
				seen[m.MessageID]++
			}
		}
		// What a claim skipped while another held it is taken by one more.
		for _, m := range claimMessages(t, s, at(0)) {
			seen[m.MessageID]++
		}
		if len(seen) != queued {
			t.Errorf("%d messages taken, want %d", len(seen), queued)
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("message %s taken %d times", id, n)
			}
		}
	})
}
