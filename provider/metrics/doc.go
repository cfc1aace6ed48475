// Package metrics holds the provider's Prometheus metrics and serves them.
//
// New builds a Metrics value with a registry of its own (never the global
// one), holding the Go and process collectors and the provider's metrics,
// all named tokenim_*. Handler serves them in the Prometheus exposition
// format; cmd/tokenim-auth mounts it as GET /metrics on a listener of its
// own (metrics.listen), never on the public one.
//
// The provider packages do not import this package: each declares the
// small interface it reports through, where it is consumed, and Metrics
// satisfies them all:
//
//	provider              Instrument wraps the routes: requests and durations by route
//	provider/oauth        TokenIssued, Introspected
//	provider/login        SignInFailed
//	provider/backchannel  BackchannelDelivery
//	storage/redis         CacheResult (the token cache's hits, misses and faults)
//	rate limiting         RateLimited
//
// RegisterPool adds the Postgres pool's statistics, read at each scrape.
// RegisterStore adds tokenim_store_up for Postgres or Redis: the store is
// pinged when the gauge is scraped (once per scrape, at most a second),
// rather than the value being left by the last readiness probe, which may
// be long ago or never where nothing probes the provider.
//
// Label values of fixed sets (introspection results, sign-in failure
// reasons, back-channel delivery outcomes) are resolved once in New, so the hot paths only add to a
// counter or observe a histogram. A value outside such a set is counted as
// "other" rather than growing the set.
package metrics
