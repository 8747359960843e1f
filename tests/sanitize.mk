# tests/sanitize.mk - the sanitizer tier, included by the Makefile.
#   make test-sanitize   ganc, the runtime, every unit test and a few short
#                        trainings built with -fsanitize=address,undefined
#                        in build-san/ (tests/sanitize.sh does the work)
#
# tests/sanitize.sh calls make with B=build-san, CFLAGS carrying the
# sanitizer flags and SAN_FLAGS set to the same flags.  CFLAGS reaches ganc
# and the runtime; the unit tests are compiled with TEST_CFLAGS (tests.mk),
# which does not include CFLAGS, so SAN_FLAGS is added to it here.  In an
# ordinary build SAN_FLAGS is empty and this changes nothing.
.PHONY: test-sanitize sanitize-build
SAN_FLAGS ?=
TEST_CFLAGS += $(SAN_FLAGS)

test-sanitize:
	@bash tests/sanitize.sh

# builds (does not run) ganc, the runtime and every unit test
sanitize-build: all $(GEN_TESTS) $(RT_TESTS)
