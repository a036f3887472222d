# dusk's tasks. "make test" does all set-up a fresh machine needs and runs
# every test with the race detector; .ci/run calls it.

GO ?= go
# DuckDB's Arrow interface (package dataframe) needs this build tag.
TAGS ?= duckdb_arrow

.PHONY: test fuzz quickstart bench vet

# The README's test command.
test:
	./scripts/setup-test
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy' and commit the result" >&2; exit 1; }
	$(GO) vet -tags $(TAGS) ./...
	$(GO) test -race -tags $(TAGS) -count=1 -timeout 60m ./...
	# The memory benchmark's advisor check measures real process memory,
	# which the race detector's shadow memory would swamp: it runs without.
	$(GO) test -tags $(TAGS) -count=1 -run TestAdvisorFindsNothing ./bench/memory

# Every fuzz target (decoders of untrusted bytes, and the task encoder that
# must write what protobuf writes), each for a number of executions sized
# to about ten seconds on two cores (the seed corpora, crashers found
# before included, also run in "make test"). A count, not a duration: Go
# 1.26's fuzzing coordinator can fail a target with "context deadline
# exceeded" when a -fuzztime duration ends while a worker is mid-input
# (go.dev/issue/75804, fixed in Go 1.27); a count has no deadline to race.
# FUZZTIME=30s (or 1000x) overrides every target's budget.
FUZZTIME ?=
FUZZ = ./codec:FuzzDecode:80000 ./codec:FuzzUnpack:60000 ./wire:FuzzDecodeTask:50000 ./wire:FuzzCodecAgreesWithProtobuf:40000 \
	./wire:FuzzTaskDecoderAgreesWithProtobuf:4000 ./wire:FuzzTaskEncoderAgreesWithProtobuf:45000 ./wire:FuzzDataBatchDecoderAgreesWithProtobuf:40000 \
	./dataframe/io:FuzzReadCSV:4000 ./dataframe/io:FuzzReadParquetFooter:15000 ./dataframe/io:FuzzParseFloat:20000 ./array:FuzzBloscDecode:30000
fuzz:
	@for t in $(FUZZ); do \
		pkg=$${t%%:*}; rest=$${t#*:}; name=$${rest%%:*}; budget=$${rest##*:}x; \
		if [ -n "$(FUZZTIME)" ]; then budget="$(FUZZTIME)"; fi; \
		echo "fuzzing $$name in $$pkg for $$budget"; \
		$(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$name\$$" -fuzztime $$budget -fuzzminimizetime 10s $$pkg || exit 1; \
	done

quickstart:
	$(GO) run -tags $(TAGS) ./cmd/dusk quickstart

bench:
	$(GO) run -tags $(TAGS) ./bench/core
