#!/usr/bin/env bash
# Run flytekit's own tests/flytekit/unit/core against the INSTALLED flytekit, with task/eager/dynamic
# swapped for flytekit_ext's (default) or stock (--stock), and write per-test results.
#
# Usage: tools/flytekit_compat/run.sh [--stock] [--out DIR] [-n JOBS] [--timeout SECS] [FLYTEKIT_SRC] [-- PYTEST_ARGS...]
#   FLYTEKIT_SRC   flytekit source checkout holding tests/flytekit/unit/core (default /work/fkcompat/flytekit-src)
#   --stock        do not load the swap plugin (baseline run)
#   --out DIR      results directory (default /work/fkcompat/results/{swap|stock})
#   -n JOBS        pytest-xdist workers for the parallel pass (default 2; 0 disables xdist)
#   --timeout S    per-test timeout in seconds, needs pytest-timeout (default 300)
#   --only PATH    test path relative to FLYTEKIT_SRC (default tests/flytekit/unit/core); repeatable
#   everything after -- is passed to pytest (e.g. -k expr)
#
# Outputs in DIR: results.txt ("nodeid outcome" per line, sorted), messages.json (nodeid -> first line
# of failure), pass-parallel.log / pass-serial.log (full pytest output), summary.txt (counts).
# Like flytekit's Makefile, "serial"-marked tests run in a second pass without xdist, and
# "sandbox_test" tests (need a Flyte sandbox) are deselected.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODE=swap
OUT=""
JOBS=2
TIMEOUT=300
SRC=/work/fkcompat/flytekit-src
TARGETS=()
EXTRA=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --stock) MODE=stock; shift ;;
    --out) OUT="$2"; shift 2 ;;
    -n) JOBS="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --only) TARGETS+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    --) shift; EXTRA=("$@"); break ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) SRC="$1"; shift ;;
  esac
done
[[ ${#TARGETS[@]} -eq 0 ]] && TARGETS=(tests/flytekit/unit/core)
SRC="$(cd "$SRC" && pwd)"
OUT="${OUT:-/work/fkcompat/results/$MODE}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

if [[ ! -d "$SRC/tests/flytekit/unit/core" ]]; then
  echo "run.sh: $SRC has no tests/flytekit/unit/core; see $HERE/README.md for how to get it" >&2
  exit 2
fi

# Test modules that cannot run here (need docker / network / hang). Paths relative to $SRC.
# Each entry: path|reason. Reported in $OUT/skipped_modules.txt.
SKIP_MODULES=(
  "tests/flytekit/unit/core/test_local_raw_container.py|runs containers through a local docker daemon"
)

PY="${PYTHON:-python}"
export PYTHONPATH="$HERE${PYTHONPATH:+:$PYTHONPATH}"
export FLYTE_EXIT_ON_USER_EXCEPTION=0
export FLYTEKIT_HYPOTHESIS_PROFILE="${FLYTEKIT_HYPOTHESIS_PROFILE:-ci}"

cd "$SRC"
# The tests must exercise the installed flytekit, never a flytekit/ package inside the checkout.
FK_FILE="$("$PY" -c 'import flytekit; print(flytekit.__file__)')"
case "$FK_FILE" in
  "$SRC"/*) echo "run.sh: flytekit resolves to the checkout ($FK_FILE), not site-packages; remove $SRC/flytekit" >&2; exit 2 ;;
esac
FK_VERSION="$("$PY" -c 'import flytekit; print(flytekit.__version__)')"

PLUGINS=(-p flytekit_compat_results -p no:cacheprovider)
if [[ "$MODE" == swap ]]; then
  PLUGINS+=(-p conftest_swap)
fi

IGNORES=()
: > "$OUT/skipped_modules.txt"
for entry in "${SKIP_MODULES[@]}"; do
  IGNORES+=("--ignore=${entry%%|*}")
  echo "${entry%%|*}  # ${entry#*|}" >> "$OUT/skipped_modules.txt"
done

TIMEOUT_ARGS=()
if "$PY" -c 'import pytest_timeout' 2>/dev/null; then TIMEOUT_ARGS=(--timeout "$TIMEOUT"); fi
XDIST_ARGS=()
if [[ "$JOBS" != 0 ]] && "$PY" -c 'import xdist' 2>/dev/null; then XDIST_ARGS=(-n "$JOBS" --dist=loadfile); fi

rm -f "$OUT"/pass-*.jsonl
if [[ "$MODE" == swap ]]; then
  # Fail fast (and record what gets rebound) before spending minutes on pytest.
  "$PY" -c 'import conftest_swap as s, flytekit, flytekit_ext
print("flytekit", flytekit.__version__, flytekit.__file__)
print("flytekit_ext", getattr(flytekit_ext, "__version__", "?"), flytekit_ext.__file__)
for m, a, n in s.PATCHED: print(f"rebound {m}.{a} -> flytekit_ext.{n}")' > "$OUT/swap_info.txt" \
    || { echo "run.sh: the swap plugin failed to load (see above); is flytekit_ext importable?" >&2; exit 2; }
fi
echo "run.sh: mode=$MODE flytekit=$FK_VERSION ($FK_FILE) src=$SRC out=$OUT"

set +e
FLYTEKIT_COMPAT_RESULTS="$OUT/pass-parallel.jsonl" "$PY" -m pytest "${TARGETS[@]}" "${PLUGINS[@]}" "${IGNORES[@]}" \
  "${TIMEOUT_ARGS[@]}" "${XDIST_ARGS[@]}" -q -rA -m "not serial and not sandbox_test" "${EXTRA[@]}" \
  > "$OUT/pass-parallel.log" 2>&1
RC1=$?
FLYTEKIT_COMPAT_RESULTS="$OUT/pass-serial.jsonl" "$PY" -m pytest "${TARGETS[@]}" "${PLUGINS[@]}" "${IGNORES[@]}" \
  "${TIMEOUT_ARGS[@]}" -q -rA -m "serial and not sandbox_test" "${EXTRA[@]}" \
  > "$OUT/pass-serial.log" 2>&1
RC2=$?
set -e
# pytest exit codes: 0 ok, 1 tests failed, 5 nothing collected; anything else means the run itself broke.
for pair in "parallel:$RC1" "serial:$RC2"; do
  rc="${pair#*:}"
  if [[ "$rc" != 0 && "$rc" != 1 && "$rc" != 5 ]]; then
    echo "run.sh: pytest ${pair%%:*} pass exited $rc; see $OUT/pass-${pair%%:*}.log" >&2
    tail -n 30 "$OUT/pass-${pair%%:*}.log" >&2
  fi
done

touch "$OUT/pass-parallel.jsonl" "$OUT/pass-serial.jsonl"
"$PY" "$HERE/compare.py" merge "$OUT/pass-parallel.jsonl" "$OUT/pass-serial.jsonl" \
  --out "$OUT/results.txt" --messages "$OUT/messages.json" | tee "$OUT/summary.txt"
echo "results: $OUT/results.txt"
