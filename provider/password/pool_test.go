package password

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

// newTestPool returns a pool whose queued callers are announced on the
// returned channel.
func newTestPool(workers, queue int) (*Pool, <-chan struct{}) {
	p := NewPool(workers, queue)
	queued := make(chan struct{}, 64)
	p.queued = func() { queued <- struct{}{} }
	return p, queued
}

func TestPoolRefusesBeyondItsQueue(t *testing.T) {
	t.Parallel()
	p, queued := newTestPool(1, 1)
	ctx := t.Context()
	release, started := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() { first <- p.run(ctx, func() { close(started); <-release }) }()
	<-queued
	<-started // the one worker is busy

	second := make(chan error, 1)
	var secondRan atomic.Bool
	go func() { second <- p.run(ctx, func() { secondRan.Store(true) }) }()
	<-queued // the second caller waits in the queue

	t.Run("a caller beyond the queue gets ErrBusy at once, without hashing", func(t *testing.T) {
		if _, err := p.Hash(ctx, "correct horse battery"); !errors.Is(err, ErrBusy) {
			t.Fatalf("Hash: %v, want ErrBusy", err)
		}
		if _, err := p.Verify(ctx, "correct horse battery", dummyHash()); !errors.Is(err, ErrBusy) {
			t.Fatalf("Verify: %v, want ErrBusy", err)
		}
		if err := p.VerifyNothing(ctx, "correct horse battery"); !errors.Is(err, ErrBusy) {
			t.Fatalf("VerifyNothing: %v, want ErrBusy", err)
		}
		if secondRan.Load() {
			t.Fatal("the queued caller ran while the worker was busy")
		}
	})
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil || !secondRan.Load() {
		t.Fatalf("the queued caller: %v, ran %v", err, secondRan.Load())
	}
	t.Run("once the work is done the pool takes callers again", func(t *testing.T) {
		h, err := p.Hash(ctx, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := p.Verify(ctx, "correct horse battery", h); !ok || err != nil {
			t.Fatalf("Verify: %v %v", ok, err)
		}
		if err := p.VerifyNothing(ctx, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPoolBoundsConcurrentWork sends many callers at a pool whose workers
// are held: exactly workers+queue are admitted, never more than workers
// run at once (each would hold 19 MiB), and the rest are refused.
func TestPoolBoundsConcurrentWork(t *testing.T) {
	t.Parallel()
	const workers, queue, callers = 2, 3, 20
	p, queued := newTestPool(workers, queue)
	ctx := t.Context()
	release := make(chan struct{})
	var running, peak atomic.Int32
	work := func() {
		n := running.Add(1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		<-release
		running.Add(-1)
	}
	results := make(chan error, callers)
	busy := 0
	for range callers {
		go func() { results <- p.run(ctx, work) }()
		// Each caller is either admitted or refused before the next.
		select {
		case <-queued:
		case err := <-results:
			if !errors.Is(err, ErrBusy) {
				t.Fatalf("refused with %v, want ErrBusy", err)
			}
			busy++
		}
	}
	if busy != callers-workers-queue {
		t.Fatalf("%d callers refused, want %d", busy, callers-workers-queue)
	}
	close(release)
	for range workers + queue {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	if n := peak.Load(); n > workers {
		t.Fatalf("%d ran at once, want at most %d", n, workers)
	}
}

func TestPoolWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	p, queued := newTestPool(1, 1)
	release, started := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- p.run(t.Context(), func() { close(started); <-release }) }()
	<-queued
	<-started
	ctx, cancel := context.WithCancel(t.Context())
	waiting := make(chan error, 1)
	go func() { _, err := p.Hash(ctx, "correct horse battery"); waiting <- err }()
	<-queued
	cancel()
	if err := <-waiting; !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled wait: %v, want context.Canceled", err)
	}
	// Its place in the queue is free again.
	go func() { _, err := p.Hash(t.Context(), "correct horse battery"); waiting <- err }()
	<-queued
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-waiting; err != nil {
		t.Fatal(err)
	}
}

func TestPoolChecksTheLengthRulesFirst(t *testing.T) {
	t.Parallel()
	p, queued := newTestPool(1, 0)
	if _, err := p.Hash(t.Context(), "short"); !errors.Is(err, ErrTooShort) {
		t.Fatalf("Hash of a short password: %v", err)
	}
	select {
	case <-queued:
		t.Fatal("a password refused by the rules took a place in the pool")
	default:
	}
}
