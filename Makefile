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

# Every fuzz target (decoders of untrusted bytes, and the task encoder that must write what protobuf writes), FUZZTIME each (the
# seed corpora, crashers found before included, also run in "make test").
FUZZTIME ?= 10s
FUZZ = ./codec:FuzzDecode ./codec:FuzzUnpack ./wire:FuzzDecodeTask ./wire:FuzzCodecAgreesWithProtobuf ./wire:FuzzTaskDecoderAgreesWithProtobuf ./wire:FuzzTaskEncoderAgreesWithProtobuf ./wire:FuzzDataBatchDecoderAgreesWithProtobuf \
	./dataframe/io:FuzzReadCSV ./dataframe/io:FuzzReadParquetFooter ./dataframe/io:FuzzParseFloat ./array:FuzzBloscDecode
fuzz:
	@for t in $(FUZZ); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzzing $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

quickstart:
	$(GO) run -tags $(TAGS) ./cmd/dusk quickstart

bench:
	$(GO) run -tags $(TAGS) ./bench/core
