#!/usr/bin/env bash
# tests/runtime_libs.sh - the runtime's two libraries hold what they say
# (runtime/README.md; a suite of make test):
#   - build/libganc_sample.a has no object of runtime/data/, runtime/train/
#     or runtime/metrics/ (optimizers, data loaders, checkpoints, the
#     trainer, zlib and OpenMP users, quality metrics) and defines none of
#     their functions but the sampler's own
#     implementation of core/rt_zlib.h; build/libganc_train.a has nothing of
#     runtime/sample/;
#   - the linker proves it: every object of the sample library, forced in
#     with --whole-archive, links into a program with libc and libm alone,
#     and every object of the trainer's with zlib, OpenMP and libm;
#   - a real sampler (models/dcgan_fashion.yaml, as `ganc build` makes it)
#     needs libc and libm only and is at most 64 KiB stripped (bench/smoke.sh
#     checks the size too, on AVX-512 machines only);
#   - a real anomaly scorer (models/anomaly_fashion.yaml's DIR/score, the
#     sampler's library with runtime/score/) needs libc and libm only and
#     links nothing of data/, train/ or metrics/.
# About 10 s.
set -uo pipefail
cd "$(dirname "$0")/.."
B=build
W=$B/tests/runtime_libs
make -s $B/ganc $B/libganc_sample.a $B/libganc_train.a || exit 1
rm -rf "$W" && mkdir -p "$W"
failed=0
check() {   # check WHAT COMMAND...: passes when COMMAND succeeds
    local what=$1; shift
    if "$@"; then echo "  ok  $what"; else echo "  FAIL $what"; failed=1; fi
}

# objects by folder: what each library must not hold
objs_of() { for d in "$@"; do ls runtime/$d/*.c | xargs -n1 basename | sed 's/\.c$/.o/'; done; }
none_of() {   # none_of LIB FOLDER...: LIB holds no object of those folders
    local bad
    bad=$(comm -12 <(ar t "$1" | sort) <(objs_of "${@:2}" | sort))
    [ -z "$bad" ] || { echo "    $1 holds $(echo $bad)"; return 1; }
}
check "libganc_sample.a holds no object of data/, train/ or metrics/" \
    none_of $B/libganc_sample.a data train metrics
check "libganc_train.a holds no object of sample/" none_of $B/libganc_train.a sample

# the functions data/, train/ and metrics/ define, besides rt_zlib.h's
# (defined in both libraries by design): none may be defined in the sample
# library
rt_zlib_fns='^(rt_crc32|rt_adler32|rt_zlib_encode|rt_zlib_decode)$'
train_only=$(nm -g --defined-only $(ls runtime/{data,train,metrics}/*.c | sed "s#^#$B/#; s#c\$#o#") |
             awk 'NF == 3 { print $3 }' | grep -Ev "$rt_zlib_fns" | sort -u)
sample_defs=$(nm -g --defined-only $B/libganc_sample.a 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u)
no_training_fns() {
    local bad
    [ -n "$train_only" ] || { echo "    found no functions of data/, train/ and metrics/"; return 1; }
    bad=$(comm -12 <(echo "$train_only") <(echo "$sample_defs"))
    [ -z "$bad" ] || { echo "    defined in the sample library: $(echo $bad)"; return 1; }
}
check "libganc_sample.a defines no function of data/, train/ or metrics/" no_training_fns

# every object forced in: an undefined symbol (zlib's, OpenMP's, a BLAS's,
# or a training function) fails the link
echo 'int main(void) { return 0; }' > "$W/main.c"
links_alone() {   # links_alone LIB LIBS...
    local lib=$1; shift
    cc -o "$W/whole" "$W/main.c" -Wl,--whole-archive "$lib" -Wl,--no-whole-archive "$@" \
        > "$W/link.log" 2>&1 || { sed 's/^/    /' "$W/link.log" | head -20; return 1; }
}
check "every object of libganc_sample.a links with libc and libm alone" \
    links_alone $B/libganc_sample.a -lm
check "every object of libganc_train.a links with zlib, OpenMP and libm" \
    links_alone $B/libganc_train.a -lz -fopenmp -lm

# a real sampler
needs_libc_libm() {
    local needed
    needed=$(readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
    [ "$needed" = "libc.so.6 libm.so.6 " ] || { echo "    $1 needs: $needed"; return 1; }
}
# The file grows in 4 KiB steps: ld pads the read-only segment so that
# RELRO ends on a page, so the size follows C, the read-only segment plus
# RELRO, rounded up to 4 KiB (plus about 2.8 KiB after it).  C's distance
# to its next step is the real headroom.
at_most_64k() {
    strip -o "$W/sample-stripped" "$1" || return 1
    local size ro relro c
    size=$(stat -c %s "$W/sample-stripped")
    ro=$(readelf -lW "$W/sample-stripped" | awk '$1 == "LOAD" { print $5; exit }')
    relro=$(readelf -lW "$W/sample-stripped" | awk '$1 == "GNU_RELRO" { print $6 }')
    c=$((${ro:-0} + ${relro:-0}))
    echo "    the stripped sampler: $size bytes (C: $c, $(( (c + 4095) / 4096 * 4096 - c ))" \
         "below the next 4 KiB step)"
    [ "$size" -le 65536 ]
}
if $B/ganc build models/dcgan_fashion.yaml -o "$W/dcgan" > "$W/ganc.log" 2>&1; then
    check "the DCGAN's sampler needs libc and libm only" needs_libc_libm "$W/dcgan/sample"
    check "the DCGAN's sampler is at most 64 KiB stripped" at_most_64k "$W/dcgan/sample"
else
    cat "$W/ganc.log"; echo "  FAIL ganc build models/dcgan_fashion.yaml"; failed=1
fi
# a real scorer: its undefined symbols are libc's and libm's (the sample
# library's objects it pulls in are checked above)
no_training_syms() {
    local bad
    bad=$(nm "$1" | awk '{ print $NF }' | sort -u | comm -12 - <(echo "$train_only"))
    [ -z "$bad" ] || { echo "    $1 holds: $(echo $bad)"; return 1; }
}
if $B/ganc build models/anomaly_fashion.yaml -o "$W/anomaly" > "$W/ganc.log" 2>&1; then
    check "the anomaly scorer needs libc and libm only" needs_libc_libm "$W/anomaly/score"
    check "the anomaly scorer holds no function of data/, train/ or metrics/" \
        no_training_syms "$W/anomaly/score"
else
    cat "$W/ganc.log"; echo "  FAIL ganc build models/anomaly_fashion.yaml"; failed=1
fi
[ $failed -eq 0 ] && echo "runtime-libs: all checks passed"
exit $failed
