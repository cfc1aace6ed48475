package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"

	"github.com/tokenim/tokenim-auth/storage"
)

var _ storage.LockingStore = (*Store)(nil)

// Config says how the cache uses Redis.
type Config struct {
	// Client is the Redis connection.
	Client goredis.UniversalClient
	// CloseClient makes Close close Client too.
	CloseClient bool
	// Prefix starts every key and the channel name. It holds no brace:
	// the shards' hash tags follow it (config.Redis.Prefix).
	Prefix string
	// Timeout bounds each Redis call.
	Timeout time.Duration
	// TokenTTL caps how long an access token stays cached; ObjectTTL is
	// how long a client or user does.
	TokenTTL  time.Duration
	ObjectTTL time.Duration
	// LocalTTL is how long a node keeps an entry in memory; 0 turns the
	// in-process cache off. LocalSize caps its entries.
	LocalTTL  time.Duration
	LocalSize int
	// EpochCheck is how often the cache epoch is re-read from the store.
	EpochCheck time.Duration
	// BreakAfter failures in a row open the circuit breaker for RetryAfter.
	BreakAfter int
	RetryAfter time.Duration
	// OnResult, when set, counts outcomes: cache is "token", "client" or
	// "user"; result is "local" (in-process hit), "hit", "miss" or "error".
	OnResult func(cache, result string)
	Now      func() time.Time
	Logger   *slog.Logger
}

// generation is one cache epoch as this node knows it: the epoch, the
// key prefix it implies, and the highest version counter seen in it, per
// shard.
type generation struct {
	epoch  int64
	prefix string
	known  [shardCount]atomic.Int64
}

// see records that shard's version counter has reached v.
func (g *generation) see(shard int, v int64) {
	k := &g.known[shard]
	for {
		cur := k.Load()
		if v <= cur || k.CompareAndSwap(cur, v) {
			return
		}
	}
}

// Store is the cache over the store it wraps; every method it does not
// override is the wrapped store's.
type Store struct {
	storage.Store
	// locker is the wrapped store's lock between nodes (TryLock).
	locker  storage.Locker
	cfg     Config
	rdb     goredis.UniversalClient
	breaker *gobreaker.CircuitBreaker[any]
	logger  *slog.Logger
	channel string
	// markerTTL outlives every entry a marker may concern.
	markerTTL time.Duration

	gen atomic.Pointer[generation]
	// epochStale asks for the epoch to be re-read before Redis is used
	// again (the breaker closed after an outage).
	epochStale atomic.Bool
	// bumpPending is set while a revocation that missed Redis has not yet
	// bumped the epoch: Redis is not used until it has.
	bumpPending atomic.Bool

	onKeys    atomic.Pointer[func()]
	onClients atomic.Pointer[func()]

	codec  *compressor
	shards *shards
	// tokens, clients and users are the read paths of each kind.
	tokens  *lookup[storage.Token]
	clients *lookup[storage.Client]
	users   *lookup[storage.User]

	local *local
	// subscribed is true while the invalidation channel is listened to:
	// the in-process cache is used only then.
	subscribed atomic.Bool

	stop context.CancelFunc
	done sync.WaitGroup
	// ps is the subscription, closed by Close to end a blocked receive.
	ps atomic.Pointer[goredis.PubSub]
}

