// Command chaos breaks what tokenim-auth depends on while it serves, and
// measures what its clients see. It is a developer tool, not part of the
// product, and it is not part of make test.
//
// Usage:
//
//	make chaos                                    # builds bin/tokenim-auth first
//	make chaos CHAOS_FLAGS='-steady 30s -rate 500 -outage 20s'
//	go run ./cmd/chaos [flags]
//
// Flags:
//
//	-bin FILE      the tokenim-auth binary (default bin/tokenim-auth)
//	-steady D      each steady period: before the first fault, and after
//	               each fault, where its recovery is watched (default 20s)
//	-outage D      how long Redis stays down (default 10s)
//	-pause D       how long Postgres and the killed node stay stopped
//	               before they are started again (default 0s)
//	-rate N        requests a second, in all (default 300)
//	-workers N     requests under way at once, at most (default 8)
//	-grace D       how long after a revocation another node may still
//	               answer active: redis.local_ttl (default 1s)
//	-sweep N       tokens introspected on every node after each fault
//	               (default 1000)
//	-keep          keep the temporary directory with the logs
//
// A default run takes about a minute and forty seconds.
//
// # What it starts
//
// Everything is its own, in a temporary directory, on free loopback
// ports: a Postgres cluster (initdb, then pg_ctl; the binaries of the
// newest /usr/lib/postgresql/*/bin, or those on PATH; run as the postgres
// user when we are root), a Redis server (redis-server --save ""
// --appendonly no), and two nodes, "tokenim-auth serve" sharing them. The
// machine's own Postgres and Redis (5432, 6379) are neither used nor
// touched. Everything is stopped and the directory removed on the way
// out: at the end, on an error, on Ctrl-C or SIGTERM (the children run in
// process groups of their own, so that the terminal's Ctrl-C reaches this
// program alone, which stops them in order).
//
// # The load
//
// -workers goroutines send at most -rate requests a second in all, each
// to a node chosen at random: client-credentials grants, introspections
// (as the IM gateway, a resource server) and revocations (by the token's
// client, RFC 7009), 3 : 6 : 1. A ledger records every token granted (200)
// and every revocation sent and answered. Introspections choose a token of
// the ledger, half the time among the 200 newest.
//
// # The faults
//
// After a first steady period (the reference), in order, each followed by
// a steady period and a sweep (the load paused, up to -sweep tokens
// introspected on every node: first those an answer was wrong about, then
// those granted or revoked since the last sweep, then others):
//
//	a. Redis killed (SIGKILL), started again -outage later, empty;
//	b. Postgres restarted (pg_ctl stop -m fast, then start); down is the
//	   time from the stop until it accepts a connection again;
//	c. node2 killed (SIGKILL) and started again on the same address; down
//	   is the time until it is ready.
//
// # What it reports
//
// For each fault, over its window (from its start to the end of the sweep
// after it): requests by kind; answers 5xx, and how many of them were 503
// with a Retry-After header (the provider's "try again shortly"); requests
// without an answer (refused, reset, timed out after 10 s); wrong
// introspection answers, judged from the ledger: a revoked token answered
// active (to a request sent more than -grace after its revocation was
// answered 200, or after it was first answered inactive), or a valid
// token (granted, no revocation sent, not near its expiry) answered
// inactive; lost grants (a valid token a sweep answers inactive: the
// grant is gone, not just answered wrong while a service was down);
// revoked tokens active again (answered active after having been answered
// inactive); the throughput while the fault lasted (requests that did not
// fail, a second) against the first steady period; and the recovery time:
// from the fault's end to the end of the first whole second with no
// failed request and at least 90% of the steady throughput.
//
// At the end it prints a Markdown table of it all with the machine (CPU,
// cores, memory, the Go release of the binary, the Postgres and Redis
// versions), for docs/operations.md.
//
// # Exit status
//
// 0 when no wrong answer, lost grant or revoked token active again was
// seen; 1 when one was (after the report), or when the run could not be
// done; 2 for a bad command line. Errors during an outage (5xx, no answer)
// are reported, not failures.
package main
