# ML-BOM Autopilot. Two commands do all the set-up:
#   make run    build everything, start a local Temporal dev server and a
#               worker, scan the demo repository (or SOURCE=...), keep running
#   make test   every test, including the Temporal, MariaDB and OPA ones
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
GO ?= go
BIN := $(CURDIR)/bin
TEMPORAL_CLI_VERSION := v1.5.1
# cosign, only to show in tests that it accepts mlbom's attestations.
COSIGN_VERSION := v2.6.5
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/mlbom/autopilot/workers.Version=$(VERSION)
SOURCE ?=
PROJECT ?=

.PHONY: run test test-unit build demo temporal cosign vet fmt bench clean bpf bpf-check

build: $(BIN)/mlbom

$(BIN)/mlbom: $(shell find . -name '*.go' -not -path './bin/*' -not -path './.mlbom/*' 2>/dev/null) go.mod go.sum $(shell find policies -type f 2>/dev/null)
	@mkdir -p $(BIN)
	$(GO) build -ldflags "$(LDFLAGS)" -o $@ ./cmd/mlbom

# The pinned Temporal CLI (dev server + UI). Built from source through the Go
# module proxy: the first build takes a few minutes.
temporal: $(BIN)/temporal
$(BIN)/temporal:
	@mkdir -p $(BIN)
	@echo "building the Temporal CLI $(TEMPORAL_CLI_VERSION) into ./bin (first time only: this takes a few minutes)..."
	GOBIN=$(BIN) $(GO) install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)

# Temporal's static determinism checker for workflow code, pinned with its
# dependencies in tools/workflowcheck/go.mod.
$(BIN)/workflowcheck: tools/workflowcheck/go.mod
	@mkdir -p $(BIN)
	cd tools/workflowcheck && GOBIN=$(BIN) $(GO) install tool

# Built from source through the Go module proxy (a few minutes the first
# time); tests use it to check that `cosign verify-blob-attestation` accepts
# what `mlbom sign` writes.
cosign: $(BIN)/cosign
$(BIN)/cosign:
	@mkdir -p $(BIN)
	@echo "building cosign $(COSIGN_VERSION) into ./bin for the interop test (first time only: this takes a few minutes)..."
	GOBIN=$(BIN) $(GO) install github.com/sigstore/cosign/v2/cmd/cosign@$(COSIGN_VERSION)

demo:
	@scripts/make-demo.sh .mlbom/demo-app

# The eBPF programs: bpf2go compiles bpf/tracer.c with clang into the
# committed bpf/tracer_bpfel.{go,o}, so `go build` never needs clang.
bpf:
	$(GO) generate ./bpf

# Fails when the committed objects are not what bpf/tracer.c compiles to
# (skips without clang; CI installs it and requires the check).
bpf-check:
	scripts/bpf-check.sh

run: build temporal
	@SOURCE="$(SOURCE)" PROJECT="$(PROJECT)" scripts/run.sh

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go' | grep -v /testdata/)

# Every test. Integration tests start their own Temporal dev server from
# ./bin/temporal and use the MariaDB at 127.0.0.1:3306 when it is there; CI
# sets MLBOM_REQUIRE_* so that a missing dependency fails instead of skipping.
test: temporal $(BIN)/workflowcheck
	@# testdata/ holds fixtures (snippets of other projects' code), not our code
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v /testdata/))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go' | grep -v /testdata/); exit 1; }
	$(GO) vet ./...
	$(BIN)/workflowcheck ./workflows/...
	scripts/bpf-check.sh
	MLBOM_TEMPORAL_BIN=$(BIN)/temporal $(GO) test -count=1 -timeout 30m ./...
	@# the real opa binary (same version as the embedded engine, built into ./bin once)
	scripts/opa-test.sh

test-unit:
	$(GO) test -short ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

clean:
	rm -rf $(BIN) .mlbom
