package audit

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/storage"
)

// Sealer chains appended records, on every node: storage lets one seal at
// a time, and each seals whatever is waiting.
type Sealer struct {
	store    storage.Audit
	chain    Chain
	interval time.Duration
	batch    int
	logger   *slog.Logger
	kick     chan struct{}
}

// SealerConfig is what a Sealer is built from.
type SealerConfig struct {
	Store storage.Audit
	Chain Chain
	// Interval is the longest a committed record waits to be sealed
	// (default 1s).
	Interval time.Duration
	// Batch is how many records one transaction seals (default 500).
	Batch  int
	Logger *slog.Logger
}

// NewSealer returns a sealer; Run starts it.
func NewSealer(c SealerConfig) *Sealer {
	if c.Interval <= 0 {
		c.Interval = time.Second
	}
	if c.Batch <= 0 {
		c.Batch = 500
	}
	c.Logger = defaults.Logger(c.Logger)
	return &Sealer{store: c.Store, chain: c.Chain, interval: c.Interval, batch: c.Batch, logger: c.Logger, kick: make(chan struct{}, 1)}
}

// Kick asks for a pass soon (a record was just appended); it never
// blocks.
func (s *Sealer) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// kickDelay lets the transaction that appended a record commit, and more
// records gather, before the pass a Kick asked for.
const kickDelay = 20 * time.Millisecond

// Run seals every interval, and shortly after a Kick, until ctx ends.
func (s *Sealer) Run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
			select {
			case <-ctx.Done():
				return
			case <-time.After(kickDelay):
			}
		}
		if _, err := s.SealAll(ctx); err != nil && ctx.Err() == nil {
			s.logger.WarnContext(ctx, "sealing authorization records", "err", err)
		}
	}
}

// SealAll seals every record waiting, a batch per transaction, and
// returns how many it sealed.
func (s *Sealer) SealAll(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.store.SealAudit(ctx, s.batch, s.chain.Link)
		total += n
		if err != nil {
			return total, fmt.Errorf("audit: seal: %w", err)
		}
		if n < s.batch {
			return total, nil
		}
	}
}

// Prune deletes the sealed records older than before, a batch per
// transaction, each leaving a checkpoint, and returns how many it
// deleted.
func Prune(ctx context.Context, store storage.Audit, chain Chain, before, now time.Time, batch int) (int, error) {
	total := 0
	for {
		n, err := store.PruneAudit(ctx, before, batch, chain.Checkpoint(now))
		total += n
		if err != nil {
			return total, fmt.Errorf("audit: prune: %w", err)
		}
		if n < batch {
			return total, nil
		}
	}
}
