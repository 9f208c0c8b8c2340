#!/usr/bin/env bash
# Checks and times the suite's GPU backends on a machine with an NVIDIA GPU but
# without network, Node.js, Deno or TensorFlow. Everything it runs comes from a
# folder that bench/pack-gpu-check.sh builds on another machine.
#
#   bash gpu-check.sh PACK_DIR [options]
#
# For each GPU backend (webgpu, tensorflow-gpu) it
#   1. compares one small ResNet-18 training step with the cpu backend
#      (engine/gpu_step_check.ts, CIFAR stem at 16 px and ImageNet stem at 32 px),
#      and the distortion and NMI stages with the CPU kernels (engine/gpu_stage_check.ts);
#   2. times training steps at each image side (bench/gpu_steps.ts).
# Then it times bench/torch_reference.py where python3 can import torch.
#
# Options:
#   --out DIR         results folder (default: ./gpu-check-results)
#   --sides LIST      image sides in pixels, comma-separated (default: 32,224)
#   --width X         ResNet-18 channel multiplier (default: 1)
#   --batch-size N    images per step (default: 64)
#   --steps N         timed steps per side (default: 10)
#   --warmup N        untimed steps before them (default: 2)
#   --timeout S       limit in seconds of each command (default: 240)
#   --allow-cpu       run without an NVIDIA GPU and accept a CPU renderer as
#                     WebGPU adapter, for trying this script out
#   --keep-work       keep the unpacked files
#
# Exit status: 0 when a GPU backend matched the cpu step and was timed, 1 when
# a check or measurement failed, 2 when the machine or the folder lacks
# something, 3 when no GPU backend could start.
#
# NOTE: this script has not run on an NVIDIA machine yet. The tensorflow-gpu
# backend needs CUDA 11.2 and cuDNN 8.1 and libtensorflow 2.9.1 with GPU
# support, which the folder does not hold (far above its 60 MB). Without them
# the script records why that backend is unavailable.
set -euo pipefail

readonly EXIT_FAILED=1
readonly EXIT_MISSING=2
readonly EXIT_NO_GPU_BACKEND=3
readonly GPU_BACKENDS=(webgpu tensorflow-gpu)

log() { echo "gpu-check: $*" >&2; }
die() {
  log "error: $*"
  exit "$EXIT_MISSING"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit "$EXIT_MISSING"
}

# Options ------------------------------------------------------------------
pack_dir=""
out_dir="./gpu-check-results"
sides="32,224"
width="1"
batch_size="64"
steps="10"
warmup="2"
timeout_s="240"
allow_cpu=false
keep_work=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out_dir="${2:?--out needs a folder}"; shift 2 ;;
    --sides) sides="${2:?--sides needs a list}"; shift 2 ;;
    --width) width="${2:?--width needs a number}"; shift 2 ;;
    --batch-size) batch_size="${2:?--batch-size needs a number}"; shift 2 ;;
    --steps) steps="${2:?--steps needs a number}"; shift 2 ;;
    --warmup) warmup="${2:?--warmup needs a number}"; shift 2 ;;
    --timeout) timeout_s="${2:?--timeout needs seconds}"; shift 2 ;;
    --allow-cpu) allow_cpu=true; shift ;;
    --keep-work) keep_work=true; shift ;;
    -h | --help) usage ;;
    -*) log "unknown option $1"; usage ;;
    *)
      [[ -z "$pack_dir" ]] || { log "unexpected argument $1"; usage; }
      pack_dir="$1"; shift
      ;;
  esac
