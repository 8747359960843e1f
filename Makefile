# ganc - a compiler for generative adversarial networks.
#   make            build/ganc and the runtime libraries build/libganc_{sample,train,core}.a
#   make test       the whole test suite (CMocka, parity with PyTorch, end to end)
#   make test-quick unit tests only
#   make stress     differential testing of 300 random models (STRESS_COUNT, STRESS_SEED)
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
PREFIX  ?= /usr/local
DATADIR  = $(PREFIX)/share/ganc
B        = build
V       ?= 0
ifeq ($(V),0)
Q        = @
SAY      = @echo
else
Q        =
SAY      = @true
endif

GEN_SRC  = $(wildcard gen/*.c gen/layers/*.c)
GEN_OBJ  = $(patsubst %.c,$(B)/%.o,$(GEN_SRC))

# The runtime, by folder (runtime/README.md).  Each library is a set of
# folders: the sampler's holds nothing of training (no optimizer, data
# loader, checkpoint, zlib or OpenMP user: tests/runtime_libs.sh checks it),
# the trainer's everything a trainer calls.  sample/ and train/ each hold
# one implementation of core/rt_zlib.h, so a library never has both.  The
# core library (err, alloc, file helpers, flags, rng) is also what ganc
# itself may link.
RT_SHARED_DIRS = core formats kernels model viz
RT_SAMPLE_DIRS = $(RT_SHARED_DIRS) sample score
RT_TRAIN_DIRS  = $(RT_SHARED_DIRS) data train metrics
rt_objs  = $(patsubst %.c,$(B)/%.o,$(foreach d,$(1),$(wildcard runtime/$(d)/*.c)))
RT_HDR   = $(wildcard runtime/*/*.h)
RT_LIBS  = $(B)/libganc_sample.a $(B)/libganc_train.a

.PHONY: all test test-quick clean install
all: $(B)/ganc $(RT_LIBS)

$(B)/gen/%.o: gen/%.c $(wildcard gen/*.h) runtime/model/rt_model.h runtime/kernels/rt_gemm.h
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(WARN) $(CFLAGS) -Iruntime -Wno-format-truncation -DGANC_DATADIR='"$(DATADIR)"' -c -o $@ $<

# Runtime functions get sections of their own so that executables linked
# with --gc-sections (ganc build does) keep only what they call, and no
# unwind tables (C has no exceptions; debuggers read the debug information):
# the sampler stays small.  The optimizer's loop vectorizes only when sqrtf
# need not set errno; it splits long updates among the trainer's OpenMP
# threads (whatever links it links libgomp: -fopenmp).
RT_CFLAGS_rt_optim = -fno-math-errno -fopenmp
# Cold code the sampler links (argument and header parsing, file output) is
# compiled for size: it runs once per process, and the stripped sampler has
# a 64 KiB budget (bench: sampler_size).  So are the random numbers and the
# PNG checksums: a few thousand draws a step or a picture, next to the
# network's millions of multiply-adds.
# -Oz where the compiler has it (GCC 12, clang): about 300 bytes smaller
# than -Os on the sampler.
RT_SMALL = rt_alloc rt_args rt_cpu rt_csv rt_err rt_file rt_generate rt_json rt_latent rt_npy rt_plot \
           rt_png rt_raster rt_rng \
           rt_sample rt_sample_classes rt_sample_images rt_sample_inputs rt_sample_networks \
           rt_sample_pairs rt_sample_weights rt_safetensors_read \
           rt_safetensors_sum rt_weights rt_zlib_stored
RT_SMALL_OPT := $(shell $(CC) -Oz -x c -c -o /dev/null /dev/null 2>/dev/null && echo -Oz || echo -Os)
$(foreach f,$(RT_SMALL),$(eval RT_CFLAGS_$(f) = $(RT_SMALL_OPT)))
# The metrics' loops over rows, distances and matrices vectorize at -O3
# only (GCC's -O2 cost model leaves loops of unknown length scalar).
RT_METRICS_HOT = rt_distances rt_eigen rt_frechet rt_knn rt_moments rt_precision_recall
$(foreach f,$(RT_METRICS_HOT),$(eval RT_CFLAGS_$(f) = -O3))
$(B)/runtime/%.o: runtime/%.c $(RT_HDR)
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(WARN) $(CFLAGS) $(RT_CFLAGS_$(notdir $*)) -ffunction-sections -fdata-sections \
	    -fno-asynchronous-unwind-tables \
	    -Iruntime -c -o $@ $<

# ganc reads files with the runtime's core, checks the weights it embeds in
# a sampler with its safetensors reader, and `ganc eval` reads the test
# images and computes the metrics: the trainer's library has all of it
# (and zlib's checksums and compression, hence -lz)
$(B)/ganc: $(GEN_OBJ) $(B)/libganc_train.a
	$(SAY) "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $(GEN_OBJ) $(B)/libganc_train.a -lyaml -lz -lm

$(B)/libganc_sample.a: $(call rt_objs,$(RT_SAMPLE_DIRS))
$(B)/libganc_train.a: $(call rt_objs,$(RT_TRAIN_DIRS))
$(RT_LIBS):
	$(SAY) "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

include tests/tests.mk
include bench/bench.mk
include tests/sanitize.mk
include tests/fuzz/fuzz.mk

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(DATADIR)/build
	install -m 755 $(B)/ganc $(DESTDIR)$(PREFIX)/bin/ganc
	install -m 644 templates/*.c $(DESTDIR)$(DATADIR)/templates/
	for d in $(sort $(RT_SAMPLE_DIRS) $(RT_TRAIN_DIRS)); do \
	    install -d $(DESTDIR)$(DATADIR)/runtime/$$d && \
	    install -m 644 runtime/$$d/*.h $(DESTDIR)$(DATADIR)/runtime/$$d/ || exit 1; \
	done
	install -m 644 $(B)/libganc_sample.a $(B)/libganc_train.a $(DESTDIR)$(DATADIR)/build/
	install -d $(DESTDIR)$(DATADIR)/models
	install -m 644 models/fmnist_classifier.yaml models/fmnist_classifier.safetensors \
	    $(DESTDIR)$(DATADIR)/models/

clean:
	rm -rf $(B)
