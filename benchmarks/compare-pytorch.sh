#!/usr/bin/env bash
# Runs the same workloads in jgrad and in PyTorch (Debian's python3-torch via /usr/bin/python3) with the same
# thread counts, prints one Markdown table and writes benchmarks/RESULTS.md (machine, versions, date, table).
#
#   benchmarks/compare-pytorch.sh                  # full run (threads 1 and 2), writes benchmarks/RESULTS.md
#   benchmarks/compare-pytorch.sh --quick          # smoke run: small sizes, short budgets, no RESULTS.md
#   options: --threads "1 2"   --budget S (seconds per figure, default 0.75)   --epoch-cap S (default 12)
#            --train-warmup S (shortest warm-up before a timed epoch, besides 100 steps; default 10)
#            --no-build (use the existing jar)   --out FILE (default benchmarks/RESULTS.md; "-" = don't write)
#            --groups "gemm conv train lstm" (subset)   --note "text" (a paragraph for RESULTS.md, e.g. the machine's state)
#
# PyTorch runs in two configurations:
#   default  the environment as this machine sets it up (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE as found, glibc malloc
#            defaults), with the thread count pinned to N for both torch.set_num_threads(N) and OpenBLAS
#            (OPENBLAS_NUM_THREADS=N; left unset, OpenBLAS would use every core even at N=1).
#   best     OPENBLAS_L2_SIZE unset, OPENBLAS_CORETYPE set to the fastest core type for this CPU (measured at the
#            start of each run: `compare_pytorch.py coretype`; empty = OpenBLAS's own detection, which falls back to
#            slow generic kernels on CPU models newer than its table), torch.set_num_threads(N), OPENBLAS_NUM_THREADS=1
#            (N for the GEMM group, where torch.mm is a single OpenBLAS call and OpenBLAS's threads are the only
#            ones), GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=17179869184.
# jgrad runs on JDK 25 (JAVA_HOME if it is 25+, else /usr/lib/jvm/temurin-25-jdk-amd64) with
# --add-modules jdk.incubator.vector and -Djgrad.threads=N; extra JVM flags from JGRAD_JVM_OPTS, by default
# the heap and collector flags the README recommends ("Performance: JVM flags"; set it empty for the JVM defaults).
# Every training epoch runs in its own process, so its peak RSS (VmHWM) is that model's alone.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# Keep in step with README.md, "Performance: JVM flags".
JGRAD_JVM_OPTS=${JGRAD_JVM_OPTS-"-XX:+UseSerialGC -Xmx448m -Xmn128m -XX:SurvivorRatio=2 -XX:TargetSurvivorRatio=90"}
ROOT=$(dirname "$HERE")
PY=${PYTHON:-/usr/bin/python3}
THREADS="1 2"
BUDGET=0.75
EPOCH_CAP=12
TRAIN_WARMUP=10
NOTE=""
QUICK=""
BUILD=1
OUT="$HERE/RESULTS.md"
MNIST_DIR="${JGRAD_DATA_DIR:-$HOME/.jgrad/data}/mnist"
GROUPS_RUN="gemm conv train lstm"
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS="$2"; shift 2 ;;
    --budget) BUDGET="$2"; shift 2 ;;
    --epoch-cap) EPOCH_CAP="$2"; shift 2 ;;
    --train-warmup) TRAIN_WARMUP="$2"; shift 2 ;;
    --quick) QUICK="--quick"; BUDGET=0.3; EPOCH_CAP=5; TRAIN_WARMUP=0; OUT="-"; shift ;;
    --no-build) BUILD=0; shift ;;
    --out) OUT="$2"; shift 2 ;;
    --groups) GROUPS_RUN="$2"; shift 2 ;;
    --note) NOTE="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "compare-pytorch.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
JDK=""
for cand in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
  if [ -n "$cand" ] && [ -x "$cand/bin/java" ] && [ "$(java_major "$cand")" -ge 25 ] 2>/dev/null; then JDK="$cand"; break; fi
done
[ -n "$JDK" ] || { echo "compare-pytorch.sh: needs a JDK 25+ (set JAVA_HOME); none found" >&2; exit 1; }
[ -x "$PY" ] || { echo "compare-pytorch.sh: $PY not found (Debian's python3-torch is expected)" >&2; exit 1; }
"$PY" -c 'import torch' 2>/dev/null || { echo "compare-pytorch.sh: $PY cannot import torch" >&2; exit 1; }

