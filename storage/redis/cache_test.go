package redis_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/redis"
	"github.com/tokenim/tokenim-auth/storage/redis/redistest"
)

// fixture is a store with one client, one user and an access token of
// theirs, expiring in an hour.
func fixture(t *testing.T) (storage.LockingStore, storage.Token) {
	t.Helper()
	s := memory.New()
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	if err := s.CreateClient(ctx, storage.Client{ID: "app", Name: "App", Type: storage.ClientConfidential,
		Secrets: []storage.ClientSecret{{ID: "s1", Hash: []byte("hash-1"), Prefix: "tks_1", CreatedAt: now}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, storage.User{ID: "u1", Email: "ann@example.com", Status: storage.UserActive}); err != nil {
		t.Fatal(err)
	}
	tok := storage.Token{Kind: storage.KindAccessToken, Signature: "sig-1", RequestID: "fam-1", ClientID: "app", Subject: "u1",
		WorkspaceID: storage.DefaultWorkspaceID, Scopes: []string{"openid", "im:messages.read"}, Active: true, RequestedAt: now, ExpiresAt: now.Add(time.Hour),
		Session: []byte(`{"session":"of sig-1"}`)}
	return s, tok
}

func active(t *testing.T, s storage.Tokens, sig string) bool {
	t.Helper()
	got, err := s.GetToken(t.Context(), storage.KindAccessToken, sig)
	if err != nil {
		t.Fatalf("get %s: %v", sig, err)
	}
	return got.Active
}

// within polls cond until it holds or d has passed.
func within(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTokenCache(t *testing.T) {
	t.Run("an issued token is written through: the first read is a Redis hit with the stored fields", func(t *testing.T) {
		inner, tok := fixture(t)
		n := newNode(t, inner, options{prefix: redistest.Prefix(t)})
		if err := n.CreateToken(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
		got, err := n.GetToken(t.Context(), storage.KindAccessToken, tok.Signature)
		if err != nil {
			t.Fatal(err)
		}
		if n.counts.get("token/hit") != 1 || n.counts.get("token/miss") != 0 {
			t.Fatalf("outcomes %v, want one Redis hit", n.counts.n)
		}
		if got.RequestID != tok.RequestID || got.Subject != "u1" || !got.Active || !got.ExpiresAt.Equal(tok.ExpiresAt) ||
			string(got.Session) != string(tok.Session) || len(got.Scopes) != 2 {
			t.Fatalf("cached token %+v differs from the stored %+v", got, tok)
		}
	})

	t.Run("a refresh's new access token is written through, and only the retired one made stale", func(t *testing.T) {
		inner, old := fixture(t)
		n := newNode(t, inner, options{prefix: redistest.Prefix(t)})
		rt := old
		rt.Kind, rt.Signature = storage.KindRefreshToken, "rt-1"
		for _, tok := range []storage.Token{old, rt} {
			if err := n.CreateToken(t.Context(), tok); err != nil {
				t.Fatal(err)
			}
		}
		// A refresh, as the provider makes it: the rotation and the new
		// pair in one transaction.
		next := old
		next.Signature = "at-2"
		err := storage.InTx(t.Context(), n.Store, func(ctx context.Context) error {
			retired, err := n.RotateRefreshToken(ctx, old.RequestID, "rt-1", time.Now(), 0)
			if err != nil {
				return err
			}
			if len(retired) != 1 || retired[0] != old.Signature {
				t.Errorf("the rotation retired %q, want %s", retired, old.Signature)
			}
			return n.CreateToken(ctx, next)
		})
		if err != nil {
			t.Fatal(err)
		}
		if active(t, n, old.Signature) {
			t.Fatal("the retired access token is still active")
		}
		if !active(t, n, next.Signature) {
			t.Fatal("the new access token is inactive")
		}
		if got := n.counts.get("token/hit"); got != 1 {
			t.Fatalf("outcomes %v, want the new token's first read from Redis", n.counts.n)
		}
	})

	t.Run("a token not in Redis is a miss, then filled: the next read is a hit", func(t *testing.T) {
		inner, tok := fixture(t)
		if err := inner.CreateToken(t.Context(), tok); err != nil { // behind the cache's back
			t.Fatal(err)
		}
		n := newNode(t, inner, options{prefix: redistest.Prefix(t)})
		active(t, n, tok.Signature)
		active(t, n, tok.Signature)
		if n.counts.get("token/miss") != 1 || n.counts.get("token/hit") != 1 {
			t.Fatalf("outcomes %v, want a miss then a hit", n.counts.n)
		}
	})

	t.Run("a cached token lives no longer than the token, capped by token_ttl", func(t *testing.T) {
		inner, tok := fixture(t)
		prefix := redistest.Prefix(t)
		n := newNode(t, inner, options{prefix: prefix})
		tok.ExpiresAt = time.Now().Add(90 * time.Second)
		if err := n.CreateToken(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
		ttl := redistest.Client(t).PTTL(t.Context(), redis.TokenEntryKey(prefix, 0, tok.Signature)).Val()
		if ttl <= 0 || ttl > 90*time.Second {
			t.Fatalf("entry TTL %v, want at most the token's remaining 90s", ttl)
		}
		long := tok
		long.Signature, long.ExpiresAt = "sig-long", time.Now().Add(48*time.Hour)
		if err := n.CreateToken(t.Context(), long); err != nil {
			t.Fatal(err)
		}
		if ttl := redistest.Client(t).PTTL(t.Context(), redis.TokenEntryKey(prefix, 0, "sig-long")).Val(); ttl <= 0 || ttl > time.Hour {
			t.Fatalf("entry TTL %v, want at most token_ttl (1h)", ttl)
		}
	})

	t.Run("codes and refresh tokens are not cached", func(t *testing.T) {
		inner, tok := fixture(t)
		prefix := redistest.Prefix(t)
		n := newNode(t, inner, options{prefix: prefix})
		for _, kind := range []storage.TokenKind{storage.KindAuthorizeCode, storage.KindRefreshToken} {
			tok.Kind = kind
			if err := n.CreateToken(t.Context(), tok); err != nil {
				t.Fatal(err)
			}
			if _, err := n.GetToken(t.Context(), kind, tok.Signature); err != nil {
				t.Fatal(err)
			}
		}
		if keys := redistest.Client(t).Keys(t.Context(), prefix+"*t:*").Val(); len(keys) != 0 {
			t.Fatalf("cached %v", keys)
		}
	})

	revocations := []struct {
		name   string
		revoke func(t *testing.T, s storage.Store, tok storage.Token)
	}{
		{"an RFC 7009 revocation of the family", func(t *testing.T, s storage.Store, tok storage.Token) {
			if _, err := s.RevokeFamily(t.Context(), storage.KindAccessToken, tok.RequestID); err != nil {
				t.Fatal(err)
			}
		}},
		{"a refresh token rotation (or reuse) retiring the family", func(t *testing.T, s storage.Store, tok storage.Token) {
			rt := tok
			rt.Kind, rt.Signature = storage.KindRefreshToken, "rt-1"
			if err := s.CreateToken(t.Context(), rt); err != nil {
				t.Fatal(err)
			}
			if _, err := s.RotateRefreshToken(t.Context(), tok.RequestID, "rt-1", time.Now(), 0); err != nil {
				t.Fatal(err)
			}
		}},
		{"a withdrawn consent (the subject's tokens for one app)", func(t *testing.T, s storage.Store, tok storage.Token) {
			if _, err := s.RevokeSubject(t.Context(), tok.Subject, tok.ClientID); err != nil {
				t.Fatal(err)
			}
		}},
		{"a disabled user or a password reset (all the subject's tokens)", func(t *testing.T, s storage.Store, tok storage.Token) {
			if _, err := s.RevokeSubject(t.Context(), tok.Subject, ""); err != nil {
				t.Fatal(err)
			}
		}},
		{"a member removed from the token's workspace", func(t *testing.T, s storage.Store, tok storage.Token) {
			if n, err := s.RevokeSubjectWorkspace(t.Context(), tok.Subject, tok.WorkspaceID); err != nil || n != 1 {
				t.Fatalf("revoked %d, %v; want 1", n, err)
			}
		}},
		{"a lowered role", func(t *testing.T, s storage.Store, tok storage.Token) {
			if _, err := s.RevokeSubjectBeyond(t.Context(), tok.Subject, []string{"openid"}); err != nil {
				t.Fatal(err)
			}
		}},
		{"the token itself deactivated", func(t *testing.T, s storage.Store, tok storage.Token) {
			if err := s.DeactivateToken(t.Context(), storage.KindAccessToken, tok.Signature); err != nil {
				t.Fatal(err)
			}
		}},
		{"a revocation inside a transaction, once it commits", func(t *testing.T, s storage.Store, tok storage.Token) {
			err := storage.InTx(t.Context(), s, func(ctx context.Context) error {
				_, err := s.RevokeFamily(ctx, storage.KindAccessToken, tok.RequestID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, rc := range revocations {
		t.Run("revoked on one node, inactive on the others within 1s: "+rc.name, func(t *testing.T) {
			inner, tok := fixture(t)
			prefix := redistest.Prefix(t)
			a := newNode(t, inner, options{prefix: prefix, localTTL: 2 * time.Second})
			b := newNode(t, inner, options{prefix: prefix, localTTL: 2 * time.Second})
			c := newNode(t, inner, options{prefix: prefix, localTTL: 2 * time.Second})
			within(t, time.Second, "nodes subscribed", func() bool { return a.Subscribed() && b.Subscribed() && c.Subscribed() })
			if err := a.CreateToken(t.Context(), tok); err != nil {
				t.Fatal(err)
			}
			for _, n := range []node{a, b} { // into Redis and both in-process caches
				for range 2 {
					if !active(t, n, tok.Signature) {
						t.Fatal("fresh token inactive")
					}
				}
				if n.counts.get("token/local") == 0 {
					t.Fatalf("second read not from memory: %v", n.counts.n)
				}
			}
			rc.revoke(t, c.Store, tok)
			for name, n := range map[string]node{"a": a, "b": b, "c": c} {
				within(t, time.Second, "node "+name+" sees the revocation", func() bool { return !active(t, n, tok.Signature) })
			}
		})
	}

	testRacingReaders(t, func(t *testing.T) options { return options{prefix: redistest.Prefix(t)} })

	t.Run("inactive tokens are cached as inactive", func(t *testing.T) {
		inner, tok := fixture(t)
		n := newNode(t, inner, options{prefix: redistest.Prefix(t)})
		tok.Active = false
		if err := inner.CreateToken(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			if active(t, n, tok.Signature) {
				t.Fatalf("read %d: inactive token read as active", i+1)
			}
		}
		if n.counts.get("token/hit") != 1 {
			t.Fatalf("outcomes %v, want the second read from Redis", n.counts.n)
		}
	})

	t.Run("an unknown token is not cached", func(t *testing.T) {
		inner, _ := fixture(t)
		n := newNode(t, inner, options{prefix: redistest.Prefix(t)})
		for range 2 {
			if _, err := n.GetToken(t.Context(), storage.KindAccessToken, "nope"); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("err %v, want ErrNotFound", err)
			}
		}
		if n.counts.get("token/miss") != 2 {
			t.Fatalf("outcomes %v, want two misses", n.counts.n)
		}
	})
}

// testRacingReaders shows that a node reading a token from the store
// while another revokes it does not cache it active, for nodes sharing
// the Redis that base's options name.
func testRacingReaders(t *testing.T, base func(t *testing.T) options) {
	races := []struct {
		name   string
		revoke func(t *testing.T, s storage.Store, tok storage.Token)
	}{
		{"a subject's revocation during the read that fills the cache", func(t *testing.T, s storage.Store, tok storage.Token) {
			if _, err := s.RevokeSubject(t.Context(), tok.Subject, ""); err != nil {
				t.Fatal(err)
			}
		}},
		{"a family's revocation during the read that fills the cache", func(t *testing.T, s storage.Store, tok storage.Token) {
			if _, err := s.RevokeFamily(t.Context(), storage.KindAccessToken, tok.RequestID); err != nil {
				t.Fatal(err)
			}
		}},
		{"the token's deactivation during the read that fills the cache", func(t *testing.T, s storage.Store, tok storage.Token) {
			if err := s.DeactivateToken(t.Context(), storage.KindAccessToken, tok.Signature); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, rc := range races {
		t.Run("a reader that raced a revocation does not bring the token back: "+rc.name, func(t *testing.T) {
			inner, tok := fixture(t)
			if err := inner.CreateToken(t.Context(), tok); err != nil {
				t.Fatal(err)
			}
			// The slow node reads the store, then stalls before filling
			// Redis; meanwhile another node revokes the token.
			stalled := make(chan struct{})
			resume := make(chan struct{})
			o := base(t)
			slow := newNode(t, &stallingStore{LockingStore: inner, stalled: stalled, resume: resume}, o)
			other := newNode(t, inner, o)
			done := make(chan bool)
			go func() { done <- active(t, slow, tok.Signature) }()
			<-stalled
			rc.revoke(t, other.Store, tok)
			close(resume)
			if !<-done {
				t.Fatal("the slow read returned inactive, want what it read before the revocation")
			}
			// Its fill carries the version read before the revocation.
			if active(t, other, tok.Signature) || active(t, slow, tok.Signature) {
				t.Fatal("a stale fill made a revoked token active again")
			}
		})
	}
}

// stallingStore, after its first read of a token from the store, signals
// stalled and waits for resume before returning it.
type stallingStore struct {
	storage.LockingStore
	reads   atomic.Int32
	stalled chan<- struct{}
	resume  <-chan struct{}
}

func (s *stallingStore) GetToken(ctx context.Context, kind storage.TokenKind, sig string) (storage.Token, error) {
	tok, err := s.LockingStore.GetToken(ctx, kind, sig)
	if s.reads.Add(1) == 1 {
		s.stalled <- struct{}{}
		<-s.resume
	}
	return tok, err
}

func TestClientCache(t *testing.T) {
	t.Run("a secret revoked or rotated on one node stops authenticating on the others at once", func(t *testing.T) {
		inner, _ := fixture(t)
		prefix := redistest.Prefix(t)
		a := newNode(t, inner, options{prefix: prefix, localTTL: 2 * time.Second})
		b := newNode(t, inner, options{prefix: prefix, localTTL: 2 * time.Second})
		within(t, time.Second, "nodes subscribed", func() bool { return a.Subscribed() && b.Subscribed() })
		for range 2 {
			if c, err := a.GetClient(t.Context(), "app"); err != nil || len(c.Secrets) != 1 {
				t.Fatalf("client %+v, %v", c, err)
			}
		}
		if a.counts.get("client/local") == 0 {
			t.Fatalf("client not kept in memory: %v", a.counts.n)
		}
		_, err := b.UpdateClient(t.Context(), "app", func(c storage.Client) (storage.Client, error) {
			c.Secrets = []storage.ClientSecret{{ID: "s2", Hash: []byte("hash-2"), Prefix: "tks_2"}}
			return c, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		within(t, time.Second, "node a sees the rotation", func() bool {
			c, err := a.GetClient(t.Context(), "app")
			return err == nil && len(c.Secrets) == 1 && c.Secrets[0].ID == "s2"
		})
	})

	t.Run("a deleted client is gone everywhere", func(t *testing.T) {
		inner, _ := fixture(t)
		prefix := redistest.Prefix(t)
		a := newNode(t, inner, options{prefix: prefix})
		b := newNode(t, inner, options{prefix: prefix})
		if _, err := a.GetClient(t.Context(), "app"); err != nil {
			t.Fatal(err)
		}
		if err := b.DeleteClient(t.Context(), "app"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.GetClient(t.Context(), "app"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("deleted client: err %v, want ErrNotFound", err)
		}
	})

	t.Run("a disabled user is seen disabled on every node", func(t *testing.T) {
		inner, _ := fixture(t)
		prefix := redistest.Prefix(t)
		a := newNode(t, inner, options{prefix: prefix, localTTL: 2 * time.Second})
		b := newNode(t, inner, options{prefix: prefix, localTTL: 2 * time.Second})
		within(t, time.Second, "nodes subscribed", func() bool { return a.Subscribed() && b.Subscribed() })
		for range 2 {
			if _, err := a.GetUser(t.Context(), "u1"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := b.UpdateUser(t.Context(), "u1", func(u storage.User) (storage.User, error) {
			u.Status = storage.UserDisabled
			return u, nil
		}); err != nil {
			t.Fatal(err)
		}
		within(t, time.Second, "node a sees the user disabled", func() bool {
			u, err := a.GetUser(t.Context(), "u1")
			return err == nil && u.Status == storage.UserDisabled
		})
	})
}

func TestKeysChangedReachesEveryNode(t *testing.T) {
	inner, _ := fixture(t)
	prefix := redistest.Prefix(t)
	told := make(chan struct{}, 4)
	a := newNode(t, inner, options{prefix: prefix})
	b := newNode(t, inner, options{prefix: prefix, onKeys: func() { told <- struct{}{} }})
	within(t, time.Second, "nodes subscribed", func() bool { return a.Subscribed() && b.Subscribed() })
	if err := a.CreateSigningKey(t.Context(), storage.SigningKey{ID: "k1", Algorithm: "ES256", PrivateKey: []byte("x"), PublicKey: []byte("{}"), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-told:
	case <-time.After(time.Second):
		t.Fatal("node b was not told of the new signing key")
	}
}

// A client created, changed or deleted on one node reaches
// OnClientsChanged there at once and on every other node, a change made in
// a transaction once it commits.
func TestClientsChangedReachesEveryNode(t *testing.T) {
	inner, _ := fixture(t)
	prefix := redistest.Prefix(t)
	toldA, toldB := make(chan string, 8), make(chan string, 8)
	a := newNode(t, inner, options{prefix: prefix, onClients: func() { toldA <- "a" }})
	b := newNode(t, inner, options{prefix: prefix, onClients: func() { toldB <- "b" }})
	within(t, time.Second, "nodes subscribed", func() bool { return a.Subscribed() && b.Subscribed() })
	// told waits for each node to be told of a change: twice on the node
	// that made it (at once, then by its own message on the channel),
	// once on the other. Counting both keeps a late echo of one change
	// from passing for the next.
	told := func(what string, byA bool) {
		t.Helper()
		wantA, wantB := 1, 2
		if byA {
			wantA, wantB = 2, 1
		}
		for _, w := range []struct {
			ch   chan string
			want int
		}{{toldA, wantA}, {toldB, wantB}} {
			for range w.want {
				select {
				case <-w.ch:
				case <-time.After(time.Second):
					t.Fatalf("a node was not told of %s", what)
				}
			}
		}
	}
	spa := storage.Client{ID: "spa", Name: "SPA", Type: storage.ClientPublic, AllowedOrigins: []string{"https://spa.example"}}
	if err := a.CreateClient(t.Context(), spa); err != nil {
		t.Fatal(err)
	}
	told("a client created", true)
	txCtx, err := a.BeginTx(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.UpdateClient(txCtx, "spa", func(c storage.Client) (storage.Client, error) {
		c.AllowedOrigins = nil
		return c, nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(toldA) != 0 {
		t.Fatal("node a was told of a change before its transaction committed")
	}
	if err := a.Commit(txCtx); err != nil {
		t.Fatal(err)
	}
	told("a client changed in a transaction", true)
	if err := b.DeleteClient(t.Context(), "spa"); err != nil {
		t.Fatal(err)
	}
	told("a client deleted", false)
}

func TestRedisOutage(t *testing.T) {
	inner, tok := fixture(t)
	prefix := redistest.Prefix(t)
	proxy := redistest.NewProxy(t)
	a := newNode(t, inner, options{addr: proxy.Addr(), prefix: prefix, localTTL: time.Second})
	b := newNode(t, inner, options{addr: proxy.Addr(), prefix: prefix, localTTL: time.Second})
	within(t, time.Second, "nodes subscribed", func() bool { return a.Subscribed() && b.Subscribed() })
	if err := a.CreateToken(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	second := tok
	second.Signature, second.RequestID = "sig-2", "fam-2"
	if err := a.CreateToken(t.Context(), second); err != nil {
		t.Fatal(err)
	}
	if !active(t, b, tok.Signature) || !active(t, b, second.Signature) {
		t.Fatal("tokens inactive before the outage")
	}

	proxy.Break()
	if err := a.Degraded(t.Context()); err == nil {
		t.Fatal("Degraded reports nothing while Redis is unreachable")
	}
	// Every read is answered from the store; a revocation made meanwhile
	// cannot reach Redis.
	for range 5 {
		if !active(t, b, second.Signature) {
			t.Fatal("a live token read inactive during the outage")
		}
	}
	if _, err := a.RevokeFamily(t.Context(), storage.KindAccessToken, tok.RequestID); err != nil {
		t.Fatal(err)
	}
	if active(t, a, tok.Signature) {
		t.Fatal("a token revoked during the outage reads active on the node that revoked it")
	}
	// The other node may hold it in memory; it learns of the new epoch
	// from the store.
	within(t, time.Second, "the other node sees the revocation", func() bool { return !active(t, b, tok.Signature) })
	if e, _ := inner.CacheEpoch(t.Context()); e == 0 {
		t.Fatal("the revocation that missed Redis did not bump the cache epoch")
	}

	proxy.Mend()
	// Redis still holds the entry cached as active before the outage: it
	// must never be read again, and the cache must serve again.
	within(t, 3*time.Second, "cache serving again", func() bool {
		before := b.counts.get("token/hit") + b.counts.get("token/local")
		if active(t, b, tok.Signature) {
			t.Fatal("the token revoked during the outage came back to life")
		}
		active(t, b, second.Signature)
		return b.counts.get("token/hit")+b.counts.get("token/local") > before
	})
	for _, n := range []node{a, b} {
		if active(t, n, tok.Signature) {
			t.Fatal("the token revoked during the outage came back to life")
		}
		within(t, 2*time.Second, "readiness no longer degraded", func() bool { return n.Degraded(t.Context()) == nil })
	}
}

// realisticSession is what the provider stores for a client-credentials
// access token (provider/oauth's encoding of the fosite request).
const realisticSession = `{"id":"56106946-94ae-4ca6-9e03-24e8d1bc2711","requested_at":"2026-12-01T09:51:41.184915244Z","client_id":"bot","requested_scope":["im:messages.send"],"granted_scope":["im:messages.send"],"form":{"grant_type":["client_credentials"],"scope":["im:messages.send"]},"session":{"id_token_claims":{"jti":"","iss":"","sub":"","aud":null,"nonce":"","exp":"0001-01-01T00:00:00Z","iat":"0001-01-01T00:00:00Z","rat":"0001-01-01T00:00:00Z","auth_time":"0001-01-01T00:00:00Z","at_hash":"","acr":"","amr":null,"c_hash":"","ext":{}},"headers":{"extra":{}},"expires_at":{"access_token":"2026-12-01T10:51:41.18498608Z"},"username":"","subject":""}}`

func TestSessionsRoundTripCompressed(t *testing.T) {
	inner, tok := fixture(t)
	n := newNode(t, inner, options{prefix: redistest.Prefix(t)})
	for i, session := range []string{realisticSession, "", "{}", strings.Repeat("x", 5000), "\x00\x01binary\xff"} {
		tok.Signature = fmt.Sprintf("sig-%d", i)
		tok.Session = []byte(session)
		if err := n.CreateToken(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
		got, err := n.GetToken(t.Context(), storage.KindAccessToken, tok.Signature)
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Session) != session {
			t.Fatalf("session %d came back as %q", i, got.Session)
		}
	}
	if n.counts.get("token/hit") != 5 {
		t.Fatalf("outcomes %v, want every read from Redis", n.counts.n)
	}
}

// BenchmarkCachedTokenMemory reports what Redis spends on one cached
// client-credentials access token (MEMORY USAGE of its entry).
func BenchmarkCachedTokenMemory(b *testing.B) {
	s := memory.New()
	if err := s.CreateClient(b.Context(), storage.Client{ID: "bot", Name: "Bot", Type: storage.ClientConfidential}); err != nil {
		b.Fatal(err)
	}
	prefix := redistest.Prefix(b)
	c, err := redis.New(b.Context(), s, redis.Config{Client: redistest.Client(b), Prefix: prefix, TokenTTL: time.Hour, ObjectTTL: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	var total int64
	for i := 0; b.Loop(); i++ {
		tok := storage.Token{Kind: storage.KindAccessToken, Signature: fmt.Sprintf("%043d", i), RequestID: fmt.Sprintf("56106946-94ae-4ca6-9e03-%012d", i),
			ClientID: "bot", Scopes: []string{"im:messages.send"}, Active: true, RequestedAt: now, ExpiresAt: now.Add(time.Hour),
			Session: []byte(realisticSession)}
		if err := c.CreateToken(b.Context(), tok); err != nil {
			b.Fatal(err)
		}
		n, err := redistest.Client(b).MemoryUsage(b.Context(), redis.TokenEntryKey(prefix, 0, tok.Signature)).Result()
		if err != nil {
			b.Fatal(err)
		}
		total += n
	}
	b.ReportMetric(float64(total)/float64(b.N), "redis-B/token")
}

func TestFailureCounters(t *testing.T) {
	t.Run("failures are counted in Redis, shared by the nodes, not in the database", func(t *testing.T) {
		inner, _ := fixture(t)
		prefix := redistest.Prefix(t)
		a := newNode(t, inner, options{prefix: prefix})
		b := newNode(t, inner, options{prefix: prefix})
		now := time.Now().UTC().Truncate(time.Microsecond)
		for i, n := range []node{a, b, a} {
			c, err := n.AddFailure(t.Context(), "ip:192.0.2.1", now, time.Hour)
			if err != nil || c.Failures != i+1 {
				t.Fatalf("failure %d: %+v, %v", i+1, c, err)
			}
		}
		if c, _ := b.GetCounter(t.Context(), "ip:192.0.2.1"); c.Failures != 3 || !c.LastFailure.Equal(now) {
			t.Fatalf("counter on node b: %+v", c)
		}
		if c, _ := inner.GetCounter(t.Context(), "ip:192.0.2.1"); c.Failures != 0 {
			t.Fatalf("the database counted %d failures", c.Failures)
		}
		if err := a.ClearCounter(t.Context(), "ip:192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if c, _ := b.GetCounter(t.Context(), "ip:192.0.2.1"); c.Failures != 0 {
			t.Fatalf("cleared counter: %+v", c)
		}
	})

	t.Run("while Redis is down the database counts, and the counts are read back", func(t *testing.T) {
		inner, _ := fixture(t)
		proxy := redistest.NewProxy(t)
		n := newNode(t, inner, options{addr: proxy.Addr(), prefix: redistest.Prefix(t)})
		proxy.Break()
		now := time.Now().UTC().Truncate(time.Microsecond)
		for i := range 3 {
			c, err := n.AddFailure(t.Context(), "account:u1", now, time.Hour)
			if err != nil || c.Failures != i+1 {
				t.Fatalf("failure %d while Redis is down: %+v, %v", i+1, c, err)
			}
		}
		proxy.Mend()
		if c, err := n.GetCounter(t.Context(), "account:u1"); err != nil || c.Failures != 3 {
			t.Fatalf("after the outage: %+v, %v; want the 3 failures counted meanwhile", c, err)
		}
	})

	t.Run("a purge round trips to Redis twice whatever the number of shards, and keeps to its limit", func(t *testing.T) {
		t.Parallel()
		inner, _ := fixture(t)
		client := redistest.Client(t)
		trips := &roundTrips{}
		client.AddHook(trips)
		n := newNode(t, inner, options{client: client, prefix: redistest.Prefix(t)})
		now := time.Now().UTC().Truncate(time.Microsecond)
		// 200 stale counters fall in well over a hundred of the shards.
		for i := range 200 {
			if _, err := n.AddFailure(t.Context(), fmt.Sprintf("ip:198.51.100.%d", i), now.Add(-2*time.Hour), 3*time.Hour); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := n.AddFailure(t.Context(), "ip:203.0.113.1", now, 3*time.Hour); err != nil {
			t.Fatal(err)
		}
		for _, round := range []struct{ limit, want int }{{150, 150}, {150, 50}, {150, 0}} {
			before := trips.n.Load()
			purged, err := n.Purge(t.Context(), storage.PurgeCounters, now.Add(-time.Hour), round.limit)
			if err != nil || purged != round.want {
				t.Fatalf("purged %d of at most %d, %v; want %d", purged, round.limit, err, round.want)
			}
			// A third trip only when the server is first given the script.
			if got := trips.n.Load() - before; got > 3 {
				t.Fatalf("a purge of %d counters took %d round trips to Redis", purged, got)
			}
		}
		if c, _ := n.GetCounter(t.Context(), "ip:203.0.113.1"); c.Failures != 1 {
			t.Fatalf("a recent counter after the purges: %+v", c)
		}
	})
}

// roundTrips counts the commands and pipelines a client sends about
// failure counters (naming a key with "ctr"), each one round trip to the
// server; the node's other traffic (its epoch check) is not counted.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) count(cmds ...goredis.Cmder) {
	for _, cmd := range cmds {
		for _, a := range cmd.Args() {
			if s, ok := a.(string); ok && strings.Contains(s, "ctr") {
				r.n.Add(1)
				return
			}
		}
	}
}

func (r *roundTrips) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (r *roundTrips) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		r.count(cmd)
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		r.count(cmds...)
		return next(ctx, cmds)
	}
}

func TestSecretUseWhileRedisIsDownKeepsTheEpoch(t *testing.T) {
	inner, _ := fixture(t)
	proxy := redistest.NewProxy(t)
	n := newNode(t, inner, options{addr: proxy.Addr(), prefix: redistest.Prefix(t)})
	proxy.Break()
	if err := n.TouchClientSecret(t.Context(), "app", "s1", time.Now()); err != nil {
		t.Fatal(err)
	}
	if e, _ := inner.CacheEpoch(t.Context()); e != 0 {
		t.Fatalf("recording a secret's use bumped the cache epoch to %d: it revokes nothing", e)
	}
	if c, err := n.GetClient(t.Context(), "app"); err != nil || c.Secrets[0].LastUsedAt.IsZero() {
		t.Fatalf("client %+v, %v: want the recorded use, read from the database", c, err)
	}
}