// New returns the cache over inner. It reads the cache epoch from inner;
// call Start to follow invalidations from other nodes.
func New(ctx context.Context, inner storage.LockingStore, cfg Config) (*Store, error) {
	if cfg.Client == nil {
		return nil, errors.New("redis: no client")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 250 * time.Millisecond
	}
	if cfg.BreakAfter < 1 {
		cfg.BreakAfter = 3
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 2 * time.Second
	}
	if cfg.EpochCheck <= 0 {
		cfg.EpochCheck = 500 * time.Millisecond
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = time.Hour
	}
	if cfg.ObjectTTL <= 0 {
		cfg.ObjectTTL = time.Minute
	}
	s := &Store{
		Store:     inner,
		locker:    inner,
		cfg:       cfg,
		rdb:       cfg.Client,
		logger:    cfg.Logger,
		channel:   cfg.Prefix + "invalidations",
		markerTTL: max(cfg.TokenTTL, cfg.ObjectTTL) + time.Minute,
		shards:    newShards(),
	}
	var err error
	if s.codec, err = newCompressor(); err != nil {
		return nil, err
	}
	s.tokens, s.clients, s.users = s.tokenLookup(), s.clientLookup(), s.userLookup()
	if cfg.LocalTTL > 0 && cfg.LocalSize > 0 {
		s.local = newLocal(cfg.LocalTTL, cfg.LocalSize, cfg.Now)
	}
	s.breaker = gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
		Name:        "redis",
		MaxRequests: 1,
		Timeout:     cfg.RetryAfter,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(cfg.BreakAfter) },
		IsSuccessful: func(err error) bool {
			return err == nil || errors.Is(err, goredis.Nil)
		},
		// A caller that went away says nothing about Redis.
		IsExcluded:    func(err error) bool { return errors.Is(err, context.Canceled) },
		OnStateChange: s.breakerChanged,
	})
	epoch, err := inner.CacheEpoch(ctx)
	if err != nil {
		return nil, fmt.Errorf("redis: read cache epoch: %w", err)
	}
	s.setEpoch(epoch)
	return s, nil
}

// OnKeysChanged sets what to do, on every node, when one of them changed
// the signing keys: re-read them, so that each publishes the new set at
// once.
func (s *Store) OnKeysChanged(f func()) { s.onKeys.Store(&f) }

// OnClientsChanged sets what to do, on every node, when one of them
// created, changed or deleted a client: on the node that did, at once;
// on the others when the message reaches them. What the nodes keep of
// every client at once (the origins browsers may call from, provider/cors)
// is loaded again.
func (s *Store) OnClientsChanged(f func()) { s.onClients.Store(&f) }

// Start follows the invalidation channel and the cache epoch until ctx
// ends or Close is called.
func (s *Store) Start(ctx context.Context) {
	ctx, s.stop = context.WithCancel(ctx)
	s.done.Add(2)
	go func() { defer s.done.Done(); s.listen(ctx) }()
	go func() { defer s.done.Done(); s.watchEpoch(ctx) }()
}

// Close stops what Start started, then closes the wrapped store.
func (s *Store) Close() {
	if s.stop != nil {
		s.stop()
		if ps := s.ps.Load(); ps != nil {
			ps.Close()
		}
		s.done.Wait()
	}
	if s.cfg.CloseClient {
		s.rdb.Close()
	}
	s.Store.Close()
}

// Degraded reports why Redis is not serving, or nil when it is: the
// provider keeps answering from the store meanwhile, so readiness reports
// it as degraded, not down.
func (s *Store) Degraded(ctx context.Context) error {
	if s.bumpPending.Load() {
		return errors.New("redis: a revocation could not reach Redis and the cache epoch is not bumped yet; answering from the database")
	}
	// Through the breaker: a readiness probe is also the call that tries
	// Redis again once the breaker lets one through.
	_, err := s.call(ctx, func(ctx context.Context) (any, error) { return nil, s.rdb.Ping(ctx).Err() })
	switch {
	case errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests):
		return errors.New("redis: unreachable; answering from the database (circuit open)")
	case err != nil:
		return fmt.Errorf("redis: ping: %w", err)
	}
	return nil
}

func (s *Store) setEpoch(epoch int64) {
	g := &generation{epoch: epoch, prefix: generationPrefix(s.cfg.Prefix, epoch)}
	old := s.gen.Swap(g)
	if old != nil && old.epoch != epoch {
		s.logger.Info("cache epoch changed: entries cached before are no longer read", "epoch", epoch)
		if s.local != nil {
			s.local.flush()
		}
	}
}

// generationPrefix starts the cache's keys in epoch: prefix, then the
// epoch, then (Store.key) a shard's hash tag.
func generationPrefix(prefix string, epoch int64) string {
	return prefix + "e" + strconv.FormatInt(epoch, 10) + ":"
}

func (s *Store) breakerChanged(_ string, from, to gobreaker.State) {
	switch {
	case to == gobreaker.StateOpen:
		s.logger.Warn("redis unreachable: answering from the database", "retry_after", s.cfg.RetryAfter)
		if s.local != nil {
			s.local.flush()
		}
	case from == gobreaker.StateOpen:
		// Revocations made meanwhile may have bumped the epoch.
		s.epochStale.Store(true)
	case to == gobreaker.StateClosed:
		s.logger.Info("redis answers again")
	}
}

