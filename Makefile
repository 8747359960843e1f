# ganc - a compiler for generative adversarial networks.
#   make            build/ganc and build/libganc_rt.a
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
RT_SRC   = $(wildcard runtime/*.c)
RT_OBJ   = $(patsubst %.c,$(B)/%.o,$(RT_SRC))

.PHONY: all test test-quick clean install
all: $(B)/ganc $(B)/libganc_rt.a

$(B)/gen/%.o: gen/%.c $(wildcard gen/*.h) runtime/rt_model.h
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
# a 64 KiB budget (bench: sampler_size)
RT_SMALL = rt_args rt_csv rt_err rt_file rt_json rt_latent rt_npy rt_png rt_raster \
           rt_sample rt_sample_weights rt_safetensors_read rt_safetensors_sum rt_weights
$(foreach f,$(RT_SMALL),$(eval RT_CFLAGS_$(f) = -Os))
$(B)/runtime/%.o: runtime/%.c $(wildcard runtime/*.h)
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(WARN) $(CFLAGS) $(RT_CFLAGS_$(notdir $*)) -ffunction-sections -fdata-sections \
	    -fno-asynchronous-unwind-tables \
	    -Iruntime -c -o $@ $<

$(B)/ganc: $(GEN_OBJ)
	$(SAY) "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lyaml -lm

$(B)/libganc_rt.a: $(RT_OBJ)
	$(SAY) "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

include tests/tests.mk
include bench/bench.mk
include tests/sanitize.mk
include tests/fuzz/fuzz.mk

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/templates \
	    $(DESTDIR)$(DATADIR)/runtime $(DESTDIR)$(DATADIR)/build
	install -m 755 $(B)/ganc $(DESTDIR)$(PREFIX)/bin/ganc
	install -m 644 templates/*.c $(DESTDIR)$(DATADIR)/templates/
	install -m 644 runtime/*.h $(DESTDIR)$(DATADIR)/runtime/
	install -m 644 $(B)/libganc_rt.a $(DESTDIR)$(DATADIR)/build/

clean:
	rm -rf $(B)
