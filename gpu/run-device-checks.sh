#!/usr/bin/env bash
# The GPU checks of the CUDA backend, in two steps, so that the GPU machine (no Maven repository, no network,
# perhaps no JDK) only runs what was built here:
#
#   gpu/run-device-checks.sh prepare   on the build machine (no GPU needed, about 2 minutes): compiles core, nn,
#                                      optim, gpu (with tests) and benchmarks offline, and bundles classes, jars and
#                                      a jlinked JDK 25 runtime into gpu/target/device (< 64 MiB)
#   gpu/run-device-checks.sh run       on the GPU machine (< 8 minutes): runs the CUDA tests (conformance against the
#                                      reference backend, tensors/modules/optimizers on CUDA, kernels, probe) with a
#                                      missing GPU counted as a failure, then the GPU benchmark (jgrad CUDA and, where
#                                      PyTorch with CUDA is installed, PyTorch CUDA on the same shapes), and writes
#                                      everything under $OUT (the device tool's folder) or gpu/target/device-results:
#                                      summary.md (card, test summary, benchmark table), tests.txt, bench/*.jsonl,
#                                      nvidia-smi.txt, describe.txt
#
# With the device tool, after `prepare` here:
#   run(command="gpu/run-device-checks.sh run", carry=["gpu/target/device"], timeout_s=480)
# Options of run: --no-bench (tests only), --bench-only.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUNDLE="$ROOT/gpu/target/device"
JDK=${JGRAD_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}

prepare() {
  set -e
  cd "$ROOT"
  echo "compiling (offline) ..." >&2
  rm -rf "$BUNDLE"
  mkdir -p "$BUNDLE/lib" "$BUNDLE/classes"
  # one reactor run: the jgrad modules resolve to their target/classes; every module copies its third-party
  # jars (test scope: JUnit, JCuda with its linux-x86_64 natives, ...) into the one lib folder
  ./mvnw -B -ntp -o -q -pl gpu,benchmarks -am test-compile dependency:copy-dependencies -Dspotless.check.skip=true \
    -DincludeScope=test -DexcludeGroupIds=org.jgrad,org.openjdk.jmh,org.apache.commons,net.sf.jopt-simple,org.ejml \
    -DoutputDirectory="$BUNDLE/lib"
  for m in core nn optim gpu benchmarks; do cp -r "$m/target/classes" "$BUNDLE/classes/$m"; done
  cp -r gpu/target/test-classes "$BUNDLE/classes/gpu-test"
  # PTX built here, for a GPU machine with neither NVRTC 12 (libnvrtc.so.12) nor nvcc: the backend uses it
  # after NVRTC fails (-Djgrad.cuda.ptxDir). nvcc 13 emits PTX ISA 9.0, which needs a CUDA 13 driver.
  local nvcc; nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
  if [ -x "$nvcc" ]; then
    local k=gpu/src/main/resources/org/jgrad/gpu/kernels
    mkdir -p "$BUNDLE/ptx"
    "$nvcc" -ptx -arch=compute_90 -I "$k" -odir "$BUNDLE/ptx" \
      $k/copy.cu $k/unary.cu $k/binary.cu $k/reduce.cu $k/index.cu $k/gemm.cu $k/conv.cu $k/pool.cu $k/loss.cu \
      $k/batchnorm.cu $k/optim.cu
  else
    echo "no nvcc: no prebuilt PTX in the bundle (the GPU machine then needs NVRTC 12 or nvcc)" >&2
  fi
  if [ "${JGRAD_BUNDLE_JRE:-1}" = 1 ]; then
    echo "jlinking a JDK 25 runtime ..." >&2
    "$JDK/bin/jlink" --add-modules java.base,java.logging,java.management,jdk.unsupported,jdk.incubator.vector \
      --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output "$BUNDLE/jre"
  fi
  git rev-parse --short HEAD > "$BUNDLE/commit.txt" 2>/dev/null || echo unknown > "$BUNDLE/commit.txt"
  git diff --quiet HEAD 2>/dev/null || echo "(with uncommitted changes)" >> "$BUNDLE/commit.txt"
  du -sh "$BUNDLE" >&2
  echo "now: run(command=\"gpu/run-device-checks.sh run\", carry=[\"gpu/target/device\"], timeout_s=480)" >&2
}

