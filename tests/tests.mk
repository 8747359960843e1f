# tests/tests.mk - the test suite, included by the Makefile.
.PHONY: test test-quick test-e2e stress
#   make test-quick   unit tests (generator, runtime): seconds
#   make test         everything: unit tests, the quality metrics against
#                     numpy, gradient checks, PyTorch parity,
#                     differential testing of 24 random models, end-to-end
#                     training of ring8_mlp
#   make stress       differential testing of STRESS_COUNT random models (300)
#                     from seed STRESS_SEED (1000), STRESS_TORCH of them (40)
#                     also against PyTorch, two at a time (tests/difftest.sh)

TEST_CFLAGS = $(WARN) -O1 -g -Igen -Iruntime -Itests -Wno-format-truncation
GEN_LIB     = $(B)/libganc_gen.a
GEN_TESTS   = $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/test_gen_*.c))
RT_TESTS    = $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/test_rt_*.c)) \
              $(B)/tests/test_rt_png_read_sampler

$(GEN_LIB): $(filter-out $(B)/gen/main.o,$(GEN_OBJ))
	$(Q)rm -f $@ && ar rcs $@ $^

# the generator's tests link what ganc links: its objects and the runtime's core
$(B)/tests/test_gen_%: tests/test_gen_%.c tests/ir_eval.c $(GEN_LIB) $(B)/libganc_sample.a
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $@"
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $< tests/ir_eval.c $(GEN_LIB) $(B)/libganc_sample.a \
	    -lcmocka -lyaml -lm

# A runtime test links the trainer's library, or the sampler's (libc and libm
# only) for what only it has: its own CRC-32 and stored-block PNGs
# (test_rt_png) and weights read in place (test_rt_weights).
RT_SAMPLE_TESTS = test_rt_png test_rt_weights
rt_test_link = $(if $(filter $(1),$(RT_SAMPLE_TESTS)),$(B)/libganc_sample.a -lcmocka -lm,\
                    $(B)/libganc_train.a -lcmocka -lz -lm -fopenmp)
$(B)/tests/test_rt_%: tests/test_rt_%.c $(B)/libganc_sample.a $(B)/libganc_train.a $(RT_HDR)
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $@"
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $< $(call rt_test_link,test_rt_$*)

# The PNG decoder's tests once more on the sampler's library, whose decoder
# inflates with the runtime's own inflate (sample/rt_inflate.c), not zlib's;
# zlib only makes the test's PNGs.
$(B)/tests/test_rt_png_read_sampler: tests/test_rt_png_read.c $(B)/libganc_sample.a $(RT_HDR)
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $@"
	$(Q)$(CC) $(TEST_CFLAGS) -DSAMPLER_INFLATE -o $@ $< $(B)/libganc_sample.a -lcmocka -lz -lm

# fake models for the runtime smoke test: one source, nine variants; the
# samplers link libc and libm only, like the real ones
FAKES = $(addprefix $(B)/tests/,fake_train fake_sample fake_image_train fake_image_sample \
                                fake_embed_sample fake_multi_train fake_multi_sample \
                                fake_data_train fake_data_sample)
FAKE_DEFS_fake_train =
FAKE_DEFS_fake_sample = -DFAKE_SAMPLER
FAKE_DEFS_fake_image_train = -DFAKE_IMAGE
FAKE_DEFS_fake_image_sample = -DFAKE_IMAGE -DFAKE_SAMPLER
FAKE_DEFS_fake_embed_sample = -DFAKE_SAMPLER -DFAKE_EMBED
FAKE_DEFS_fake_multi_train = -DFAKE_MULTI
FAKE_DEFS_fake_multi_sample = -DFAKE_MULTI -DFAKE_SAMPLER
FAKE_DEFS_fake_data_train = -DFAKE_MULTI -DFAKE_DATA_INPUT
FAKE_DEFS_fake_data_sample = -DFAKE_MULTI -DFAKE_DATA_INPUT -DFAKE_SAMPLER
$(FAKES): $(B)/tests/%: tests/fake_model.c $(B)/libganc_sample.a $(B)/libganc_train.a
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $@"
	$(Q)$(CC) $(TEST_CFLAGS) $(FAKE_DEFS_$*) -o $@ $< \
	    $(if $(findstring sample,$*),$(B)/libganc_sample.a,$(B)/libganc_train.a -lz -fopenmp) -lm

test-quick: all $(GEN_TESTS) $(RT_TESTS)
	@set -e; for t in $(GEN_TESTS) $(RT_TESTS); do echo "== $$t"; $$t; done

test: all $(GEN_TESTS) $(RT_TESTS) $(FAKES) $(B)/tests/mixture_eval $(B)/tests/metrics_eval
	@bash tests/run_all.sh

$(B)/tests/mixture_eval: tests/mixture_eval.c $(B)/libganc_train.a
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $@"
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $< $(B)/libganc_train.a -lm

test-e2e: all $(B)/tests/mixture_eval
	bash tests/e2e_ring8.sh

STRESS_COUNT ?= 300
STRESS_SEED  ?= 1000
STRESS_TORCH ?= 40
stress: all
	bash tests/difftest.sh --count $(STRESS_COUNT) --seed $(STRESS_SEED) --torch $(STRESS_TORCH)

# runtime/metrics/ on .npy files, for tests/metrics_numpy.py (suite metrics-numpy)
$(B)/tests/metrics_eval: tests/metrics_eval.c $(B)/libganc_train.a
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $@"
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $< $(B)/libganc_train.a -lm
