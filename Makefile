# dusk's tasks. "make test" does all set-up a fresh machine needs and runs
# every test with the race detector; .ci/run calls it.

GO ?= go
# DuckDB's Arrow interface (package dataframe) needs this build tag.
TAGS ?= duckdb_arrow

.PHONY: test quickstart bench vet

# The README's test command.
test:
	./scripts/setup-test
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy' and commit the result" >&2; exit 1; }
	$(GO) vet -tags $(TAGS) ./...
	$(GO) test -race -tags $(TAGS) -count=1 -timeout 60m ./...

quickstart:
	$(GO) run -tags $(TAGS) ./cmd/dusk quickstart

bench:
	$(GO) run -tags $(TAGS) ./bench/core
