# dusk's tasks. "make test" does all set-up a fresh machine needs and runs
# every test with the race detector; .ci/run calls it.

GO ?= go

.PHONY: test quickstart bench vet

# The README's test command.
test:
	./scripts/setup-test
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 60m ./...

quickstart:
	$(GO) run ./cmd/dusk quickstart

bench:
	$(GO) run ./bench/core