# The format check is CI's job; with JAVA_HOME at JDK 25 Maven itself runs on 25, where the pinned
# google-java-format refuses to start.
JAR="$HERE/target/benchmarks.jar"
if [ "$BUILD" = 1 ]; then
  echo "building $JAR ..." >&2
  (cd "$ROOT" && JAVA_HOME="$JDK" PATH="$JDK/bin:$PATH" ./mvnw -B -ntp -q -o -pl benchmarks -am package -DskipTests -Dspotless.check.skip=true) >&2 \
    || (cd "$ROOT" && JAVA_HOME="$JDK" PATH="$JDK/bin:$PATH" ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests -Dspotless.check.skip=true) >&2
fi
[ -f "$JAR" ] || { echo "compare-pytorch.sh: $JAR missing (build with ./mvnw -pl benchmarks -am package)" >&2; exit 1; }

RES="$HERE/target/compare-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RES"
echo "results: $RES" >&2
START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# shellcheck disable=SC2086
run_java() {  # threads, out, args...
  local t=$1 out=$2; shift 2
  "$JDK/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djgrad.threads="$t" \
    ${JGRAD_JVM_OPTS:-} -cp "$JAR" org.jgrad.benchmarks.Compare --budget "$BUDGET" --epoch-cap "$EPOCH_CAP" --train-warmup "$TRAIN_WARMUP" $QUICK "$@" \
    2> >(grep -v 'Using incubator modules' >&2) | tee -a "$out"
}
run_torch() {  # config, threads, out, args...
  local cfg=$1 t=$2 out=$3; shift 3
  local group=$1
  if [ "$cfg" = default ]; then
    env OPENBLAS_NUM_THREADS="$t" "$PY" "$HERE/compare_pytorch.py" bench --config default --threads "$t" \
      --budget "$BUDGET" --epoch-cap "$EPOCH_CAP" --train-warmup "$TRAIN_WARMUP" $QUICK "$@" | tee -a "$out"
  else
    local obt=1
    [ "$group" = gemm ] && obt="$t"
    local ct=(-u OPENBLAS_CORETYPE)
    [ -n "$BEST_CORETYPE" ] && ct=(OPENBLAS_CORETYPE="$BEST_CORETYPE")
    env -u OPENBLAS_L2_SIZE "${ct[@]}" OPENBLAS_NUM_THREADS="$obt" \
      GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=17179869184 \
      "$PY" "$HERE/compare_pytorch.py" bench --config best --threads "$t" \
      --budget "$BUDGET" --epoch-cap "$EPOCH_CAP" --train-warmup "$TRAIN_WARMUP" $QUICK "$@" | tee -a "$out"
  fi
}

# Before anything is timed: which OpenBLAS kernels serve PyTorch's best configuration on this CPU.
BEST_CORETYPE=$("$PY" "$HERE/compare_pytorch.py" coretype 2> "$RES/coretype.txt") || BEST_CORETYPE=""
cat "$RES/coretype.txt" >&2
run_java 1 "$RES/info.txt" info > /dev/null
run_torch default 1 "$RES/info.txt" info > /dev/null
run_torch best 1 "$RES/info.txt" info > /dev/null

for t in $THREADS; do
  for g in $GROUPS_RUN; do
    if [ "$g" = train ]; then
      for m in mlp cnn autoencoder; do
        run_java "$t" "$RES/jgrad-t$t.jsonl" train "$m"
        run_torch default "$t" "$RES/torch-default-t$t.jsonl" train "$m"
        run_torch best "$t" "$RES/torch-best-t$t.jsonl" train "$m"
      done
      # The same epochs on the real MNIST training set, when the data directory holds it.
      if [ -f "$MNIST_DIR/train-images-idx3-ubyte" ] && [ -f "$MNIST_DIR/train-labels-idx1-ubyte" ]; then
        for m in mlp cnn autoencoder; do
          run_java "$t" "$RES/jgrad-t$t.jsonl" --mnist "$MNIST_DIR" train "$m"
          run_torch default "$t" "$RES/torch-default-t$t.jsonl" --mnist "$MNIST_DIR" train "$m"
          run_torch best "$t" "$RES/torch-best-t$t.jsonl" --mnist "$MNIST_DIR" train "$m"
        done
      fi
    else
      run_java "$t" "$RES/jgrad-t$t.jsonl" "$g"
      run_torch default "$t" "$RES/torch-default-t$t.jsonl" "$g"
      run_torch best "$t" "$RES/torch-best-t$t.jsonl" "$g"
    fi
  done
