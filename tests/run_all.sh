#!/usr/bin/env bash
# tests/run_all.sh - the whole suite (make test): every CMocka program, the
# runtime smoke test, what the runtime's two libraries hold, the quality
# metrics against numpy, gradient checks,
# PyTorch parity, differential testing of random models, end-to-end
# training (data transforms: tests/e2e_transforms.sh; frozen networks:
# tests/e2e_frozen.sh; the pictures of runs:
# tests/e2e_plots.sh), and hostile
# inputs (FIFOs, huge sizes, run folders shared or reused: tests/hostile.sh).
# Each suite is run even when an earlier one failed; the last line counts
# them as "tests: N passed, M failed" and the exit status is 1 on any failure.
cd "$(dirname "$0")/.."
passed=0 failed=0 failures=()

suite() {   # suite NAME COMMAND...
    local name=$1; shift
    echo "=== $name"
    local t0=$SECONDS
    if "$@"; then
        passed=$((passed + 1)); echo "--- $name: ok ($((SECONDS - t0)) s)"
    else
        failed=$((failed + 1)); failures+=("$name"); echo "--- $name: FAILED ($((SECONDS - t0)) s)"
    fi
}

for t in build/tests/test_gen_* build/tests/test_rt_*; do
    [ -x "$t" ] && suite "$(basename "$t")" "$t"
done
suite runtime-smoke /usr/bin/python3 tests/test_rt_smoke.py build/tests
suite runtime-libs bash tests/runtime_libs.sh
suite metrics-numpy /usr/bin/python3 tests/metrics_numpy.py
suite gen-deps /usr/bin/python3 tests/gen_deps.py
suite generated-code /usr/bin/python3 tests/generated_code.py
suite calibrate bash tests/calibrate.sh
suite gradcheck bash tests/gradcheck.sh
suite parity bash tests/parity.sh
suite difftest bash tests/difftest.sh
suite e2e-ring8 bash tests/e2e_ring8.sh
suite e2e-dcgan bash tests/e2e_dcgan.sh
suite e2e-general bash tests/e2e_general.sh
suite e2e-frozen bash tests/e2e_frozen.sh
suite e2e-two-sources bash tests/e2e_two_sources.sh
suite e2e-transforms bash tests/e2e_transforms.sh
suite e2e-anomaly bash tests/e2e_anomaly.sh
suite e2e-sampler bash tests/e2e_sampler.sh
suite eval-known bash tests/eval_known.sh
suite e2e-cgan bash tests/e2e_cgan.sh
suite e2e-plots bash tests/e2e_plots.sh
suite resume bash tests/resume.sh
suite hostile bash tests/hostile.sh
suite sanitizers bash tests/sanitize.sh
suite bench-smoke bash bench/smoke.sh

[ ${#failures[@]} -eq 0 ] || echo "failed suites: ${failures[*]}"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
