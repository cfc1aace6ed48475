package storage

import "context"

// CacheEpochs keeps the cache epoch: a number every node of the provider
// puts in the keys of what it caches in Redis. A node that could not tell
// Redis about a revocation (Redis down or slow) bumps the epoch, so that
// no node trusts an entry cached before the revocation once Redis answers
// again: entries of older epochs are never read.
type CacheEpochs interface {
	// CacheEpoch returns the current epoch; 0 until the first bump.
	CacheEpoch(ctx context.Context) (int64, error)
	// BumpCacheEpoch increments the epoch and returns the new one,
	// atomically: of n concurrent bumps the epoch grows by n.
	BumpCacheEpoch(ctx context.Context) (int64, error)
}