// usable returns the generation to use Redis with, or false when Redis
// must not be used for this call.
func (s *Store) usable(ctx context.Context) (*generation, bool) {
	if s.bumpPending.Load() || s.breaker.State() == gobreaker.StateOpen {
		return nil, false
	}
	if s.epochStale.Load() {
		if err := s.refreshEpoch(ctx); err != nil {
			return nil, false
		}
	}
	return s.gen.Load(), true
}

// refreshEpoch re-reads the epoch from the store.
func (s *Store) refreshEpoch(ctx context.Context) error {
	e, err := s.Store.CacheEpoch(ctx)
	if err != nil {
		return err
	}
	s.epochStale.Store(false)
	if e != s.gen.Load().epoch {
		s.setEpoch(e)
	}
	return nil
}

// call runs one Redis operation under the deadline and the breaker.
//
// A failed call means this node may have missed an epoch bump made while
// it could not reach Redis: the epoch is re-read before the next use.
func (s *Store) call(ctx context.Context, op func(ctx context.Context) (any, error)) (any, error) {
	res, err := s.breaker.Execute(func() (any, error) {
		ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
		defer cancel()
		return op(ctx)
	})
	if err != nil && !errors.Is(err, goredis.Nil) && !errors.Is(err, context.Canceled) {
		s.epochStale.Store(true)
	}
	return res, err
}

func (s *Store) result(cache, result string) {
	if s.cfg.OnResult != nil {
		s.cfg.OnResult(cache, result)
	}
}

// useLocal reports whether the in-process cache may be used: it exists
// and invalidations from other nodes are being received.
func (s *Store) useLocal() bool { return s.local != nil && s.subscribed.Load() }

// lookup is the read path shared by tokens, clients and users: memory,
// then Redis, then load (the store), filling what missed. Each kind has
// one lookup, made once: the hot path builds no closures. Values are
// identified by id, which also picks their shard; key(id) is their Redis
// key, self(id) their own marker. decode turns a Redis payload back into
// a value, encode a loaded one into a payload; markers (the others, in
// the value's shard) and expiry describe a value.
type lookup[T any] struct {
	cache   string
	kind    byte
	key     func(id string) string
	self    func(id string) string
	ttl     time.Duration
	load    func(ctx context.Context, id string) (T, error)
	decode  func(id string, payload []byte) (T, error)
	encode  func(v T) []byte
	markers func(v T) []string
	expiry  func(v T) time.Time
	// clone copies a value so that callers share nothing with the
	// in-process cache.
	clone func(v T) T
}

// localMarkers are the markers of v's entry in the in-process cache: its
// own and the others.
func (l *lookup[T]) localMarkers(v T, self string) []string {
	return append(l.markers(v), self)
}

func get[T any](ctx context.Context, s *Store, l *lookup[T], id string) (T, error) {
	useLocal := s.useLocal()
	lk := localKey{kind: l.kind, id: id}
	if useLocal {
		if v, ok := s.local.get(lk); ok {
			s.result(l.cache, "local")
			return l.clone(v.(T)), nil
		}
	}
	var seq uint64
	if useLocal {
		seq = s.local.seq.Load()
	}
	self := l.self(id)
	key := l.key(id)
	shard := s.shards.of(id)
	g, ok := s.usable(ctx)
	version := int64(-1)
	if ok {
		res, err := s.call(ctx, func(ctx context.Context) (any, error) {
			return readScript.Run(ctx, s.rdb, []string{s.key(g, shard, key), s.key(g, shard, "version"), s.key(g, shard, "m:"+self)},
				s.key(g, shard, "m:")).Slice()
		})
		switch reply, _ := res.([]any); {
		case err != nil || len(reply) != 2:
			s.result(l.cache, "error")
			s.logger.DebugContext(ctx, "redis read failed", "err", err)
		case reply[0] == int64(1):
			payload, _ := reply[1].(string)
			v, err := l.decode(id, []byte(payload))
			if err == nil {
				s.result(l.cache, "hit")
				if useLocal {
					s.local.put(seq, lk, l.clone(v), l.localMarkers(v, self), l.expiry(v))
				}
				return v, nil
			}
			s.logger.WarnContext(ctx, "unreadable cache entry; reading the database", "cache", l.cache, "err", err)
		default:
			s.result(l.cache, "miss")
			str, _ := reply[1].(string)
			if v, err := strconv.ParseInt(str, 10, 64); err == nil {
				version = v
				g.see(shard, v)
			}
		}
	}
	v, err := l.load(ctx, id)
	if err != nil {
		return v, err
	}
	if version >= 0 {
		s.fill(ctx, g, shard, key, version, l.markers(v), l.encode(v), l.ttl, l.expiry(v))
	}
	if useLocal {
		s.local.put(seq, lk, l.clone(v), l.localMarkers(v, self), l.expiry(v))
	}
	return v, nil
}

