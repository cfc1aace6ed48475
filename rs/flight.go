package rs

import (
	"context"
	"crypto/sha256"
	"sync"
)

// flight makes concurrent introspections of one token share a single call
// to the provider, so a burst of requests carrying a token that is not
// cached (a new one, or a revoked one whose answer just expired) costs
// the provider one request.
type flight struct {
	mu    sync.Mutex
	calls map[[sha256.Size]byte]*call
}

// call is one introspection in progress.
type call struct {
	done chan struct{}
	tok  Token
	err  error
}

// do runs fn once for key among concurrent callers and gives each its
// result. fn runs detached from the first caller's cancellation (it is
// bounded by its own timeout), so that caller leaving does not fail the
// others; a caller whose ctx ends stops waiting.
func (f *flight) do(ctx context.Context, key [sha256.Size]byte, fn func(ctx context.Context) (Token, error)) (Token, error) {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[[sha256.Size]byte]*call{}
	}
	c, ok := f.calls[key]
	if !ok {
		c = &call{done: make(chan struct{})}
		f.calls[key] = c
		go func() {
			c.tok, c.err = fn(context.WithoutCancel(ctx))
			f.mu.Lock()
			if f.calls[key] == c {
				delete(f.calls, key)
			}
			f.mu.Unlock()
			close(c.done)
		}()
	}
	f.mu.Unlock()
	select {
	case <-c.done:
		return c.tok.clone(), c.err
	case <-ctx.Done():
		return Token{}, unavailable("introspect", context.Cause(ctx))
	}
}

// forget makes later callers for key start a new call instead of joining
// the one in progress, whose answer may predate a revocation.
func (f *flight) forget(key [sha256.Size]byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.calls, key)
}

// forgetAll is forget for every key.
func (f *flight) forgetAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.calls)
}
