package revocations

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// broker reads the chain once per node, however many gateways subscribe,
// and hands each new batch of events to every subscriber. It runs while
// anyone subscribes.
type broker struct {
	store  Chain
	poll   time.Duration
	logger *slog.Logger

	mu      sync.Mutex
	cursor  int64 // the last chain position read
	subs    map[chan []Event]struct{}
	running bool
}

// subscriberBuffer is how many batches a subscriber may fall behind before
// it is dropped (its client reconnects with Last-Event-ID and loses
// nothing).
const subscriberBuffer = 256

func newBroker(store Chain, poll time.Duration, logger *slog.Logger) *broker {
	return &broker{store: store, poll: poll, logger: logger, subs: map[chan []Event]struct{}{}}
}

// subscribe registers a subscriber and returns its channel, the position
// from which the channel's batches start (every later event arrives
// there; the subscriber reads what lies before from the chain itself),
// and how to leave. The channel is closed when the subscriber falls too
// far behind.
func (b *broker) subscribe(ctx context.Context) (ch chan []Event, from int64, leave func(), err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.running {
		head, err := b.store.AuditChain(ctx)
		if err != nil {
			return nil, 0, nil, err
		}
		b.cursor, b.running = head.Head.Seq, true
		go b.run()
	}
	ch = make(chan []Event, subscriberBuffer)
	b.subs[ch] = struct{}{}
	return ch, b.cursor, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
	}, nil
}

// run polls the chain until nobody subscribes.
func (b *broker) run() {
	t := time.NewTicker(b.poll)
	defer t.Stop()
	ctx := context.Background()
	for range t.C {
		b.mu.Lock()
		if len(b.subs) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		after := b.cursor
		b.mu.Unlock()
		events, last, err := read(ctx, b.store, after, -1)
		if err != nil {
			b.logger.Warn("revocation stream: read the chain", "err", err)
			continue
		}
		b.mu.Lock()
		b.cursor = last
		if len(events) > 0 {
			for ch := range b.subs {
				select {
				case ch <- events:
				default:
					// Too far behind: dropped, it resumes from its
					// last event ID.
					delete(b.subs, ch)
					close(ch)
				}
			}
		}
		b.mu.Unlock()
	}
}

// read returns the revocation events after position after, up to and
// including position upTo (-1: up to the end), and the last position
// read.
func read(ctx context.Context, store Chain, after, upTo int64) ([]Event, int64, error) {
	var out []Event
	for upTo < 0 || after < upTo {
		recs, err := store.ChainAudit(ctx, after, page)
		if err != nil {
			return out, after, err
		}
		for _, rec := range recs {
			if upTo >= 0 && rec.Seq > upTo {
				return out, after, nil
			}
			after = rec.Seq
			if e, ok := eventOf(rec); ok {
				out = append(out, e)
			}
		}
		if len(recs) < page {
			break
		}
	}
	return out, after, nil
}
