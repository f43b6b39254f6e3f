#!/usr/bin/env bash
# The exported detector against nnlab on the 10 000 MNIST test images (issue 18): train a
# detector (the default dense one, or with the anomaly options given), export it with
# `nnlab anomaly export`, score mnist:test with `nnlab anomaly score` and with the exported
# score.py in PyTorch, and print the largest relative score difference and how many flags differ.
# Needs a release build (cargo build --release -p nnlab-cli), $NNLAB_DATA holding mnist/ and
# kmnist/, and a Python with torch and safetensors ($NNLAB_PYTHON, default ~/.venvs/peer).
# Usage: .ci/export-mnist.sh WORKDIR [anomaly options, e.g. --arch conv --epochs 3]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:?usage: .ci/export-mnist.sh WORKDIR [anomaly options]}"
shift
nnlab=target/release/nnlab
py="${NNLAB_PYTHON:-$HOME/.venvs/peer/bin/python}"
: "${NNLAB_DATA:?set NNLAB_DATA to the folder holding mnist/}"
images="$NNLAB_DATA/mnist/t10k-images-idx3-ubyte.gz"
mkdir -p "$work"
if [ ! -f "$work/run/model/detector.json" ]; then
  "$nnlab" anomaly --offline --quiet --out "$work/run" "$@"
fi
"$nnlab" anomaly export --quiet --model "$work/run/model" --to "$work/torch"
start=$(date +%s.%N)
"$nnlab" anomaly score --offline --quiet --model "$work/run/model" --input mnist:test \
  --csv "$work/nnlab.csv"
mid=$(date +%s.%N)
"$py" "$work/torch/score.py" "$images" --csv "$work/torch.csv"
end=$(date +%s.%N)
awk -v a="$start" -v b="$mid" -v c="$end" \
  'BEGIN { printf "wall seconds: nnlab anomaly score %.2f, score.py %.2f\n", b - a, c - b }'
"$py" - "$work/nnlab.csv" "$work/torch.csv" <<'EOF'
import csv, sys
ours = list(csv.DictReader(open(sys.argv[1])))
theirs = list(csv.DictReader(open(sys.argv[2])))
assert len(ours) == len(theirs), (len(ours), len(theirs))
rel = [abs(float(a["score"]) - float(b["score"])) / abs(float(a["score"])) for a, b in zip(ours, theirs)]
flips = sum(a["flagged"] != b["flagged"] for a, b in zip(ours, theirs))
worst = max(range(len(rel)), key=rel.__getitem__)
print(f"images {len(rel)}; max relative score difference {max(rel):.3e} (image {worst}); "
      f"mean {sum(rel) / len(rel):.3e}; flags that differ: {flips}")
EOF
