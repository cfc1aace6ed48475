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
//
// # Side by side with Ory Hydra
//
//	make compare                                    # builds bin/tokenim-auth first
//	make compare COMPARE_FLAGS='-duration 5s -out /tmp/compare.md'
//	go run ./cmd/loadtest compare [flags]
//
// compare runs Ory Hydra next to our nodes and sends both the same wrk
// load. It takes -bin, -duration, -connections, -threads, -database,
// -redis and -scenarios as above, and:
//
//	-hydra-version V   the Hydra release to build (default v2.3.0)
//	-hydra FILE        a Hydra binary to run instead of building one
//	-rounds N          runs of each scenario on each side (default 2)
//	-out FILE          also write the report to FILE
//
// Hydra is built once, in a module of its own in the user's cache
// directory ($XDG_CACHE_HOME or ~/.cache, then
// tokenim-auth/hydra-<version>): "go mod init", "go get -tool
// github.com/ory/hydra/v2@<version>", Hydra's replace directives that name
// other modules copied into that module ("go install" refuses a module
// with replace directives), "go build". Hydra is never a dependency of
// ours. It runs on its own database, tokenim_compare_hydra, on the same
// Postgres (dropped and created at the start, dropped at the end):
// "hydra migrate sql up -e --yes", then "hydra serve all --dev" on two
// free loopback ports, opaque access tokens and PBKDF2 client secrets (its
// defaults), logging at warn. The program creates a client on Hydra's
// admin API and acts as Hydra's login and consent app (accepting the
// login and consent requests on the admin API) to get refresh tokens.
// Our side is the lab above: node1 with Redis, and a node without Redis
// for cold introspection.
//
// Each scenario runs on Hydra and on ours in turn, Hydra first in odd
// rounds and ours first in even ones, wrk waiting up to 10 s for an
// answer (Hydra's refresh takes more than wrk's default 2 s on a busy
// machine); the table gives the medians of the rounds:
//
//	static, static_64   GET /health/alive: the cheapest answer of each
//	                    HTTP stack, the baseline (16 and 64 connections)
//	client_credentials  POST /oauth2/token, grant_type=client_credentials
//	introspect          introspection of one token, again and again
//	                    (Hydra: its admin port, no client authentication)
//	introspect_64       the same with 64 connections
//	introspect_cold     each request another token, in turn: 2,000 on
//	                    Hydra, which keeps no token cache, 20,000 on our
//	                    node without Redis (twice the requests it keeps
//	                    decoded), each a Postgres read
//	refresh             each request a refresh token used once, the next
//	                    taken from the answer (rotation): the wrk script
//	                    queues the refresh_token of each answer
//	discovery, jwks     GET /.well-known/openid-configuration, jwks.json
//
// Requests that vary (cold introspection, refresh) come from a wrk Lua
// script reading the tokens from a file in the run's private directory.
package main
