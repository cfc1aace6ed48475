package redis_test

import (
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/redis"
	"github.com/tokenim/tokenim-auth/storage/redis/redistest"
)

// TestCluster runs the cache on a three-master Redis Cluster: the keys
// of many tokens spread evenly over the masters, and every script finds
// its keys on one of them.
func TestCluster(t *testing.T) {
	t.Parallel()
	addrs := redistest.Cluster(t)
	on := func(t *testing.T, localTTL time.Duration) options {
		return options{client: redistest.ClusterClient(t, addrs), prefix: "tokenim-test:" + rand.Text()[:8] + ":", localTTL: localTTL}
	}

	t.Run("tokens spread over the masters, are read from Redis, and each kind of revocation reaches every shard", func(t *testing.T) {
		t.Parallel()
		inner := clusterStore(t)
		o := on(t, 0)
		a := newNode(t, inner, o)
		o.client = redistest.ClusterClient(t, addrs)
		b := newNode(t, inner, o)

		// 3,000 access tokens in 300 families, of two clients and 30 users.
		const tokens = 3000
		now := time.Now().UTC().Truncate(time.Second)
		sigs := make([]string, tokens)
		for i := range tokens {
			family := i / 10
			client := "app"
			if family%4 == 0 {
				client = "bot"
			}
			sigs[i] = fmt.Sprintf("sig-%05d", i)
			tok := storage.Token{Kind: storage.KindAccessToken, Signature: sigs[i], RequestID: fmt.Sprintf("fam-%03d", family),
				ClientID: client, Subject: fmt.Sprintf("u%d", family%30), WorkspaceID: storage.DefaultWorkspaceID,
				Scopes: []string{"openid"}, Active: true, RequestedAt: now, ExpiresAt: now.Add(time.Hour)}
			if err := a.CreateToken(t.Context(), tok); err != nil {
				t.Fatal(err)
			}
		}
		perMaster := redistest.ClusterKeys(t, addrs, o.prefix+"e0:{*}t:*")
		total := 0
		for _, n := range perMaster {
			total += n
		}
		if total != tokens {
			t.Fatalf("%d token entries in the Cluster (%v per master), want %d", total, perMaster, tokens)
		}
		for i, n := range perMaster {
			if share := float64(n) / tokens; share < 1.0/3-0.05 || share > 1.0/3+0.05 {
				t.Errorf("master %d holds %d of %d entries (%.3f), want a third within 5%% (%v)", i, n, tokens, share, perMaster)
			}
		}
		t.Logf("token entries per master: %v", perMaster)

		for _, sig := range sigs {
			if !active(t, b, sig) {
				t.Fatalf("%s inactive before any revocation", sig)
			}
		}
		if hits := b.counts.get("token/hit"); hits != tokens {
			t.Fatalf("%d of %d introspections answered from Redis (%v)", hits, tokens, b.counts.n)
		}

		// One token, one family, every token of a client, every token of
		// a user: revoked on node a.
		if err := a.DeactivateToken(t.Context(), storage.KindAccessToken, "sig-00005"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.RevokeFamily(t.Context(), storage.KindAccessToken, "fam-007"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.RevokeClientWorkspace(t.Context(), "bot", storage.DefaultWorkspaceID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.RevokeSubject(t.Context(), "u3", ""); err != nil {
			t.Fatal(err)
		}
		slots := redistest.ClusterClient(t, addrs)
		revoked := 0
		revokedOn := make([]int, len(addrs))
		hitsBefore, missesBefore := b.counts.get("token/hit"), b.counts.get("token/miss")
		for _, sig := range sigs {
			want := active(t, inner, sig)
			if got := active(t, b, sig); got != want {
				t.Fatalf("%s reads active=%v on node b, the store says %v", sig, got, want)
			}
			if !want {
				revoked++
				slot := slots.ClusterKeySlot(t.Context(), redis.TokenEntryKey(o.prefix, 0, sig)).Val()
				revokedOn[int(slot)*redistest.ClusterMasters/16384]++
			}
		}
		if revoked < 300 {
			t.Fatalf("only %d tokens revoked: the fixture is wrong", revoked)
		}
		for i, n := range revokedOn {
			if n == 0 {
				t.Fatalf("no revoked token is on master %d (%v): the revocations were not shown on every master", i, revokedOn)
			}
		}
		// The revoked tokens' entries are stale, the others' still read.
		if misses := b.counts.get("token/miss") - missesBefore; misses != revoked {
			t.Errorf("%d misses after the revocations, want one per revoked token (%d)", misses, revoked)
		}
		if hits := b.counts.get("token/hit") - hitsBefore; hits != tokens-revoked {
			t.Errorf("%d hits after the revocations, want every token not revoked (%d)", hits, tokens-revoked)
		}
		// What was read again after the revocations is cached as inactive.
		for _, sig := range []string{"sig-00005", "sig-00070", "sig-00000", "sig-00030"} {
			if active(t, b, sig) {
				t.Fatalf("%s read active again", sig)
			}
		}
	})

	t.Run("an invalidation reaches another node's memory", func(t *testing.T) {
		t.Parallel()
		inner, tok := fixture(t)
		o := on(t, 2*time.Second)
		a := newNode(t, inner, o)
		o.client = redistest.ClusterClient(t, addrs)
		c := newNode(t, inner, o)
		within(t, time.Second, "nodes subscribed", func() bool { return a.Subscribed() && c.Subscribed() })
		if err := a.CreateToken(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if !active(t, c, tok.Signature) {
				t.Fatal("fresh token inactive")
			}
		}
		if c.counts.get("token/local") == 0 {
			t.Fatalf("second read not from memory: %v", c.counts.n)
		}
		if _, err := a.RevokeFamily(t.Context(), storage.KindAccessToken, tok.RequestID); err != nil {
			t.Fatal(err)
		}
		// Sooner than the entry would leave c's memory by itself.
		within(t, time.Second, "node c sees the revocation", func() bool { return !active(t, c, tok.Signature) })
	})

	t.Run("failure counters are counted, cleared and purged on every master", func(t *testing.T) {
		t.Parallel()
		n := newNode(t, clusterStore(t), on(t, 0))
		now := time.Now().UTC().Truncate(time.Microsecond)
		old := now.Add(-2 * time.Hour)
		for i := range 60 {
			at := now
			if i%2 == 0 {
				at = old
			}
			for f := range 2 {
				if c, err := n.AddFailure(t.Context(), fmt.Sprintf("ip:192.0.2.%d", i), at, 3*time.Hour); err != nil || c.Failures != f+1 {
					t.Fatalf("counter %d, failure %d: %+v, %v", i, f+1, c, err)
				}
			}
		}
		if err := n.ClearCounter(t.Context(), "ip:192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if c, _ := n.GetCounter(t.Context(), "ip:192.0.2.1"); c.Failures != 0 {
			t.Fatalf("cleared counter: %+v", c)
		}
		// 30 counters' last failure is older than an hour: a round of at
		// most 10, then one of the rest.
		for _, round := range []struct{ limit, want int }{{10, 10}, {1000, 20}} {
			purged, err := n.Purge(t.Context(), storage.PurgeCounters, now.Add(-time.Hour), round.limit)
			if err != nil || purged != round.want {
				t.Fatalf("purged %d of at most %d, %v; want %d", purged, round.limit, err, round.want)
			}
		}
		for i := range 60 {
			c, _ := n.GetCounter(t.Context(), fmt.Sprintf("ip:192.0.2.%d", i))
			if want := map[bool]int{true: 0, false: 2}[i%2 == 0 || i == 1]; c.Failures != want {
				t.Fatalf("counter %d after the purge: %d failures, want %d", i, c.Failures, want)
			}
		}
	})

	t.Run("racing readers", func(t *testing.T) {
		t.Parallel()
		testRacingReaders(t, func(t *testing.T) options { return on(t, 0) })
	})
}

// clusterStore is a store with the clients app and bot.
func clusterStore(t *testing.T) storage.LockingStore {
	t.Helper()
	s := memory.New()
	for _, id := range []string{"app", "bot"} {
		if err := s.CreateClient(t.Context(), storage.Client{ID: id, Name: id, Type: storage.ClientConfidential}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}
