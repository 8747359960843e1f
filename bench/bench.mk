# bench/bench.mk - `make bench`, included by the Makefile (bench/README.md).
#   make bench                  ganc against PyTorch, 5 repeats after 1 warm-up
#                               round: 4-8 minutes on 2 cores; writes
#                               bench/results/full.csv and prints a table
#   make bench BENCH_QUICK=1    a short run (2 repeats, fewer iterations) that
#                               checks the harness: under a minute;
#                               bench/results/quick.csv
#   BENCH_ARGS='--repeats 9'    more options: bench/bench.py --help
#   make bench-gemm             rt_sgemm against OpenBLAS, product by product
#   make bench-pacgan           PacGAN's 2D table: modes with and without packing
#   make bench-metrics          runtime/metrics/ at 10,000 rows a set: precision/recall, FD
#   make bench-augment          a classifier of 100 real images per class, with and without
#                               a conditional GAN's images (bench/augment.sh; AUGMENT_ARGS)
.PHONY: bench bench-gemm
BENCH_PYTHON ?= /usr/bin/python3

bench: all
	$(BENCH_PYTHON) bench/bench.py $(if $(filter-out 0,$(BENCH_QUICK)),--quick) $(BENCH_ARGS)

$(B)/bench/gemm_bench: bench/gemm_bench.c $(B)/libganc_sample.a
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $@"
	$(Q)$(CC) $(WARN) -O2 -Iruntime -o $@ $< $(B)/libganc_sample.a -lopenblas -lm

bench-gemm: $(B)/bench/gemm_bench
	OPENBLAS_NUM_THREADS=1 $(B)/bench/gemm_bench

# PacGAN's 2D table reproduced (bench/pacgan.py --help): 3 seeds, packing 1,
# 2 and 4 on ring8 and grid25, at scaled-down update counts
.PHONY: bench-pacgan
bench-pacgan: all
	$(BENCH_PYTHON) bench/pacgan.py $(PACGAN_ARGS)

# the sampler's labelled folders as training data (bench/augment.sh --help)
.PHONY: bench-augment
bench-augment: all
	bash bench/augment.sh $(AUGMENT_ARGS)

# runtime/metrics/ timed at the sizes `ganc eval` meets (bench/metrics_bench.c)
.PHONY: bench-metrics
$(B)/bench/metrics_bench: bench/metrics_bench.c $(B)/libganc_train.a
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $@"
	$(Q)$(CC) $(WARN) -O2 -Iruntime -o $@ $< $(B)/libganc_train.a -lm

bench-metrics: $(B)/bench/metrics_bench
	$(B)/bench/metrics_bench
