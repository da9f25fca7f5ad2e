# Ferrox build entry points. `make run` and `make test` work on a fresh clone
# with only Go installed; targets that need Debian packages install them.
GO        ?= go
BIN       := bin/ferrox
FUZZTIME  ?= 30s
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)

.PHONY: all build run test vet fuzz fuzz-libfuzzer bench ci conform-self baseline chains bench-compare clean check-go

all: build

check-go:
	@command -v $(GO) >/dev/null || { echo "Go 1.26+ is required: https://go.dev/dl/"; exit 1; }
	@$(GO) version | awk '{split($$3,v,"."); sub("go","",v[1]); if (v[1]<1 || (v[1]==1 && v[2]<26)) {print "Go 1.26+ is required, found " $$3; exit 1}}'

build: check-go
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/ferrox

## run: serve www/ on 127.0.0.1:8080 with built-in defaults (no config file).
run: build
	./$(BIN) serve --root www --listen 127.0.0.1:8080

## vet: go vet here, and for the other systems and architectures Go builds
## for (the server waits on goroutines where epoll does not exist).
vet: check-go
	$(GO) vet ./...
	GOARCH=arm64 $(GO) vet ./...
	GOARCH=386 $(GO) vet ./...
	GOOS=windows $(GO) vet ./...
	GOOS=darwin $(GO) vet ./...
	GOOS=freebsd $(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go') 2>/dev/null)" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

## test: unit, property, integration and conformance self-tests (< 5 min on 2 cores).
test: check-go vet
	RAPID_CHECKS=$${RAPID_CHECKS:-100} $(GO) test -count=1 -timeout 10m ./...
	# The parser's portable scanners (what non-amd64 builds run), too.
	RAPID_CHECKS=$${RAPID_CHECKS:-100} $(GO) test -count=1 -tags purego ./parser

## fuzz: every native fuzz target in turn for FUZZTIME each, then a summary.
fuzz: check-go
	FUZZTIME=$(FUZZTIME) ./fuzz/run.sh

## fuzz-libfuzzer: every fuzz target built as a libFuzzer binary the way
## OSS-Fuzz/ClusterFuzzLite build it (go-118-fuzz-build + clang, installed
## if missing), run FUZZ_SECONDS each on its seeds; PLANTED=1 runs the
## planted-crash round trip instead; FUZZ_GOTEST=1 adds go test -fuzz rates.
fuzz-libfuzzer: check-go
	FUZZ_SECONDS=$${FUZZ_SECONDS:-10} PLANTED=$${PLANTED:-$(PLANTED)} ./scripts/fuzz-libfuzzer.sh

## bench: parser benchmarks against net/http in one run.
bench: check-go
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./parser | tee reports/bench-parser.txt

## ci: what .ci/run runs on a fresh clone.
ci: test
	$(MAKE) fuzz FUZZTIME=$${CI_FUZZTIME:-5s}
	$(MAKE) conform-self

## conform-self: grade Ferrox's own server with the conformance corpus.
conform-self: build
	./scripts/conform-self.sh

## baseline: grade nginx, Apache, Caddy, net/http and Ferrox side by side.
baseline: build
	./scripts/baseline.sh

## chains: the corpus through ten real reverse proxies (nginx, Apache, HAProxy,
## Varnish, Squid, Caddy, Traffic Server, h2o, lighttpd, httputil) in front of
## Ferrox's recording origin; writes reports/chains/matrix.{md,html}.
chains: build
	./scripts/chains.sh

## bench-compare: Ferrox vs nginx keep-alive, close and slowloris.
bench-compare: build
	./scripts/bench-compare.sh

clean:
	rm -rf bin
