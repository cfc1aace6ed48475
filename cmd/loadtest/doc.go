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
//
// # How cost grows with the number of tokens
//
//	make scaletest                                  # builds bin/tokenim-auth first
//	make scaletest SCALE_FLAGS='-sizes 1e5,1e6 -duration 5s -chart /tmp/scale.svg'
//	go run ./cmd/loadtest scale [flags]
//
// scale takes -bin, -duration, -connections, -threads, -database and
// -redis as above, -scenarios to choose among its wrk measures
// (introspect_cold, client_credentials, refresh, console_first,
// console_deep; the others always run), and:
//
//	-sizes LIST        numbers of tokens, such as 1e5 or 250000
//	                   (default 1e5,1e6,1e7), from 1,000 to 10^8
//	-out FILE          also write the report to FILE
//	-chart FILE        write the chart to FILE (SVG)
//	-cluster=false     leave out the Redis Cluster measure (below)
//
// Each size gets a lab of its own, from an empty schema: the
// configuration above plus an administrator (admin@example.com, the
// user's password) whose role needs no second factor, so that the
// console can be signed in to by its form. node1 (with Redis) starts and
// migrates the schema; the program gets a bot's client-credentials token
// and a user's access and refresh tokens through the real endpoints,
// and reads back the rows the node wrote for them. It then seeds, by
// COPY (storage/postgres seed.go, the columns encoded as the store's
// own writes encode them), for a size n:
//
//   - first min(n, 10^6) users, active, without a password, each a member of the
//     default workspace as CreateUser makes it;
//   - n token rows, in units taken in turn: a bot's access token, then a
//     user's family of an access and a refresh token (the refresh row
//     naming its access token), the families' subjects spread over the
//     users. Each token is made as the provider makes it: fosite's HMAC
//     strategy keyed with the key the provider derives from the system
//     secret, with the prefix of the tokens the node issued (checked:
//     those verify under the same key). Each row is the node's row of its
//     kind with the signature, the family (request ID), the subject and
//     every time in the stored request replaced. Live units were issued
//     within the minute before their rows are made; access tokens live an
//     hour, so the tokens are written last and the measures must follow
//     within the hour. One unit in ten is expired, a tenth of the rows
//     for the janitor;
//   - n authorization records, written before the tokens, token.issued, 250 ms apart and oldest
//     first, copies of the node's record of the bot's token naming each
//     unit's family, sealed as they are written: IDs and chain positions
//     after the chain's head, hashes from provider/audit's Chain.Link
//     under the nodes' system secret, the head moved to the last;
//
// then runs ANALYZE on those tables. At most 100,000 live access tokens
// (evenly spread) and 2×connections+1 live refresh tokens are kept in
// memory to be presented. Then, at that size:
//
//	tokens table B/token   pg_relation_size, pg_indexes_size and
//	                       pg_total_relation_size of tokens ÷ its rows,
//	                       after seeding
//	introspect_cold        each request another of the kept access tokens,
//	                       on a node without Redis (every call a Postgres
//	                       read beyond the 10,000 it keeps decoded); three
//	                       of them are first checked to introspect as active
//	client_credentials     issuance on node1
//	refresh                rotation of the seeded refresh tokens on node1
//	                       (one refreshed first as a check; each answer's
//	                       refresh token is queued, as in compare)
//	console_first          GET /admin/records with the administrator's
//	                       session cookie
//	console_deep           the same with ?before= the 51st oldest record:
//	                       the page of the oldest records; each page is
//	                       first checked to list 50 records
//	janitor                "tokenim-auth janitor": expired tokens deleted
//	                       ÷ the command's wall time
//	audit verify           "tokenim-auth audit verify": its wall time
//	Redis B/token          as the load test measures it, on node1
//	node RSS               node1's process_resident_memory_bytes at the end
//
// The report is one Markdown table, a row per size, then a growth table:
// for each measure, the cost of one request, row or token (for a rate its
// inverse, for audit verify and seeding the time ÷ n) at a size ÷ that at
// the size before, flagged when it is above log(n₂)/log(n₁) × 1.5 (the
// factor is room for a shared machine's noise). The chart has two
// panels, latency (cold introspection p50 and p99, issuance p99) and bytes
// per token (tokens table, its indexes, Redis), against the number of
// tokens on a log10 axis. A measure that fails is left empty and named at
// the end, and the program exits 1.
//
// After the sizes, the Redis Cluster measure starts a Redis Cluster of
// three masters (Debian's redis-server on free loopback ports, its files in
// the run's directory, storage/redis/redistest.StartCluster) and two
// nodes with redis.local_ttl 0, so that every introspection reads Redis:
// one on the lab's Redis server, one on the Cluster. It issues 10,000
// client-credentials tokens through each node (written through to its
// Redis) and introspects them in turn with wrk; counts the cached access
// tokens on each master (SCAN of each); and revokes a token through the
// Cluster's node (RFC 7009), which must then introspect as inactive while
// another stays active. The report gives both rates, their ratio and each
// master's share of the tokens.
package main
