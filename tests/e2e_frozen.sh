#!/usr/bin/env bash
# tests/e2e_frozen.sh - frozen networks end to end (docs/model-language.md,
# "Frozen networks"): tests/models/content_frozen.yaml, a generator trained
# with a content term through the shipped Fashion-MNIST classifier, built
# and trained 30 steps on Fashion-MNIST:
#   1. the run's weights hold the classifier's tensors as the shipped file
#      has them, bit for bit (read at start, never trained), and its
#      content term is in log.csv;
#   2. a run resumed from its step-20 checkpoint ends bit-identical to the
#      straight run;
#   3. the trainer refuses to start, exit 2 naming the file and the tensor,
#      when the weights file is gone or holds other tensors (a model copied
#      beside its own copy of the weights, then the copy changed).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/tests/e2e_frozen
rm -rf "$dir"
mkdir -p "$dir"
fail() { echo "e2e_frozen: FAIL: $*" >&2; exit 1; }
data=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
[ -f "$data" ] || { echo "e2e_frozen: $data missing (apt-get install dataset-fashion-mnist)" >&2; exit 1; }
make -s build/ganc build/libganc_train.a build/libganc_sample.a

build/ganc build tests/models/content_frozen.yaml -o "$dir/b" >"$dir/ganc.log" 2>&1 ||
    { cat "$dir/ganc.log"; fail "ganc build"; }
train() { "$dir/b/train" --data "$data" --steps 30 --log-every 10 --sample-every 1000 \
          --checkpoint-every 10 --eval-every 0 "$@"; }

# ---- 1. the frozen weights are the file's, the content term is logged -------
train --out "$dir/run" >"$dir/train.log" 2>&1 || { cat "$dir/train.log"; fail "training"; }
/usr/bin/python3 - "$dir/run/weights.safetensors" models/fmnist_classifier.safetensors <<'PY' ||
import json, struct, sys
def read(p):
    with open(p, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        h, b = json.loads(f.read(n)), f.read()
    return {k: b[v["data_offsets"][0]:v["data_offsets"][1]] for k, v in h.items()
            if k != "__metadata__"}
run, shipped = read(sys.argv[1]), read(sys.argv[2])
frozen = [k for k in run if k.startswith("F.")]
assert len(frozen) == 16, frozen    # conv1..fc of C, up to `features`
for k in frozen:
    assert run[k] == shipped["C" + k[1:]], k
print(f"e2e_frozen: {len(frozen)} tensors of F are the shipped classifier's, bit for bit")
PY
    fail "the run's F tensors differ from models/fmnist_classifier.safetensors"
head -1 "$dir/run/log.csv" | grep -q "G_content" || fail "log.csv has no G_content column"

# ---- 2. resume ----------------------------------------------------------------
mkdir -p "$dir/resumed/checkpoints"
cp "$dir/run/settings.json" "$dir/run/model.yaml" "$dir/resumed/" 2>/dev/null || true
cp "$dir/run/checkpoints/"*000020* "$dir/resumed/checkpoints/" ||
    fail "no step-20 checkpoint in $dir/run/checkpoints"
train --resume "$dir/resumed" >"$dir/resume.log" 2>&1 || { cat "$dir/resume.log"; fail "resume"; }
cmp -s "$dir/run/weights.safetensors" "$dir/resumed/weights.safetensors" ||
    fail "the resumed run's weights differ from the straight run's"
echo "e2e_frozen: resumed at step 20, bit-identical at step 30"

# ---- 3. a missing or wrong weights file -----------------------------------------
mkdir -p "$dir/copy"
sed -e 's|\.\./\.\./models/|../../../../models/|; s|weights: \.\./\.\./\.\./\.\./models/fmnist_classifier|weights: own|' \
    tests/models/content_frozen.yaml >"$dir/copy/model.yaml"
cp models/fmnist_classifier.safetensors "$dir/copy/own.safetensors"
build/ganc build "$dir/copy/model.yaml" -o "$dir/copy/b" >"$dir/copy/ganc.log" 2>&1 ||
    { cat "$dir/copy/ganc.log"; fail "ganc build of the copy"; }
expect_refusal() {   # expect_refusal WHAT TEXT
    set +e
    "$dir/copy/b/train" --data "$data" --steps 2 --out "$dir/copy/run" --overwrite \
        >"$dir/copy/train.log" 2>&1
    local rc=$?
    set -e
    [ $rc -eq 2 ] || { cat "$dir/copy/train.log"; fail "$1: exit $rc, expected 2"; }
    grep -qF "$2" "$dir/copy/train.log" || { cat "$dir/copy/train.log"; fail "$1: no '$2'"; }
    echo "e2e_frozen: $1 refused: $(grep -F "$2" "$dir/copy/train.log" | head -1)"
}
rm "$dir/copy/own.safetensors"
expect_refusal "a missing weights file" "frozen network 'F': $dir/copy/own.safetensors: cannot open"
cp tests/frozen/smooth_features.safetensors "$dir/copy/own.safetensors"
expect_refusal "a weights file of other tensors" "expected a tensor named 'C.conv1.weight'"
echo "e2e_frozen: ok"
