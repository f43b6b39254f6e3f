#!/usr/bin/env bash
# Side-by-side speed table: nnlab vs the PyTorch peers of ../shared/bench, same machine, one sitting.
# Prints the markdown rows of docs/BENCHMARKS.md ("Side by side"); raw logs go to $LOGS.
# Usage: tools/bench/side_by_side.sh [RUNS] [TORCH_RECIPE_RUNS]
#   RUNS               runs of each nnlab measurement and each epoch peer (median reported; default 3)
#   TORCH_RECIPE_RUNS  runs of torch_anomaly.py per variant (default 1: it takes minutes per run)
# Needs: a release build (cargo build --release), the peer venv (PEER_PY, default ~/.venvs/peer/bin/python),
# the data (DATA, default ../shared/data). Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-3}
TRUNS=${2:-1}
DATA=${DATA:-../shared/data}
BENCH=${BENCH:-../shared/bench}
PEER_PY=${PEER_PY:-$HOME/.venvs/peer/bin/python}
LOGS=${LOGS:-$(mktemp -d /tmp/nnlab-bench.XXXXXX)}
NN=./target/release/nnlab
[ -x "$NN" ] || { echo "build first: cargo build --release" >&2; exit 1; }
OUT=$(mktemp -d /tmp/nnlab-bench-runs.XXXXXX)

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
# Seconds of the recipe's training from `nnlab anomaly` output ("training    10 epochs in 25.2 s ...").
nn_train() { grep -o 'epochs in [0-9.]* s' "$1" | awk '{print $3}'; }
# Mean seconds per epoch from `nnlab bench` / the torch epoch script.
nn_epoch() { grep -o 'train epoch [0-9]* (batch [0-9]*) *[0-9.]* s' "$1" | awk '{print $(NF-1)}'; }
torch_epoch() { grep -o 'epoch [0-9]*: [0-9.]*s' "$1" | sed 's/.*: //; s/s$//'; }
mean() { awk '{s+=$1; n++} END {printf "%.3f\n", s/n}'; }

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%FT%TZ)" | tee "$LOGS/machine.txt"
: > "$LOGS/nn_recipe"; : > "$LOGS/nn_recipe_keep"
for i in $(seq "$RUNS"); do
  $NN anomaly --data-dir "$DATA" --offline -q --out "$OUT/ftz-$i" > "$LOGS/nn_recipe_$i.log"
  nn_train "$LOGS/nn_recipe_$i.log" >> "$LOGS/nn_recipe"
  NNLAB_DENORMALS=keep $NN anomaly --data-dir "$DATA" --offline -q --out "$OUT/keep-$i" > "$LOGS/nn_recipe_keep_$i.log"
  nn_train "$LOGS/nn_recipe_keep_$i.log" >> "$LOGS/nn_recipe_keep"
  for arch in mlp conv; do
    $NN bench --arch $arch --epochs 3 -q > "$LOGS/nn_${arch}_$i.log"
    nn_epoch "$LOGS/nn_${arch}_$i.log" | mean >> "$LOGS/nn_$arch"
  done
  for kind in mlp cae; do
    for ftz in "" --ftz; do
      "$PEER_PY" "$BENCH/torch_recipe_epoch.py" $kind 3 $ftz > "$LOGS/torch_${kind}${ftz}_$i.log"
      torch_epoch "$LOGS/torch_${kind}${ftz}_$i.log" | mean >> "$LOGS/torch_${kind}${ftz}"
    done
  done
done
: > "$LOGS/torch_recipe"; : > "$LOGS/torch_recipe--ftz"
for i in $(seq "$TRUNS"); do
  for ftz in "" --ftz; do
    "$PEER_PY" "$BENCH/torch_anomaly.py" "$DATA" 10 0 $ftz > "$LOGS/torch_recipe${ftz}_$i.log"
    awk '/train_seconds/ {print $2}' "$LOGS/torch_recipe${ftz}_$i.log" >> "$LOGS/torch_recipe${ftz}"
  done
done

row() { # label nnlab-file torch-file torch-ftz-file
  local a b c; a=$(median < "$LOGS/$2"); b=$(median < "$LOGS/$3"); c=$(median < "$LOGS/$4")
  echo "| $1 | $a | $b | $c | $(awk -v a="$a" -v c="$c" 'BEGIN {printf "%.2f×", a/c}') |"
}
echo
echo "| what | nnlab | PyTorch | PyTorch \`--ftz\` | nnlab / PyTorch \`--ftz\` |"
echo "|---|---|---|---|---|"
row "recipe, training seconds (10 epochs, MNIST)" nn_recipe torch_recipe torch_recipe--ftz
row "recipe with \`NNLAB_DENORMALS=keep\`" nn_recipe_keep torch_recipe torch_recipe--ftz
row "MLP epoch, random inputs, s" nn_mlp torch_mlp torch_mlp--ftz
row "conv AE epoch, random inputs, s" nn_conv torch_cae torch_cae--ftz
echo
echo "nnlab recipe metrics (seed 0):"; grep -hE 'type I|type II|AUROC' "$LOGS/nn_recipe_1.log"
echo "epoch times of the last nnlab bench runs:"; grep -h 'train epoch' "$LOGS/nn_mlp_$RUNS.log" "$LOGS/nn_conv_$RUNS.log"
echo "torch recipe:"; cat "$LOGS"/torch_recipe*_1.log | grep train_seconds
echo "logs: $LOGS"
rm -rf "$OUT"
