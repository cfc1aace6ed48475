// Command loadtest measures tokenim-auth under load: it starts real
// "tokenim-auth serve" processes on loopback, on Postgres and Redis, and
// drives them with wrk (https://github.com/wg/wrk, Debian package wrk).
// It is a developer tool, not part of the product.
//
// Usage:
//
//	make loadtest                                   # builds bin/tokenim-auth first
//	make loadtest LOADTEST_FLAGS='-duration 30s -profile /tmp/prof'
//	go run ./cmd/loadtest [flags]
//
// Flags:
//
//	-bin FILE          the tokenim-auth binary (default bin/tokenim-auth)
//	-duration D        length of each wrk run (default 10s)
//	-connections N     wrk connections (default 16)
//	-threads N         wrk threads (default 2)
//	-database URL      Postgres; the schema tokenim_loadtest is dropped and
//	                   recreated there, and dropped at the end
//	-redis HOST:PORT   Redis; database 11, keys under "tokenim-loadtest:",
//	                   deleted at the start and the end
//	-profile DIR       save 5 s CPU profiles of the introspect and
//	                   client_credentials scenarios in DIR and print their top
//	-scenarios LIST    comma-separated scenarios to run (default all)
//
// Nodes run with rate limits and the janitor off, logging at warn, with
// the metrics listener (and Go's profiler on it) on a port of their own.
// The program gets a client-credentials token for a bot and a user's
// token through the authorization code flow with PKCE (signing in on the
// real sign-in page), then runs each scenario:
//
//	client_credentials     POST /oauth2/token, grant_type=client_credentials
//	introspect             POST /oauth2/introspect of the bot's token (Redis on)
//	introspect_64          the same with 64 connections
//	introspect_noredis     the same on a node without Redis
//	userinfo               GET /userinfo with the user's token
//	jwks                   GET /.well-known/jwks.json
//	discovery              GET /.well-known/openid-configuration
//	introspect_1node_3wrk  introspection on one node, three wrk processes at
//	                       once (the baseline of introspect_3nodes)
//	introspect_3nodes      introspection on three nodes sharing Redis, one wrk
//	                       per node, the connections split between them
//
// Every request is first sent once and must answer 2xx; a wrk run with a
// response of status 400 or more, or a socket error, fails its scenario
// and the program exits 1 at the end. It also measures the Redis memory a
// cached access token takes, and prints a Markdown table with the machine
// it ran on, for docs/performance.md.
package main
