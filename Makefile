# TokenIM Auth — build, test and benchmark.
#
#   make test-short  the loop while editing (under a minute, warm): formatting
#                and vet, then `go test -short`: no race detector, and every
#                test needing Postgres, Redis, Chromium or Node.js/npm skips,
#                saying which (tests on the memory store still run); test
#                results of unchanged packages come from Go's cache
#   make test    before committing, and what CI runs, side by side:
#                formatting, vet, staticcheck, openapi-lint, every test
#                with the race detector (needs Postgres at 127.0.0.1:5432
#                and Redis at 127.0.0.1:6379; tests skip when they are
#                unreachable, unless CI=true), and deploy-check; each
#                one's output whole as it ends
#   make openapi-lint  docs/admin-api.yaml checked with Redocly CLI's
#                recommended rules (docs/lint/redocly.yaml), the CLI pinned
#                by docs/lint/package-lock.json (npm ci there when
#                node_modules is missing or from another lock file); skipped
#                without Node.js 20.19 or later and npm, unless CI=true
#   make deploy-check  the deployment files under deploy/, in their own Go
#                module (deploy/tools): the Helm chart linted, rendered and
#                validated against the Kubernetes schemas, the plain manifests
#                up to date, the alert rules loaded as Prometheus loads them,
#                and every metric the dashboards and alerts query exported by
#                the provider (see deploy/tools/doc.go)
#   make manifests  rewrite deploy/kubernetes/tokenim-auth.yaml from the chart
#   make schemas    rewrite deploy/tools/schemas from the Kubernetes and
#                Prometheus operator modules (after changing their versions
#                in deploy/tools/doc.go)
#   make bench   benchmarks over real loopback HTTP, memory and Postgres
#   make fuzz    every fuzz target (each func Fuzz... in a _test.go file,
#                found anew on each run) for FUZZTIME each (default 60s),
#                one after another; stops at the first that fails, naming
#                it (its failing input is then in the package's
#                testdata/fuzz/). A bare "context deadline exceeded" with
#                no failing input is the engine's own race at the end of
#                FUZZTIME (golang/go#75804, fixed in Go 1.27): the target's
#                corpus is replayed instead. `make test` runs the seed
#                corpora only.
#   make build   the tokenim-auth binary in ./bin
#   make loadtest  real serve processes on Postgres and Redis driven by wrk
#                (installed with apt-get when missing): requests/s and
#                p50/p99 per scenario; LOADTEST_FLAGS='-duration 30s
#                -profile /tmp/prof' (see cmd/loadtest/doc.go)
#   make compare Ory Hydra (built once from the Go module proxy in a module
#                of its own under ~/.cache/tokenim-auth, never a dependency
#                of ours; on a database of its own) and our nodes driven by
#                the same wrk load, alternated, two rounds each: one table of
#                medians, p99 and ratios. COMPARE_FLAGS='-duration 10s
#                -rounds 2 -out /tmp/compare.md' (see cmd/loadtest/doc.go)
#   make scaletest  how each cost grows with the number of tokens: at 10^5,
#                10^6 and 10^7 tokens seeded by COPY (with users and a hash
#                chain of authorization records), cold introspection,
#                issuance, refresh, the console's pages, the janitor, audit
#                verify, bytes per token; one table, the growth from size to
#                size, and an SVG chart. SCALE_FLAGS='-sizes 1e5,1e6
#                -duration 5s -out /tmp/scale.md -chart /tmp/scale.svg' (see
#                cmd/loadtest/doc.go)
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
FUZZTIME ?= 60s
LOADTEST_FLAGS ?=
CHAOS_FLAGS ?=
COMPARE_FLAGS ?=
SCALE_FLAGS ?=

.PHONY: all build test test-short lint fmt-check vet staticcheck openapi-lint unit deploy-check manifests schemas bench fuzz loadtest compare scaletest chaos vuln tidy-check clean

all: build

build:
	$(GO) build -trimpath -o bin/tokenim-auth ./cmd/tokenim-auth

# The four run side by side: the tests wait on Postgres, Redis and the
# browser as much as they compute, and the checks fill that time. Each
# one's output is printed whole when it ends (--output-sync), and make
# exits non-zero when any fails.
test:
	@$(MAKE) --no-print-directory -j4 --output-sync=target lint openapi-lint unit deploy-check