done
[[ -n "$pack_dir" ]] || { log "missing PACK_DIR"; usage; }
[[ "$sides" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "invalid --sides \"$sides\": expected sides in pixels such as 32,224"
[[ "$timeout_s" =~ ^[1-9][0-9]*$ ]] || die "invalid --timeout \"$timeout_s\": expected whole seconds"

# The machine and the folder -----------------------------------------------
[[ "$(uname -s)" == "Linux" && "$(uname -m)" == "x86_64" ]] ||
  die "the folder contains x86-64 Linux binaries, but this is $(uname -s) $(uname -m)"
[[ -d "$pack_dir" ]] || die "$pack_dir is not a folder; build it with bench/pack-gpu-check.sh"
pack_dir="$(cd "$pack_dir" && pwd)"
for file in deno.xz node_modules.tar.xz source.tar.xz SHA256SUMS; do
  [[ -f "$pack_dir/$file" ]] || die "$pack_dir/$file is missing; rebuild the folder with bench/pack-gpu-check.sh"
done
for tool in tar sha256sum mktemp; do
  command -v "$tool" >/dev/null || die "$tool is missing (coreutils, tar)"
done
if command -v xz >/dev/null; then
  decompress() { xz -dc "$1"; }
elif command -v python3 >/dev/null && python3 -c 'import lzma' 2>/dev/null; then
  decompress() { python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"; }
else
  die "neither xz nor python3 with lzma is installed, so the .xz files cannot be unpacked"
fi
if command -v timeout >/dev/null; then
  limited() { timeout "$timeout_s" "$@"; }
else
  log "warning: no timeout command; commands run without the --timeout limit"
  limited() { "$@"; }
fi

log "verifying the files of $pack_dir"
(cd "$pack_dir" && sha256sum --check --quiet SHA256SUMS) ||
  die "files in $pack_dir do not match SHA256SUMS; copy the folder again"

gpu_lines=""
if command -v nvidia-smi >/dev/null; then gpu_lines="$(nvidia-smi -L 2>/dev/null | grep '^GPU [0-9]' || true)"; fi
device_files="$(find /dev -maxdepth 1 -name 'nvidia[0-9]*' 2>/dev/null | sort | tr '\n' ' ')"
if [[ -n "$gpu_lines" ]]; then
  log "NVIDIA GPU: $gpu_lines"
elif [[ -n "$device_files" ]]; then
  log "NVIDIA device files: $device_files(nvidia-smi lists no GPU)"
elif [[ "$allow_cpu" == true ]]; then
  log "warning: no NVIDIA GPU visible; running anyway (--allow-cpu)"
else
  die "no NVIDIA GPU visible (nvidia-smi -L lists none and /dev has no nvidia0); pass --allow-cpu to run the checks anyway"
fi

# Unpack -------------------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")"
if [[ "$keep_work" == true ]]; then
  log "unpacking into $work (kept)"
else
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/bin" "$work/src"
decompress "$pack_dir/deno.xz" >"$work/bin/deno"
chmod +x "$work/bin/deno"
deno="$work/bin/deno"
deno_version="$("$deno" --version 2>&1 | head -1)" || die "the packed Deno does not run here: $deno_version"
decompress "$pack_dir/source.tar.xz" | tar -x -C "$work/src"
decompress "$pack_dir/node_modules.tar.xz" | tar -x -C "$work/src"
log "$deno_version; source $(grep '^commit:' "$pack_dir/MANIFEST.txt" 2>/dev/null || echo 'of unknown commit')"

# Deno's WebGPU loads libvulkan.so.1 and finds the GPU through a Vulkan ICD file.
# Command output is kept in variables: with pipefail, `cmd | grep -q` can fail
# when grep exits early and cmd gets SIGPIPE.
ldconfig_program="$(command -v ldconfig || echo /sbin/ldconfig)"
loader_cache="$("$ldconfig_program" -p 2>/dev/null || true)"
system_vulkan="$(grep -m1 'libvulkan\.so\.1 ' <<<"$loader_cache" || true)"
if [[ -n "$system_vulkan" ]]; then
  log "Vulkan loader: ${system_vulkan##*=> }"
else
  deb="$(find "$pack_dir/debs" -name 'libvulkan1_*.deb' 2>/dev/null | head -1)"
  if [[ -z "$deb" ]]; then
    log "warning: no libvulkan.so.1 here and none in $pack_dir/debs; webgpu will find no adapter"
  elif command -v dpkg-deb >/dev/null; then
    dpkg-deb -x "$deb" "$work/vulkan"
  elif command -v ar >/dev/null; then
    mkdir -p "$work/vulkan"
    ar p "$deb" data.tar.xz | xz -dc | tar -x -C "$work/vulkan"
  else
    log "warning: neither dpkg-deb nor ar can unpack $deb; webgpu will find no adapter"
  fi
  if [[ -d "$work/vulkan/usr/lib/x86_64-linux-gnu" ]]; then
    export LD_LIBRARY_PATH="$work/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    log "Vulkan loader: $(basename "$deb") from the folder"
  fi
fi
system_icds="$(find /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d \
  -name '*nvidia*.json' 2>/dev/null || true)"
if [[ -z "$system_icds" ]]; then
  # Some containers mount the driver under /usr/local/nvidia, where the loader does not look.
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/etc/vulkan/icd.d/nvidia_icd.json; do
    if [[ -f "$icd" ]]; then
      export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"
      log "Vulkan ICD: $icd"
      break
    fi
  done
fi
if [[ -z "${XDG_RUNTIME_DIR:-}" ]]; then
  # libwayland, loaded by some Vulkan drivers, prints an error line without it.
  export XDG_RUNTIME_DIR="$work/xdg"
  mkdir -m 700 "$XDG_RUNTIME_DIR"
fi
export DENO_DIR="$work/deno-dir" DENO_NO_UPDATE_CHECK=1 DENO_NO_PROMPT=1 NO_COLOR=1 TF_CPP_MIN_LOG_LEVEL=2

mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -srm)"
  echo "gpu: ${gpu_lines:-none listed}"
  echo "device files: ${device_files:-none}"
  if command -v nvidia-smi >/dev/null; then
    echo "driver: $(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1)"
  fi
  echo "deno: $deno_version"
  echo "settings: sides $sides, width $width, batch $batch_size, steps $steps, warmup $warmup"
  sed 's/^/pack /' "$pack_dir/MANIFEST.txt" 2>/dev/null || true
} >"$out_dir/environment.txt"

# Runs a command in the unpacked source with the time limit. Its stdout goes
# to $out_dir/NAME.out and its stderr to $out_dir/NAME.err. Returns its status.
run_step() {
  local name="$1"
  shift
  local status=0
  (cd "$work/src" && limited "$@" >"$out_dir/$name.out" 2>"$out_dir/$name.err") || status=$?
  return "$status"
}

last_error_line() { grep -v '^[[:space:]]*$' "$out_dir/$1.err" | tail -1 || true; }

# GPU backends -------------------------------------------------------------
any_backend_ok=false
any_failure=false
summary=()
for backend in "${GPU_BACKENDS[@]}"; do
  check_status=0
  run_step "$backend-check-cifar16" "$deno" run --allow-all engine/gpu_step_check.ts --backend "$backend" ||
    check_status=$?
  if [[ "$check_status" -eq 2 ]]; then
    summary+=("$backend: unavailable: $(last_error_line "$backend-check-cifar16")")
    continue
  fi
  if [[ "$check_status" -eq 0 ]]; then
    run_step "$backend-check-imagenet32" "$deno" run --allow-all engine/gpu_step_check.ts \
      --backend "$backend" --side 32 --stem imagenet || check_status=$?
  fi
  if [[ "$check_status" -eq 0 ]]; then
    run_step "$backend-check-stages" "$deno" run --allow-all engine/gpu_stage_check.ts \
      --backend "$backend" || check_status=$?
  fi
  case "$check_status" in
    0) check_result="matches cpu" ;;
    124) check_result="step check timed out after ${timeout_s}s" ;;
    *) check_result="differs from cpu (see $backend-check-*.err)" ;;
  esac

  steps_args=(--backend "$backend" --sides "$sides" --width "$width" --batch-size "$batch_size")
  steps_args+=(--steps "$steps" --warmup "$warmup")
  if [[ "$allow_cpu" != true ]]; then steps_args+=(--require-gpu); fi
  steps_status=0
  run_step "$backend-steps" "$deno" run --allow-all bench/gpu_steps.ts "${steps_args[@]}" || steps_status=$?
  case "$steps_status" in
    0) steps_result="timed" ;;
    3) steps_result="not timed: $(last_error_line "$backend-steps")" ;;
    124) steps_result="timing stopped after ${timeout_s}s" ;;
    *) steps_result="timing failed (exit $steps_status, see $backend-steps.out)" ;;
  esac
  summary+=("$backend: $check_result; $steps_result")

  # Status 3 of gpu_steps.ts (a CPU renderer under --require-gpu) means no GPU, not a failure.
  if [[ "$check_status" -ne 0 ]] || [[ "$steps_status" -ne 0 && "$steps_status" -ne 3 ]]; then
    any_failure=true
  elif [[ "$steps_status" -eq 0 ]]; then
    any_backend_ok=true
  fi