done
ELAPSED=$(( $(date +%s) - START ))
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- RESULTS.md header: machine, versions, date, method; the table goes where @@TABLE@@ is.
META="$RES/meta.md"
{
  echo "# jgrad vs PyTorch: benchmark results"
  echo
  echo "Written by \`benchmarks/compare-pytorch.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (run took ${ELAPSED} s;"
  echo "1-, 5- and 15-minute load averages $LOAD_START at the start and $LOAD_END at the end, on $(nproc) CPUs)."
  if [ -n "$NOTE" ]; then echo; echo "**Note on this run:** $NOTE"; fi
  echo
  echo "## Machine"
  echo
  echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs ($(lscpu | sed -n 's/^Core(s) per socket: *//p') cores per socket, $(lscpu | sed -n 's/^Thread(s) per core: *//p') thread(s) per core), $(lscpu | sed -n 's/^Hypervisor vendor: *//p' | sed 's/^\(.\)/virtualised (\1/;s/$/)/')"
  echo "- AVX-512 flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep '^avx512' | tr '\n' ' ' | sed 's/ $//')"
  echo "- caches: L1d $(lscpu | sed -n 's/^L1d cache: *//p'), L2 $(lscpu | sed -n 's/^L2 cache: *//p'), L3 $(lscpu | sed -n 's/^L3 cache: *//p'); memory $(free -g | awk '/^Mem:/{print $2}') GiB"
  echo "- kernel: $(uname -r)"
  echo
  echo "## Versions"
  echo
  echo "- Java: \`$("$JDK/bin/java" -version 2>&1 | head -1)\` / \`$("$JDK/bin/java" -version 2>&1 | sed -n 2p)\`"
  echo "- jgrad: commit \`$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)\`$(cd "$ROOT" && git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)'), GEMM kernel \`$(grep -o '"gemmKernel":"[^"]*"' "$RES/info.txt" | cut -d'"' -f4)\`; JVM flags \`--add-modules jdk.incubator.vector -Djgrad.threads=N ${JGRAD_JVM_OPTS:-}\`"
  "$PY" - "$RES/info.txt" "$RES/coretype.txt" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    if r.get("impl") == "pytorch-default":
        ob = r["openblas"]
        print("- PyTorch: %s (Python %s, NumPy %s), BLAS: `%s`" % (r["torch"], r["python"], r["numpy"], ob.get("library")))
        if r.get("mkldnn"):
            print("- PyTorch's CPU convolutions (and so its CNN epochs) run on oneDNN (MKL-DNN %s: JIT-generated direct"
                  " convolution kernels), not on im2col + OpenBLAS" % (r.get("mkldnnVersion") or "version unknown"))
        env = [(k, v) for k, v in r["env"].items() if v is not None and k != "OPENBLAS_NUM_THREADS"]
        print("- OpenBLAS as set up: `%s`, core `%s`; environment %s" % (ob.get("config"), ob.get("corename"),
              ", ".join("%s=%s" % kv for kv in env) or "(no OpenBLAS or OpenMP variables)"))
    if r.get("impl") == "pytorch-best":
        ob = r["openblas"]
        ct = r["env"].get("OPENBLAS_CORETYPE")
        print("- OpenBLAS in the best configuration: core `%s` (%s, OPENBLAS_L2_SIZE unset; the fastest of the core"
              " types tried at the start of the run, 1 thread, GFLOP/s at 512^3 / 256x64@64x784: %s)"
              % (ob.get("corename"), "OPENBLAS_CORETYPE=%s" % ct if ct else "OPENBLAS_CORETYPE unset",
                 "; ".join(l.replace("coretype: ", "").strip() for l in open(sys.argv[2]) if l.startswith("coretype:"))
                 or "none measured"))
EOF
  cat <<EOF

## Method

- Same workloads on both sides, random data of the real shapes (float32). Thread counts: $THREADS.
  jgrad: \`-Djgrad.threads=N\`. PyTorch \`default\`: the machine's environment, \`torch.set_num_threads(N)\` and
  \`OPENBLAS_NUM_THREADS=N\`. PyTorch \`best\`: \`OPENBLAS_L2_SIZE\` unset, \`OPENBLAS_CORETYPE\` the fastest core type for this CPU (see above),
  \`torch.set_num_threads(N)\`, \`OPENBLAS_NUM_THREADS=1\` (N for the GEMM rows, where OpenBLAS's threads are the
  only ones), \`GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=17179869184\`.
- GEMM: \`C = A·B\`, both contiguous, result allocated per call (jgrad \`Tensor.matmul\`, PyTorch \`torch.mm\`);
  GFLOP/s = 2mnk / median time. Training shapes: MLP fc1 forward (64x784@784x256) and weight gradient
  (256x64@64x784), fc2 forward, autoencoder output layer, and the CNN's conv2 as one im2col GEMM.
  "GEMM into a reused C" rows: the same products into one output array allocated once (jgrad
  \`Gemm.sgemm\` on the float arrays, PyTorch \`torch.mm(a, b, out=c)\`): the kernels alone, without
  the allocation of the result (on the JVM a fresh array, zeroed in memory the last young collection
  left out of the caches; in PyTorch malloc's reused block).
- conv2d forward + backward (forward alone is in the JMH suite): stride 1, with bias, gradients of input,
  weight and bias from a fixed upstream gradient. Median milliseconds.
- Each group starts with 2 s of process warm-up on a small case. Each figure: warm-up of at least 10 calls and
  2 s (half the budget if longer; at most 10 s; on the JVM the count matters, as Vector API code runs hundreds of
  times slower until C2 compiles it, and at 2 threads the compiler has no idle core: with half a budget the first
  figures of each 2-thread process were still slow), then the median of repeats over the budget of $BUDGET s (at least 3, unless one call
  takes longer than three budgets). A first call longer than 10 s and five budgets is taken as the figure
  (marked †): such a kernel is far off any target, and repeating it would only make the run longer.
- Training: one epoch of 60,000 random MNIST-shaped samples (uniform [0, 1) pixels, random labels; not the real
  data set), batch 64 (937 full batches and one of 32), in order, no shuffling, Adam lr 1e-3, timed after a
  warm-up of at least 100 steps and $TRAIN_WARMUP s (at most 10 s; same rule on both sides; the raw JSON has the
  warm-up's steps and time). The seconds matter on the JVM: 100 steps of the MLP or autoencoder take about
  0.2 s, long before C2 has compiled the step's kernels, and the epoch timed after them included that
  compilation; at 2 threads C2 was still compiling and deoptimizing the CNN's methods 15 s into the process
  (\`-XX:+PrintCompilation\`), and its epoch measured 13.6-16.1 s after a 3 s warm-up against 12.0-12.4 s after
  10 s. A real training run pays this once, in its first epoch; the figure here is a later epoch's. Cells show samples/s and the epoch time. Epochs longer than $EPOCH_CAP s are stopped there and extrapolated (marked ‡).
  jgrad's models use \`nn\` (\`Sequential\`, \`Linear\`, \`Conv2d\`, …, \`CrossEntropyLoss\`, \`MSELoss\`) and \`optim.Adam\`,
  as PyTorch's use \`torch.nn\` and \`torch.optim.Adam\` (\`zero_grad(set_to_none=True)\` on both sides).
  MLP 784-256-128-10 ReLU + cross-entropy (235,146 parameters); Keras MNIST CNN conv 32 3x3, ReLU, max-pool 2,
  conv 64 3x3, ReLU, max-pool 2, flatten, dropout 0.5, dense 10 + cross-entropy (34,826 parameters); autoencoder
  784-128-32-128-784, ReLU between layers, sigmoid output, MSE against the input (209,968 parameters).
- Peak RSS: \`VmHWM\` of the process that ran that model's epoch (each model in a fresh JVM / Python process),
  including the 188 MB data set both sides hold; the JVM runs with the flags of \`JGRAD_JVM_OPTS\` (by default
  the README's recommended heap and collector flags; jgrad cells show the Java heap committed at the end in
  parentheses).
- Ratio column: jgrad against the faster (or smaller) of the two PyTorch figures, oriented so that > 1 means
  jgrad is better: throughput rows jgrad / PyTorch, time and memory rows PyTorch / jgrad. ✓/✗ against the
  targets of issue 16: GEMM ≥ 0.9 at 1 thread and ≥ 0.85 at 2, conv2d and training epochs ≥ 1.0, peak RSS
  ≤ 1.0× PyTorch's; the LSTM row has no target there and is shown against 1.0.
- Raw JSON lines: \`$(realpath --relative-to="$ROOT" "$RES")\` (not committed).

## Results

@@TABLE@@
EOF
} > "$META"

echo >&2
if [ "$OUT" = "-" ]; then
  "$PY" "$HERE/compare_pytorch.py" report --results "$RES"
else
  "$PY" "$HERE/compare_pytorch.py" report --results "$RES" --markdown "$OUT" --meta "$META"
fi
echo "total ${ELAPSED} s" >&2