# staticcheck and the race detector stay out: each alone takes longer than
# the whole loop should.
test-short: fmt-check vet
	$(GO) test -short $(PKGS)

lint: fmt-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) tool staticcheck $(PKGS)

# Redocly CLI 2 runs on Node.js 20.19+ (not 21) or 22.12+. The stamp in
# node_modules is the hash of the lock file it was installed from (as the
# npm packages of the end-to-end tests do, cmd/tokenim-auth/npm_test.go).
openapi-lint:
	@cd docs/lint && \
	if ! command -v node >/dev/null || ! command -v npm >/dev/null || \
		! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a > 22 ? 0 : 1)'; then \
		if [ "$$CI" = true ]; then echo "make openapi-lint: Node.js 20.19 or later with npm is required (CI=true)"; exit 1; fi; \
		echo "make openapi-lint: skipped: no Node.js 20.19 or later with npm (set CI=true to make this fatal)"; exit 0; \
	fi; \
	want=$$(sha256sum package-lock.json | cut -d' ' -f1); \
	if [ "$$(cat node_modules/.package-lock.sha256 2>/dev/null)" != "$$want" ]; then \
		npm ci --no-audit --no-fund && printf %s "$$want" >node_modules/.package-lock.sha256 || exit 1; \
	fi; \
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_NOTIFICATIONS=true npx --no-install redocly lint --format=stylish ../admin-api.yaml

unit:
	$(GO) test -race -count=1 -timeout 10m $(PKGS)

# The deployment checks' own module: Helm, Kubernetes and Prometheus stay
# out of the provider's go.mod.
deploy-check:
	cd deploy/tools && $(GO) vet ./... && $(GO) test -count=1 ./...

manifests:
	cd deploy/tools && $(GO) test -count=1 -run '^TestPlainManifestsAreUpToDate$$' . -update

schemas:
	cd deploy/tools && rm -rf schemas && $(GO) run ./cmd/k8sschema -out schemas

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

fuzz:
	@start=$$(date +%s); n=0; log=$$(mktemp); trap 'rm -f $$log $$log.rc' EXIT; \
	for dir in $$(grep -rlE --include='*_test.go' '^func Fuzz[A-Z0-9_][A-Za-z0-9_]*\(' . | xargs -n1 dirname | sort -u); do \
		for name in $$(grep -hoE '^func Fuzz[A-Z0-9_][A-Za-z0-9_]*\(' $$dir/*_test.go | sed 's/^func //; s/($$//' | sort -u); do \
			echo "== $$name ($$dir, $(FUZZTIME))"; \
			corpus=$$dir/testdata/fuzz/$$name; before=$$(ls $$corpus 2>/dev/null | wc -l); \
			{ $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$dir; echo $$? >$$log.rc; } 2>&1 | tee $$log; \
			if [ "$$(cat $$log.rc)" != 0 ]; then \
				if [ "$$(ls $$corpus 2>/dev/null | wc -l)" = "$$before" ] && grep -qx '    context deadline exceeded' $$log && \
					$(GO) test -count=1 -run "^$$name\$$" $$dir >/dev/null; then \
					echo "make fuzz: $$name stopped on the fuzzing engine's deadline race (golang/go#75804): no failing input, its corpus passes"; \
				else \
					echo "make fuzz: $$name in $$dir failed; its input is in $$corpus/"; exit 1; \
				fi; \
			fi; \
			n=$$((n+1)); \
		done; \
	done; \
	echo "make fuzz: $$n targets passed in $$(( $$(date +%s) - start ))s"

loadtest compare scaletest:
	command -v wrk >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk)
	$(MAKE) build
	$(GO) run ./cmd/loadtest $(if $(filter compare,$@),compare $(COMPARE_FLAGS),$(if $(filter scaletest,$@),scale $(SCALE_FLAGS),$(LOADTEST_FLAGS)))

vuln:
	$(GO) tool govulncheck $(PKGS)

chaos: build
	$(GO) run ./cmd/chaos $(CHAOS_FLAGS)

clean:
	rm -rf bin
