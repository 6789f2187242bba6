# sgaudit — every task a contributor or CI runs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO        ?= go
PYTHON    ?= python3
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
MOTO      := moto[server]==5.2.5
VENV      := .venv
NODE_DIR  := tools
DEMO_OUT  ?= out/demo

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

.PHONY: build
build: ## build bin/sgaudit
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/sgaudit ./cmd/sgaudit

# The AWS emulator for integration tests and the demo, pinned (docs/architecture.md §11).
$(VENV)/.installed: Makefile
	@echo "==> installing the AWS emulator (moto) into $(VENV): once, a few minutes on a small machine"
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check '$(MOTO)'
	touch $@

# Microsoft's SARIF multitool (GitHub's upload rules) and the SARIF 2.1.0 schema it ships.
$(NODE_DIR)/node_modules/.installed: $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: test-deps
test-deps: $(VENV)/.installed $(NODE_DIR)/node_modules/.installed ## install moto server and the SARIF multitool for the tests

.PHONY: test
test: test-deps ## run every test: unit, Rego, moto integration, SARIF validation, headless Chromium, race detector, fuzz seeds + 5,000 fuzzed inputs each
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed on:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) test -pgo=off -count=1 $$($(GO) list ./... | grep -v -x -F $(addprefix -e ,$(RACE_PKGS)))
	$(GO) test -pgo=off -race -count=1 $(RACE_PKGS)
	FUZZTIME=$(CI_FUZZTIME) ./.ci/fuzz

# The packages that run goroutines (the collector's worker pool, the
# engine's batches) and the reporters: `make test` runs their tests under
# the race detector only, not twice.
MODULE    := github.com/sgaudit/sgaudit
RACE_PKGS := $(MODULE)/internal/collect $(MODULE)/internal/engine $(MODULE)/reporters
# An execution count, not a duration: see .ci/fuzz.
CI_FUZZTIME ?= 5000x

.PHONY: race
race: test-deps ## run the concurrent packages' tests under the race detector
	$(GO) test -pgo=off -race -count=1 $(RACE_PKGS)

.PHONY: lint-dist
lint-dist: ## lint the Action, workflows and Dockerfile; goreleaser check and a snapshot release for this platform
	.ci/lint-dist

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME each (default 30s); `make test` runs 5,000 inputs each
	./.ci/fuzz

.PHONY: demo
demo: ## scan a demo account in a local AWS emulator; reports in out/demo (first run: minutes to install and build; then seconds)
	@echo "==> make demo: the first run installs the AWS emulator and builds sgaudit (5-10 minutes on a small machine); later runs take seconds"
	@$(MAKE) --no-print-directory $(VENV)/.installed
	@echo "==> building bin/sgaudit and the demo runner"
	@$(MAKE) --no-print-directory build
	$(GO) build -o bin/demo ./examples/demo
	./bin/demo -- ./bin/sgaudit scan --format table,json,sarif,html --output-dir $(DEMO_OUT)
	@echo
	@echo "Reports: $(DEMO_OUT)/findings.json $(DEMO_OUT)/results.sarif $(DEMO_OUT)/report.html"

# Every build of cmd/sgaudit (`make build`, `go install`, the releases) is
# optimised with this CPU profile of an offline scan (profile-guided
# optimisation, docs/performance.md). Benchmarks use it too, so that they
# measure the binary users run; the test suite does not (-pgo=off): PGO
# changes speed, never behaviour, and a second compile of every dependency
# would cost CI minutes.
PGO_PROFILE := $(CURDIR)/cmd/sgaudit/default.pgo

.PHONY: bench
bench: ## run the benchmarks (evaluation at 1k/10k/100k groups, collection), built like a release (PGO)
	$(GO) test -pgo=$(PGO_PROFILE) -run '^$$' -bench . -benchmem -benchtime=1x ./...

.PHONY: pgo
pgo: ## refresh cmd/sgaudit/default.pgo from two offline scans of 100k groups (a few minutes)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GO) test -pgo=$(PGO_PROFILE) -c -o "$$tmp/scan.test" ./internal/scan && \
	(cd internal/scan && "$$tmp/scan.test" -test.run '^$$' -test.bench 'ScanOffline/groups=100000$$' \
		-test.benchtime=2x -test.cpuprofile "$$tmp/cpu.prof") && \
	$(GO) tool pprof -proto -ignore='writeCLIExport|writeExportFiles' "$$tmp/scan.test" "$$tmp/cpu.prof" > "$$tmp/default.pgo" && \
	mv "$$tmp/default.pgo" $(PGO_PROFILE) && echo "wrote $(PGO_PROFILE)"

.PHONY: docs
docs: ## regenerate docs/checks.md from the policies' METADATA
	$(GO) run ./cmd/sgaudit checks --format markdown --no-config > docs/checks.md
	UPDATE_GOLDEN=1 $(GO) test ./internal/collect -run '^TestUseKindsDoc$$' -count=1

.PHONY: clean
clean: ## remove build output (keeps the tool installs)
	rm -rf bin out dist
