#!/usr/bin/env bash
# usage: WORK=DIR bench/paraphraser/train-eval.sh NAME TRAIN.jsonl TEST.jsonl  -> $WORK/results/NAME.json
# Trains with `pioneer train` (epochs = max(5, ceil(100/ceil(n/32))) as in bench/cold-start.ts, or
# $EPOCHS; training seed $TRAIN_SEED) and scores on TEST with `pioneer eval`.
set -euo pipefail
NAME=$1; DATA=$2; TEST=$3
WORK=${WORK:-/tmp/pioneer-paraphraser}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export PIONEER_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PIONEER_REGISTRY="$WORK/registry"
mkdir -p "$WORK/results" "$WORK/runs"
N=$(grep -c . "$DATA")
EPOCHS=${EPOCHS:-$(python3 -c "import math; print(max(5, math.ceil(100 / math.ceil($N / 32))))")}
T0=$(date +%s.%N)
node "$ROOT/cli/bin.js" train --data "$DATA" --out "$WORK/runs/$NAME" --epochs "$EPOCHS" ${TRAIN_SEED:+--seed $TRAIN_SEED} --threads 1 --json > "$WORK/runs/$NAME.train.out"
T1=$(date +%s.%N)
ID=$(tail -n 1 "$WORK/runs/$NAME.train.out" | python3 -c "import json, sys; print(json.load(sys.stdin)['id'])")
node "$ROOT/cli/bin.js" eval --model "$ID" --data "$TEST" --json | tail -n 1 | python3 -c "
import json, sys
e = json.load(sys.stdin)
r = {'name': '$NAME', 'data': '$DATA', 'n_train': $N, 'epochs': $EPOCHS, 'accuracy': e['accuracy'], 'macro_f1': e['macro_f1'], 'test_n': e['n'], 'train_wall_s': round($T1 - $T0, 1), 'train_seed': '${TRAIN_SEED:-0}'}
json.dump(r, open('$WORK/results/$NAME.json', 'w')); print(json.dumps(r))"