// key returns the Redis key of name in shard, in generation g.
func (s *Store) key(g *generation, shard int, name string) string {
	return g.prefix + s.shards.tag(shard) + name
}

// fill writes an entry of shard read at version, for at most ttl and not
// past expires (zero: no expiry).
func (s *Store) fill(ctx context.Context, g *generation, shard int, key string, version int64, markers []string, payload []byte, ttl time.Duration, expires time.Time) {
	if !expires.IsZero() {
		ttl = min(ttl, expires.Sub(s.cfg.Now()))
	}
	if ttl < time.Millisecond {
		return
	}
	for _, m := range markers {
		if !clean(m) {
			return
		}
	}
	value := entry(version, markers, payload)
	_, err := s.call(ctx, func(ctx context.Context) (any, error) {
		return nil, s.rdb.Set(ctx, s.key(g, shard, key), value, ttl).Err()
	})
	if err != nil {
		s.logger.DebugContext(ctx, "redis fill failed", "err", err)
	}
}

// change is what a write made stale in the cache.
type change struct {
	// records are cached records (an access token, a client, a user):
	// each one's own marker is stamped and its entry deleted, in its
	// shard.
	records []record
	// everywhere are markers stamped in every shard: those of all the
	// tokens of a client or of a subject, which may be in any shard.
	everywhere []string
}

// record is one cached record: the ID that picks its shard, its key and
// its own marker.
type record struct{ id, key, marker string }

func tokenRecord(signature string) record {
	return record{signature, tokenKey(signature), markerToken(signature)}
}
func clientRecord(id string) record { return record{id, clientKey(id), markerClient(id)} }
func userRecord(id string) record   { return record{id, userKey(id), markerUser(id)} }

// tokensChange makes the access tokens with signatures stale: those a
// revocation of their family retired, each in its own shard.
func tokensChange(signatures []string) change {
	c := change{records: make([]record, len(signatures))}
	for i, sig := range signatures {
		c.records[i] = tokenRecord(sig)
	}
	return c
}

// markers are what the in-process caches drop.
func (c change) markers() []string {
	m := make([]string, 0, len(c.records)+len(c.everywhere))
	for _, r := range c.records {
		m = append(m, r.marker)
	}
	return append(m, c.everywhere...)
}

// invalidate tells every node that the entries c names are stale. It
// runs after the change is committed to the store. When Redis cannot be
// told, the cache epoch is bumped instead, so that nothing cached before
// is read again.
func (s *Store) invalidate(ctx context.Context, c change) {
	ctx = context.WithoutCancel(ctx)
	// The epoch comes from the store, not from this node's memory: a node
	// that has not yet seen another's bump would stamp markers where no
	// node reads any more.
	if err := s.refreshEpoch(ctx); err != nil {
		s.logger.WarnContext(ctx, "read the cache epoch", "err", err)
	}
	if err := s.stamp(ctx, c); err != nil {
		s.logger.WarnContext(ctx, "a revocation could not reach redis: bumping the cache epoch", "err", err)
		s.bumpEpoch(ctx)
	}
}

// shardStamp is what an invalidation does in one shard: the marker keys
// to stamp and the entries to delete.
type shardStamp struct {
	shard   int
	markers []string
	keys    []string
}

