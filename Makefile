# TokenIM Auth — build, test and benchmark.
#
#   make test    formatting, vet, staticcheck, then every test with the race
#                detector (needs Postgres at 127.0.0.1:5432; tests skip when
#                it is unreachable, unless CI=true)
#   make bench   benchmarks over real loopback HTTP, memory and Postgres
#   make build   the tokenim-auth binary in ./bin

GO ?= go
PKGS ?= ./...
BENCHTIME ?= 2s

.PHONY: all build test lint fmt-check vet staticcheck unit bench tidy-check clean

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

clean:
	rm -rf bin