done

# PyTorch reference --------------------------------------------------------
# bench/torch_reference.py builds the CIFAR stem only and runs on the CPU, so
# it is comparable at sides up to 64 px, and as a CPU figure only.
if command -v python3 >/dev/null && python3 -c 'import torch' 2>/dev/null; then
  for side in ${sides//,/ }; do
    if ((side > 64)); then
      summary+=("torch at $side px: skipped, bench/torch_reference.py has no ImageNet stem (7x7 stride-2 conv, max-pool)")
      continue
    fi
    if run_step "torch-$side" python3 bench/torch_reference.py --width "$width" --batch-size "$batch_size" \
      --side "$side" --steps "$steps" --warmup "$warmup"; then
      summary+=("torch at $side px (CPU): $(tail -1 "$out_dir/torch-$side.out")")
    else
      summary+=("torch at $side px: failed: $(last_error_line "torch-$side")")
      any_failure=true
    fi
  done
else
  summary+=("torch: skipped, python3 cannot import torch")
fi

# Summary ------------------------------------------------------------------
{
  printf '%s\n' "${summary[@]}"
  for file in "$out_dir"/*-steps.out; do
    if [[ -s "$file" ]]; then cat "$file"; fi
  done
} | tee "$out_dir/summary.txt"
log "results in $out_dir"
if [[ "$any_failure" == true ]]; then exit "$EXIT_FAILED"; fi
if [[ "$any_backend_ok" == true ]]; then exit 0; fi
exit "$EXIT_NO_GPU_BACKEND"