// stamp drops what this node holds of c, then, in Redis, stamps its
// markers and deletes its entries, one script per shard concerned, and
// tells the other nodes.
func (s *Store) stamp(ctx context.Context, c change) error {
	markers := c.markers()
	if s.local != nil {
		s.local.invalidate(markers)
	}
	g, ok := s.usable(ctx)
	if !ok {
		return errors.New("redis: not in use (circuit open or epoch not bumped)")
	}
	var byShard [shardCount]*shardStamp
	at := func(shard int) *shardStamp {
		if byShard[shard] == nil {
			byShard[shard] = &shardStamp{shard: shard}
		}
		return byShard[shard]
	}
	for _, r := range c.records {
		sh := s.shards.of(r.id)
		st := at(sh)
		st.markers = append(st.markers, s.key(g, sh, "m:"+r.marker))
		st.keys = append(st.keys, s.key(g, sh, r.key))
	}
	if len(c.everywhere) > 0 {
		for sh := range shardCount {
			st := at(sh)
			for _, m := range c.everywhere {
				st.markers = append(st.markers, s.key(g, sh, "m:"+m))
			}
		}
	}
	var stamps []*shardStamp
	for _, st := range byShard {
		if st != nil {
			stamps = append(stamps, st)
		}
	}
	message := "inv\t" + strings.Join(markers, "\t")
	_, err := s.call(ctx, func(ctx context.Context) (any, error) {
		return nil, s.runStamps(ctx, g, stamps, message)
	})
	return err
}

// runStamps runs the invalidation script of each shard stamp, then
// publishes message: within the script when there is one, else once all
// have run, so that a node told of it reads what they wrote. The shards'
// scripts go in one pipeline, which a Cluster client splits by node.
func (s *Store) runStamps(ctx context.Context, g *generation, stamps []*shardStamp, message string) error {
	args := func(st *shardStamp, publish bool) ([]string, []any) {
		keys := make([]string, 0, 1+len(st.markers)+len(st.keys))
		keys = append(keys, s.key(g, st.shard, "version"))
		keys = append(append(keys, st.markers...), st.keys...)
		a := []any{s.markerTTL.Milliseconds(), len(st.markers)}
		if publish {
			a = append(a, s.channel, message)
		}
		return keys, a
	}
	switch len(stamps) {
	case 0:
		return s.rdb.Publish(ctx, s.channel, message).Err()
	case 1:
		keys, a := args(stamps[0], true)
		v, err := invalidateScript.Run(ctx, s.rdb, keys, a...).Int64()
		if err == nil {
			g.see(stamps[0].shard, v)
		}
		return err
	}
	cmds, err := s.runPipelined(ctx, invalidateScript, len(stamps), func(i int) ([]string, []any) {
		return args(stamps[i], false)
	})
	if err != nil {
		return err
	}
	for i, cmd := range cmds {
		if v, err := cmd.Int64(); err == nil {
			g.see(stamps[i].shard, v)
		}
	}
	return s.rdb.Publish(ctx, s.channel, message).Err()
}

// runPipelined runs script n times in one pipeline, which a Cluster
// client splits by node, with the keys and arguments of call(i); a server
// that has not loaded the script yet is given it and the pipeline run
// again.
func (s *Store) runPipelined(ctx context.Context, script *goredis.Script, n int, call func(i int) ([]string, []any)) ([]*goredis.Cmd, error) {
	run := func() ([]*goredis.Cmd, error) {
		pipe := s.rdb.Pipeline()
		cmds := make([]*goredis.Cmd, n)
		for i := range n {
			keys, a := call(i)
			cmds[i] = script.EvalSha(ctx, pipe, keys, a...)
		}
		_, err := pipe.Exec(ctx)
		return cmds, err
	}
	cmds, err := run()
	if err != nil && goredis.HasErrorPrefix(err, "NOSCRIPT") {
		if err := script.Load(ctx, s.rdb).Err(); err != nil {
			return nil, err
		}
		cmds, err = run()
	}
	return cmds, err
}

