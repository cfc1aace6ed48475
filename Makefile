# TokenIM Auth — build, test and benchmark.
#
#   make test    formatting, vet, staticcheck, then every test with the race
#                detector (needs Postgres at 127.0.0.1:5432; tests skip when
#                it is unreachable, unless CI=true)
#   make bench   benchmarks over real loopback HTTP, memory and Postgres
#   make build   the tokenim-auth binary in ./bin
#   make loadtest  real serve processes on Postgres and Redis driven by wrk
#                (installed with apt-get when missing): requests/s and
#                p50/p99 per scenario; LOADTEST_FLAGS='-duration 30s
#                -profile /tmp/prof' (see cmd/loadtest/doc.go)
#   make vuln    govulncheck over every package (needs its database,
#                vuln.go.dev, or GOVULNDB pointing at a copy of it): fails
#                on any advisory whose vulnerable code the provider reaches
#   make chaos   its own Postgres and Redis (on free ports: never the shared
#                ones) and two serve processes under a bounded load of
#                grants, introspections and revocations, while Redis is
#                killed, Postgres restarted and a node killed; wrong answers,
#                lost grants and 5xx per fault, then a Markdown table; exits
#                1 on a wrong answer. Not part of make test. CHAOS_FLAGS=
#                '-steady 20s -rate 300 -outage 10s -pause 0s -workers 8'
#                (the defaults; see cmd/chaos/doc.go)

GO ?= go
PKGS ?= ./...
BENCHTIME ?= 2s
LOADTEST_FLAGS ?=
CHAOS_FLAGS ?=

.PHONY: all build test lint fmt-check vet staticcheck unit bench loadtest chaos vuln tidy-check clean

all: build

build:
	$(GO) build -trimpath -o bin/tokenim-auth ./cmd/tokenim-auth

test: lint unit

lint: fmt-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) tool staticcheck $(PKGS)

unit:
	$(GO) test -race -count=1 -timeout 10m $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

loadtest:
	command -v wrk >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk)
	$(MAKE) build
	$(GO) run ./cmd/loadtest $(LOADTEST_FLAGS)

vuln:
	$(GO) tool govulncheck $(PKGS)

chaos: build
	$(GO) run ./cmd/chaos $(CHAOS_FLAGS)

clean:
	rm -rf bin
