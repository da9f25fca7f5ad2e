# Ferrox build entry points. `make run` and `make test` work on a fresh clone
# with only Go installed; targets that need Debian packages install them.
GO        ?= go
BIN       := bin/ferrox
FUZZTIME  ?= 30s
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)

.PHONY: all build run test vet fuzz fuzz-libfuzzer bench ci conform-self baseline chains bench-compare bench-side-by-side bench-compress cpu-wait clean check-go faults tls-audit

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
	# As a 32-bit build: the static handler (its fstat differs), and slow
	# heads on Go's own sockets (no raw ones there): their 408 and close.
	if [ "$$(uname -m)" = x86_64 ] && [ "$$(uname -s)" = Linux ]; then \
		GOARCH=386 $(GO) test -count=1 ./server/static && \
		GOARCH=386 $(GO) test -count=1 -run 'TestSlowCutDoesNotLinger|TestWaveCutsQuietly|TestReadHeadPastDeadline|TestParkedHeadTimeout' ./server; fi

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
	$(MAKE) deploy-test

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

## bench-side-by-side: nginx and Ferrox (and BASE_BIN) served at once on one
## CPU, under the same load: steady CPU ratios on a noisy machine.
bench-side-by-side: build
	./scripts/bench-side-by-side.sh

## cpu-wait: under slowloris, the server's own share of a request's wait, from its CPU's context switches (root, perf).
cpu-wait: build
	./scripts/cpu-wait.sh

## image: the container image $(IMAGE) from the Dockerfile when a container
## engine runs (docker or podman); without one, says so and builds the
## image's static binary (bin/ferrox-static) and prints its size.
IMAGE ?= ferrox:latest
.PHONY: image distributed-load deploy-test
image: check-go
	@engine=""; \
	for e in docker podman; do \
		if command -v $$e >/dev/null && $$e info >/dev/null 2>&1; then engine=$$e; break; fi; \
	done; \
	if [ -n "$$engine" ]; then \
		$$engine build --build-arg VERSION=$(VERSION) -t $(IMAGE) . && $$engine image ls $(IMAGE); \
	else \
		echo "make image: no container engine is running here (docker/podman info failed): not building $(IMAGE);"; \
		echo "make image: building the image's static binary instead (CGO_ENABLED=0, -trimpath, version $(VERSION))"; \
		CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w $(LDFLAGS)" -o bin/ferrox-static ./cmd/ferrox || exit 1; \
		size=$$(wc -c < bin/ferrox-static); \
		linked=static; ldd bin/ferrox-static >/dev/null 2>&1 && linked=DYNAMIC; \
		echo "bin/ferrox-static: $$size bytes ($$((size / 1048576)) MiB), $$linked"; \
	fi

## distributed-load: 4 load workers in their own network namespaces against
## one server, one --start-at, merged and checked (Linux, root) →
## reports/distributed/.
distributed-load: build
	./scripts/distributed-load.sh

## deploy-test: decode deploy/k8s/*.yaml strictly into the Kubernetes API
## types (module deploy/, its own go.mod; the first run downloads and
## compiles k8s.io/api, minutes on 2 cores, so `make ci` runs it, not
## `make test`).
deploy-test: check-go
	cd deploy && $(GO) vet ./... && $(GO) test -count=1 ./...

## bench-compress: CPU per gzip/zstd request, Ferrox vs nginx gzip on.
bench-compress: build
	./scripts/bench-compress.sh

## bench-metrics: server CPU per keep-alive request, metrics endpoint off vs on.
.PHONY: bench-metrics
bench-metrics: build
	./scripts/bench-metrics.sh

## faults: every fault test (TestFault…: signals, reloads, full disks,
## descriptor limits, slow clients), verbosely; some need Linux or root and
## say so when they skip.
faults: check-go
	$(GO) test -count=1 -v -run '^TestFault' ./...

## tls-audit: testssl.sh (Debian package, installed if missing) against a
## local HTTPS instance with a self-signed certificate; prints a summary.
tls-audit: check-go
	./scripts/tls-audit.sh

clean:
	rm -rf bin
