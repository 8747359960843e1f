# tests/fuzz/fuzz.mk - `make fuzz`: every libFuzzer target for FUZZ_SECONDS
# (default 300) each, two at a time (tests/fuzz/run.sh).  scripts/test.sh
# runs a one-minute round.
.PHONY: fuzz
FUZZ_SECONDS ?= 300
fuzz:
	bash tests/fuzz/run.sh $(FUZZ_SECONDS)