// bumpEpoch moves every node to a new cache epoch. Until it succeeds this
// node does not use Redis, and the epoch watcher retries it.
func (s *Store) bumpEpoch(ctx context.Context) {
	s.bumpPending.Store(true)
	e, err := s.Store.BumpCacheEpoch(ctx)
	if err != nil {
		s.logger.ErrorContext(ctx, "bump the cache epoch; will retry", "err", err)
		return
	}
	s.setEpoch(e)
	s.bumpPending.Store(false)
}

// clientsChanged runs OnClientsChanged here and tells the other nodes.
// A node that misses the message (Redis down, not subscribed) sees the
// change when what it keeps expires.
func (s *Store) clientsChanged(ctx context.Context) {
	if f := s.onClients.Load(); f != nil {
		(*f)()
	}
	ctx = context.WithoutCancel(ctx)
	if _, ok := s.usable(ctx); !ok {
		return
	}
	if _, err := s.call(ctx, func(ctx context.Context) (any, error) {
		return nil, s.rdb.Publish(ctx, s.channel, "clients").Err()
	}); err != nil {
		s.logger.WarnContext(ctx, "publish a client change", "err", err)
	}
}

// publishKeys tells every node that the signing keys changed.
func (s *Store) publishKeys(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	if _, ok := s.usable(ctx); !ok {
		return
	}
	if _, err := s.call(ctx, func(ctx context.Context) (any, error) {
		return nil, s.rdb.Publish(ctx, s.channel, "keys").Err()
	}); err != nil {
		s.logger.WarnContext(ctx, "publish a signing key change", "err", err)
	}
}

// watchEpoch re-reads the epoch every EpochCheck, and retries a pending
// bump.
func (s *Store) watchEpoch(ctx context.Context) {
	t := time.NewTicker(s.cfg.EpochCheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if s.bumpPending.Load() {
			s.bumpEpoch(ctx)
			continue
		}
		if err := s.refreshEpoch(ctx); err != nil && ctx.Err() == nil {
			s.logger.WarnContext(ctx, "read the cache epoch", "err", err)
		}
	}
}

// listen follows the invalidation channel: other nodes' invalidations
// drop entries from the in-process cache, which is used only while
// subscribed and emptied whenever the subscription is (re)made, since
// messages sent meanwhile were lost.
func (s *Store) listen(ctx context.Context) {
	ps := s.rdb.Subscribe(ctx, s.channel)
	s.ps.Store(ps)
	defer ps.Close()
	down := func() {
		if s.subscribed.Swap(false) && s.local != nil {
			s.local.flush()
		}
	}
	defer down()
	resubscribe := false
	wait := 50 * time.Millisecond
	for ctx.Err() == nil {
		msg, err := ps.ReceiveTimeout(ctx, max(s.cfg.LocalTTL, 100*time.Millisecond))
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			var nerr interface{ Timeout() bool }
			if errors.As(err, &nerr) && nerr.Timeout() {
				// Quiet channel: make sure the connection is alive.
				if perr := ps.Ping(ctx); perr == nil {
					continue
				}
			}
			down()
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, 2*time.Second)
			continue
		}
		wait = 50 * time.Millisecond
		switch m := msg.(type) {
		case *goredis.Subscription:
			if m.Kind == "subscribe" {
				// (Re)subscribed: what was published meanwhile is lost,
				// and the epoch may have moved. After a lost connection
				// Redis itself may have lost writes (a failover to a
				// replica behind the old master): start a new epoch.
				s.epochStale.Store(true)
				if resubscribe {
					s.bumpEpoch(ctx)
				}
				resubscribe = true
				if s.local != nil {
					s.local.flush()
				}
				s.subscribed.Store(true)
			}
		case *goredis.Message:
			s.received(m.Payload)
		}
	}
}

// received applies a message of the invalidation channel.
func (s *Store) received(payload string) {
	switch {
	case payload == "keys":
		if f := s.onKeys.Load(); f != nil {
			(*f)()
		}
	case payload == "clients":
		if f := s.onClients.Load(); f != nil {
			(*f)()
		}
	case strings.HasPrefix(payload, "inv\t"):
		if s.local != nil {
			s.local.invalidate(strings.Split(payload[len("inv\t"):], "\t"))
		}
	}
}

// Subscribed reports whether this node receives other nodes'
// invalidations (and so uses its in-process cache).
func (s *Store) Subscribed() bool { return s.subscribed.Load() }