run() {
  local tests=1 bench=1
  for a in "$@"; do
    case "$a" in
      --no-bench) bench=0 ;;
      --bench-only) tests=0 ;;
      *) echo "run: unknown option $a" >&2; exit 2 ;;
    esac
  done
  [ -d "$BUNDLE/classes" ] || { echo "no bundle at $BUNDLE: run 'gpu/run-device-checks.sh prepare' first" >&2; exit 2; }
  local java="$BUNDLE/jre/bin/java"
  [ -x "$java" ] || java=$(command -v java || true)
  [ -n "$java" ] || { echo "no java: bundle a runtime (JGRAD_BUNDLE_JRE=1 prepare)" >&2; exit 2; }
  local out="${OUT:-$ROOT/gpu/target/device-results}"
  mkdir -p "$out/bench"
  local cp="$BUNDLE/classes/gpu-test:$BUNDLE/classes/gpu:$BUNDLE/classes/core:$BUNDLE/classes/nn"
  cp="$cp:$BUNDLE/classes/optim:$BUNDLE/classes/benchmarks:$BUNDLE/lib/*"
  local jflags="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m -Xmx16g"
  [ -d "$BUNDLE/ptx" ] && jflags="$jflags -Djgrad.cuda.ptxDir=$BUNDLE/ptx"
  local t0; t0=$(date +%s)
  local summary="$out/summary.md"
  {
    echo "# jgrad CUDA device checks"
    echo
    echo "- commit: $(cat "$BUNDLE/commit.txt" | tr '\n' ' ')"
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- card: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo 'nvidia-smi not available')"
    echo "- java: $("$java" -version 2>&1 | head -1)"
    echo "- nvcc: $(command -v nvcc || ls /usr/local/cuda/bin/nvcc 2>/dev/null || echo none)"
  } > "$summary"
  nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || true

  if [ "$tests" = 1 ]; then
    echo "running the CUDA tests ..." >&2
    # shellcheck disable=SC2086
    timeout 240 "$java" $jflags -cp "$cp" org.jgrad.gpu.DeviceChecks > "$out/tests.txt" 2>&1
    local rc=$?
    { echo; echo "## Tests (exit $rc; 124 = timed out)"; echo; echo '```'
      grep -E '^(FAILED|ABORTED|SKIPPED)' "$out/tests.txt" | head -40
      sed -n '/Test run finished/,/tests failed/p' "$out/tests.txt"
      echo '```'; } >> "$summary"
    # what the backend runs with (GEMM path, kernel compiler, memory)
    # shellcheck disable=SC2086
    timeout 30 "$java" $jflags -cp "$cp" org.jgrad.benchmarks.Compare --device cuda info > "$out/describe.txt" 2>&1 || true
  fi

  if [ "$bench" = 1 ]; then
    echo "running the GPU benchmark ..." >&2
    local groups=("gemm" "conv" "train mlp" "train cnn")
    local py=""
    for cand in python3 /usr/bin/python3; do
      if command -v "$cand" >/dev/null && "$cand" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
        py=$cand; break
      fi
    done
    for g in "${groups[@]}"; do
      # stay inside the device tool's 8-minute call: skip what would not fit
      if [ $(( $(date +%s) - t0 )) -gt 400 ]; then echo "skipped $g: time" >> "$out/bench/errors.txt"; continue; fi
      # shellcheck disable=SC2086
      timeout 60 "$java" $jflags -cp "$cp" org.jgrad.benchmarks.Compare --device cuda --budget 0.5 --epoch-cap 8 $g \
        >> "$out/bench/jgrad-cuda.jsonl" 2>> "$out/bench/jgrad-cuda.log" || echo "jgrad $g: exit $?" >> "$out/bench/errors.txt"
      if [ -n "$py" ]; then
        # shellcheck disable=SC2086
        timeout 60 "$py" "$ROOT/benchmarks/compare_pytorch.py" bench --config default --threads 1 --device cuda \
          --budget 0.5 --epoch-cap 8 $g >> "$out/bench/pytorch-cuda.jsonl" 2>> "$out/bench/pytorch-cuda.log" \
          || echo "pytorch $g: exit $?" >> "$out/bench/errors.txt"
      fi
    done
    { echo; echo "## Benchmark (jgrad CUDA vs PyTorch CUDA, same shapes, budget 0.5 s per figure, epochs capped at 8 s)"; echo
      [ -n "$py" ] || echo "PyTorch with CUDA not found on this machine: jgrad figures only."
      echo
      local rpy=${py:-python3}
      "$rpy" "$ROOT/benchmarks/compare_pytorch.py" gpu-report --results "$out/bench" 2>&1 || echo "(no report: see bench/)"
      [ -f "$out/bench/errors.txt" ] && { echo; echo "Errors:"; echo '```'; cat "$out/bench/errors.txt"; echo '```'; }
    } >> "$summary"
  fi
  echo >> "$summary"
  echo "Total: $(( $(date +%s) - t0 )) s." >> "$summary"
  cat "$summary"
}

case "${1:-}" in
  prepare) shift; prepare "$@" ;;
  run) shift; run "$@" ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
