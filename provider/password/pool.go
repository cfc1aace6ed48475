package password

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrBusy is returned by a Pool whose workers and queue are all taken:
// the caller should answer 503 with Retry-After rather than wait.
var ErrBusy = errors.New("password: too many passwords being hashed; try again shortly")

// RetryAfter is how long a caller refused with ErrBusy is told to wait: a
// full queue drains in a few hashes' time.
const RetryAfter = 2 * time.Second

// Pool runs the argon2id work of a process: every hash and verification
// of a request passes through it. Each costs 19 MiB while it runs, so the
// pool bounds the memory they take together to Workers × 19 MiB whatever
// the traffic: at most Workers run at once, at most Queue more wait (a
// waiting caller holds no hashing memory), and any caller beyond that
// gets ErrBusy at once, without hashing. It is safe for concurrent use.
type Pool struct {
	// admitted holds one token per running or waiting caller
	// (Workers + Queue); running one per running caller (Workers).
	admitted chan struct{}
	running  chan struct{}
	// queued, when set (by tests), is called once a caller is admitted,
	// before it waits for a worker.
	queued func()
}

// NewPool returns a pool of workers running hashes (at least 1; the
// number of cores, runtime.GOMAXPROCS(0), keeps every core busy) with a
// queue of at most queue waiting callers.
func NewPool(workers, queue int) *Pool {
	workers, queue = max(workers, 1), max(queue, 0)
	return &Pool{admitted: make(chan struct{}, workers+queue), running: make(chan struct{}, workers)}
}

// run runs f on a worker: ErrBusy at once when the queue is full, the
// context's error when it ends while waiting.
func (p *Pool) run(ctx context.Context, f func()) error {
	select {
	case p.admitted <- struct{}{}:
	default:
		return ErrBusy
	}
	defer func() { <-p.admitted }()
	if p.queued != nil {
		p.queued()
	}
	select {
	case p.running <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("password: wait for a worker: %w", context.Cause(ctx))
	}
	defer func() { <-p.running }()
	f()
	return nil
}

// Hash checks pw against the length rules and returns its argon2id PHC
// string; ErrBusy when the pool is full.
func (p *Pool) Hash(ctx context.Context, pw string) (string, error) {
	if err := Check(pw); err != nil {
		return "", err
	}
	var h string
	var err error
	if perr := p.run(ctx, func() { h, err = Hash(pw) }); perr != nil {
		return "", perr
	}
	return h, err
}

// Verify reports whether pw matches the PHC string hash, as the function
// Verify; ErrBusy when the pool is full.
func (p *Pool) Verify(ctx context.Context, pw, hash string) (bool, error) {
	var ok bool
	var err error
	if perr := p.run(ctx, func() { ok, err = Verify(pw, hash) }); perr != nil {
		return false, perr
	}
	return ok, err
}

// VerifyNothing spends the work of one verification, as the function
// VerifyNothing; ErrBusy when the pool is full.
func (p *Pool) VerifyNothing(ctx context.Context, pw string) error {
	return p.run(ctx, func() { VerifyNothing(pw) })
}

// Busy reports whether err from a Pool means the work was not done for
// want of room (ErrBusy) or because the caller's context ended while it
// waited, rather than a fault of the hash: the request is answered 503
// with Retry-After.
func Busy(err error) bool {
	return errors.Is(err, ErrBusy) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
