package janitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/storage"
)

// LockName is the name of the lock a round holds.
const LockName = "janitor"

// DefaultGrace is Config.Grace when it is not set.
//
// A record is purged only once it has been expired for the grace, not the
// moment it expires, for two reasons. The nodes' clocks differ a little: a
// node whose clock runs ahead must not delete what another still honours —
// above all a client assertion ID, which must stay stored while any node
// would still accept the assertion, or that node would take a replay
// (RFC 7523 section 3). And a request that read a record just before it
// expired and writes it just after (finishing a flow, say) should see it
// expired, as the provider handles, rather than vanished.
const DefaultGrace = 5 * time.Minute

// Locker takes a lock shared by every node of the deployment:
// storage.Locker, which storage/postgres, storage/memory and the
// storage/redis cache in front of either implement.
type Locker = storage.Locker

// Config holds the janitor's dependencies and settings.
type Config struct {
	// Store deletes the expired records.
	Store storage.Purger
	// Locker lets one node at a time run a round.
	Locker Locker
	// Interval is the time between two rounds of Run.
	Interval time.Duration
	// Batch is the most records one statement deletes.
	Batch int
	// Grace is how long a record stays after it has expired; DefaultGrace
	// when zero.
	Grace time.Duration
	// ForgetAfter is the longest quiet period after which the throttle
	// forgets failures: a failure counter goes once its last failure is
	// older than that (plus the grace).
	ForgetAfter time.Duration
	// Tasks run in each round after the purges, under the round's lock:
	// pruning the authorization records, recording expired secrets.
	Tasks []Task
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger receives a line per area purged and the failures of Run;
	// nothing is logged when nil.
	Logger *slog.Logger
}

// Janitor purges expired records. It is safe for concurrent use.
type Janitor struct {
	store       storage.Purger
	locker      Locker
	interval    time.Duration
	batch       int
	grace       time.Duration
	forgetAfter time.Duration
	tasks       []Task
	now         func() time.Time
	logger      *slog.Logger
}

// New returns a janitor; it touches nothing until Run or Once.
func New(cfg Config) (*Janitor, error) {
	switch {
	case cfg.Store == nil || cfg.Locker == nil:
		return nil, errors.New("janitor: a store and a locker are required")
	case cfg.Interval <= 0:
		return nil, fmt.Errorf("janitor: interval must be positive, got %s", cfg.Interval)
	case cfg.Batch < 1:
		return nil, fmt.Errorf("janitor: batch must be at least 1, got %d", cfg.Batch)
	case cfg.Grace < 0 || cfg.ForgetAfter < 0:
		return nil, errors.New("janitor: grace and forget-after must not be negative")
	}
	j := &Janitor{
		store: cfg.Store, locker: cfg.Locker, interval: cfg.Interval, batch: cfg.Batch,
		grace: cfg.Grace, forgetAfter: cfg.ForgetAfter, tasks: cfg.Tasks, now: cfg.Now, logger: cfg.Logger,
	}
	if j.grace == 0 {
		j.grace = DefaultGrace
	}
	j.now, j.logger = defaults.Now(j.now), defaults.Logger(j.logger)
	return j, nil
}

// Result is what one round did.
type Result struct {
	// Ran is false when another node held the lock: this one did nothing.
	Ran bool
	// Deleted counts the records deleted, by area.
	Deleted map[storage.PurgeArea]int
	// Tasks counts what each task did (records pruned, recorded), by
	// name.
	Tasks map[string]int
}

// Task is a job of the janitor's round besides the purges.
type Task struct {
	// Name names the task in results and logs.
	Name string
	// Run does the task as of now and returns how many records it
	// handled.
	Run func(ctx context.Context, now time.Time) (int, error)
}

// Total is the number of records deleted in every area.
func (r Result) Total() int {
	n := 0
	for _, d := range r.Tasks {
		n += d
	}
	for _, d := range r.Deleted {
		n += d
	}
	return n
}

// Run runs a round now and then every Interval until ctx is done. A round
// failing is logged, and the next one tries again.
func (j *Janitor) Run(ctx context.Context) {
	tick := time.NewTicker(j.interval)
	defer tick.Stop()
	for {
		j.round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// round runs Once and logs its failure.
func (j *Janitor) round(ctx context.Context) {
	res, err := j.Once(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		j.logger.ErrorContext(ctx, "janitor round failed", "err", err)
	case err == nil && !res.Ran:
		j.logger.DebugContext(ctx, "janitor round skipped: another node holds the lock")
	}
}

// Once runs one round: unless another node holds the lock (then Ran is
// false and nothing is done), it purges every area in batches of Batch
// until a batch deletes fewer, or ctx is done, and logs a line for each
// area that lost records (none when nothing had expired). An area failing
// does not stop the others; the errors are joined, next to what was
// deleted.
func (j *Janitor) Once(ctx context.Context) (Result, error) {
	unlock, ok, err := j.locker.TryLock(ctx, LockName)
	if err != nil {
		return Result{}, fmt.Errorf("janitor: take the lock: %w", err)
	}
	if !ok {
		return Result{}, nil
	}
	defer unlock()

	now := j.now()
	before := now.Add(-j.grace)
	res := Result{Ran: true, Deleted: make(map[storage.PurgeArea]int), Tasks: make(map[string]int)}
	var errs []error
	for _, area := range storage.PurgeAreas() {
		end := before
		if area == storage.PurgeCounters {
			end = before.Add(-j.forgetAfter)
		}
		n, err := j.purge(ctx, area, end)
		res.Deleted[area] = n
		if n > 0 {
			j.logger.InfoContext(ctx, "purged expired records", "area", string(area), "deleted", n)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("janitor: purge %s: %w", area, err))
			if ctx.Err() != nil {
				break
			}
		}
	}
	for _, t := range j.tasks {
		if ctx.Err() != nil {
			break
		}
		n, err := t.Run(ctx, now)
		res.Tasks[t.Name] = n
		if n > 0 {
			j.logger.InfoContext(ctx, "janitor task done", "task", t.Name, "records", n)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("janitor: %s: %w", t.Name, err))
		}
	}
	return res, errors.Join(errs...)
}

// purge deletes batch after batch of area until one comes back short.
func (j *Janitor) purge(ctx context.Context, area storage.PurgeArea, before time.Time) (int, error) {
	total := 0
	for {
		n, err := j.store.Purge(ctx, area, before, j.batch)
		total += n
		if err != nil || n < j.batch {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}
