#!/usr/bin/env bash
# The neural reader's training sweep on one GPU, as run to make the shipped weights.
#
#   python -m qa.reading.train --export-bundle .bundle --max-length 384 --stride 128   # here
#   OUT=/some/dir scripts/train_reader_sweep.sh                                       # on the GPU
#
# Trains every setting below at once from the bundle (a small model leaves one GPU mostly
# idle, so processes side by side cost little more than one), scores xquad.zh after each
# epoch, then re-runs the best setting with the same seed (does it reproduce?) and with
# another (how much is luck?). OUT receives sweep.json (every run's settings and scores) and
# the best run's reader.json and delta.safetensors, the latter in parts of at most 16 MiB
# (join: cat delta.safetensors.part* > delta.safetensors).
set -uo pipefail
: "${OUT:?set OUT to the folder that receives the results}"
BUNDLE=${BUNDLE:-.bundle}
RUNS=${RUNS:-/tmp/reader-runs}
PY=${PYTHON:-python3}
BUDGET=${BUDGET:-480}  # seconds for the whole sweep: the second wave is skipped past half
DEVICE=${DEVICE:-cuda}
EXTRA=${EXTRA:-}  # more train_reader options for every run (smoke tests: --max-steps 2)
mkdir -p "$RUNS" "$OUT"
started=$SECONDS

run() {  # run NAME SECONDS [train_reader options...]
  local name=$1 limit=$2
  shift 2
  echo "$*" > "$RUNS/$name.args"
  # shellcheck disable=SC2086  # EXTRA is a list of options
  timeout "$limit" "$PY" -m qa.reading.train --bundle "$BUNDLE" --device "$DEVICE" --bf16 \
    --validate --threads 2 --batch-size 32 --save-every 250 --out "$RUNS/$name" "$@" $EXTRA \
    > "$RUNS/$name.log" 2>&1
  echo "$name exit $? after $((SECONDS - started)) s"
}

wave1=$((BUDGET * 3 / 4))
run ref-1ep-given "$wave1" --lr 2e-4 --epochs 1 --targets given &
run lr2e4-1ep "$wave1" --lr 2e-4 --epochs 1 --targets trimmed &
run lr2e4-2ep "$wave1" --lr 2e-4 --epochs 2 --targets trimmed &
run lr1e4-2ep "$wave1" --lr 1e-4 --epochs 2 --targets trimmed &
run lr1e4-3ep "$wave1" --lr 1e-4 --epochs 3 --targets trimmed &
run lr5e5-3ep "$wave1" --lr 5e-5 --epochs 3 --targets trimmed &
run lr1e4-2ep-cmrc3 "$wave1" --lr 1e-4 --epochs 2 --targets trimmed --repeat-cmrc 3 &
run lr1e4-2ep-neg1 "$wave1" --lr 1e-4 --epochs 2 --targets trimmed --negatives 1.0 &
run lr3e4-1ep "$wave1" --lr 3e-4 --epochs 1 --targets trimmed &
run lr2e4-3ep "$wave1" --lr 2e-4 --epochs 3 --targets trimmed &
run lr1e4-2ep-given "$wave1" --lr 1e-4 --epochs 2 --targets given &
run lr1e4-2ep-cmrc3-neg1 "$wave1" --lr 1e-4 --epochs 2 --targets trimmed --repeat-cmrc 3 --negatives 1.0 &
wait

pick() {  # the finished run with the best final EM + F1 on xquad.zh
  "$PY" - "$RUNS" <<'EOF'
import json, pathlib, sys
best = max(
    (json.loads(p.read_text()) | {"name": p.parent.name} for p in pathlib.Path(sys.argv[1]).glob("*/reader.json")),
    key=lambda m: (m["steps_done"] == m["steps"], m["validation"][-1]["em"] + m["validation"][-1]["f1"] if m["validation"] else -1),
)
print(best["name"])
EOF
}
best=$(pick)
echo "best of wave 1: $best"
left=$((BUDGET - (SECONDS - started)))
if [ -n "$best" ] && [ "$left" -gt $((BUDGET / 2)) ]; then
  read -r -a options < "$RUNS/$best.args"
  run "$best-again" "$left" "${options[@]}" &
  run "$best-seed14" "$left" "${options[@]}" --seed 14 &
  wait
fi

"$PY" - "$RUNS" "$OUT" "$best" <<'EOF'
import json, pathlib, sys
runs, out, best = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
sweep = {}
for meta_file in sorted(runs.glob("*/reader.json")):
    meta = json.loads(meta_file.read_text())
    sweep[meta_file.parent.name] = {k: meta.get(k) for k in (
        "command", "validation", "steps_done", "steps", "train_seconds", "loss_ema", "device", "windows")}
(out / "sweep.json").write_text(json.dumps(sweep, indent=1))
if best:
    (out / "reader.json").write_text((runs / best / "reader.json").read_text())
    data = (runs / best / "delta.safetensors").read_bytes()
    part = 15 * 2**20
    for i in range(0, len(data), part):
        (out / f"delta.safetensors.part{i // part}").write_bytes(data[i : i + part])
logs = "".join(f"== {p.name}\n" + p.read_text()[-1500:] for p in sorted(runs.glob("*.log")))
(out / "logs.txt").write_text(logs)
EOF
echo "sweep done after $((SECONDS - started)) s"
