#!/usr/bin/env bash
# Installs the suite's npm dependencies and gives @tensorflow/tfjs-node a native
# binding. The package's own install downloads libtensorflow. Where that fails
# (no network), this script builds the binding with node-gyp against the C
# library and headers inside the tensorflow-cpu wheel from pip. The extracted
# files are cached under ${XDG_CACHE_HOME:-~/.cache}/mials, so a second setup
# does not extract them again. Where both routes fail, the suite still runs on
# the wasm or cpu backend. Last, it compiles the NMI kernel's native pass.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tf_version="2.21.0"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/mials"
tf_cache="$cache_root/libtensorflow-$tf_version"
tfjs_node="$repo_root/node_modules/@tensorflow/tfjs-node"
binding="$tfjs_node/lib/napi-v8/tfjs_binding.node"

log() { echo "setup: $*" >&2; }

install_npm_packages() {
  # `npm install` (not `npm ci`) keeps an already built binding in node_modules.
  # --ignore-scripts skips tfjs-node's download step, which try_package_install runs below.
  (cd "$repo_root" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
}

binding_loads() {
  [[ -f "$binding" ]] || return 1
  (cd "$repo_root" && node -e "require('@tensorflow/tfjs-node')" >/dev/null 2>&1)
}

try_package_install() {
  log "trying @tensorflow/tfjs-node's own install (downloads libtensorflow)"
  if ! (cd "$tfjs_node" && timeout 120 node scripts/install.js >"$cache_root/tfjs-node-install.log" 2>&1); then
    log "that install failed (it needs to download libtensorflow; output in $cache_root/tfjs-node-install.log)"
    return 1
  fi
  binding_loads
}

# Extracts the members of wheel $1 that the binding needs into folder $2, with
# Python's zipfile (python3 is needed for pip anyway). Fails when a library or the
# C API header is missing.
extract_from_wheel() {
  python3 - "$1" "$2" <<'PY'
import sys, zipfile
wheel, target = sys.argv[1], sys.argv[2]
prefixes = (
    "tensorflow/libtensorflow_cc.so.2",
    "tensorflow/libtensorflow_framework.so.2",
    "tensorflow/include/tensorflow/c/",
    "tensorflow/include/tensorflow/core/platform/ctstring",
    "tensorflow/include/xla/tsl/c/",
    "tensorflow/include/tsl/platform/ctstring",
)
with zipfile.ZipFile(wheel) as archive:
    names = [n for n in archive.namelist() if n.startswith(prefixes)]
    for required in (*prefixes[:2], "tensorflow/include/tensorflow/c/c_api.h"):
        if required not in names:
            sys.exit(f"{wheel} has no {required}")
    archive.extractall(target, names)
PY
}

extract_wheel_libraries() {
  if [[ -f "$tf_cache/lib/libtensorflow_cc.so.2" && -f "$tf_cache/include/tensorflow/c/c_api.h" ]]; then
    log "using cached TensorFlow $tf_version libraries in $tf_cache"
    return 0
  fi
  local work
  work="$(mktemp -d)"
  local pip_log="$cache_root/pip.log"
  log "downloading tensorflow-cpu==$tf_version with pip (about 275 MB; output in $pip_log)"
  if ! python3 -m pip download --quiet --retries 1 --timeout 20 --no-deps -d "$work" \
    "tensorflow-cpu==$tf_version" >"$pip_log" 2>&1; then
    python3 -m pip download --quiet --retries 1 --timeout 20 --no-deps --only-binary=:all: --python-version 3.11 \
      --platform manylinux_2_27_x86_64 -d "$work" "tensorflow-cpu==$tf_version" >>"$pip_log" 2>&1 || {
      log "pip could not download tensorflow-cpu==$tf_version; its output is in $pip_log"
      rm -rf "$work"
      return 1
    }
  fi
  local wheel
  wheel="$(ls "$work"/tensorflow_cpu-*.whl)"
  log "extracting the C library and headers from $(basename "$wheel")"
  extract_from_wheel "$wheel" "$work" || {
    log "could not extract the libraries from $(basename "$wheel")"
    rm -rf "$work"
    return 1
  }
  rm -rf "$tf_cache.partial"
  mkdir -p "$tf_cache.partial/lib"
  mv "$work/tensorflow/include" "$tf_cache.partial/include"
  mv "$work/tensorflow/libtensorflow_cc.so.2" "$work/tensorflow/libtensorflow_framework.so.2" "$tf_cache.partial/lib/"
  rm -rf "$work" "$tf_cache"
  mv "$tf_cache.partial" "$tf_cache"
}

build_binding_from_wheel() {
  # Called as an `elif` condition, where `set -e` does not stop at a failed step.
  extract_wheel_libraries || return 1
  local deps="$tfjs_node/deps"
  rm -rf "$deps"
  mkdir -p "$deps/lib"
  ln -s "$tf_cache/include" "$deps/include"
  ln -s "$tf_cache/lib/libtensorflow_cc.so.2" "$deps/lib/libtensorflow_cc.so.2"
  ln -s "$tf_cache/lib/libtensorflow_framework.so.2" "$deps/lib/libtensorflow_framework.so.2"
  # binding.gyp links -ltensorflow -ltensorflow_framework; libtensorflow_cc
  # exports the TF_* and TFE_* C API symbols that libtensorflow.so used to.
  ln -s libtensorflow_cc.so.2 "$deps/lib/libtensorflow.so"
  ln -s libtensorflow_cc.so.2 "$deps/lib/libtensorflow.so.2"
  ln -s libtensorflow_framework.so.2 "$deps/lib/libtensorflow_framework.so"
  log "building the tfjs-node binding with node-gyp"
  # npm passes its nodedir setting to node-gyp; called directly, node-gyp
  # would try to download Node's headers instead.
  local nodedir
  nodedir="$(npm config get nodedir 2>/dev/null || true)"
  local nodedir_flag=()
  if [[ -n "$nodedir" && "$nodedir" != "undefined" && "$nodedir" != "null" ]]; then
    nodedir_flag=("--nodedir=$nodedir")
  elif [[ -f /usr/include/node/node_api.h ]]; then
    nodedir_flag=("--nodedir=/usr")
  fi
  (cd "$tfjs_node" && "$repo_root/node_modules/.bin/node-gyp" rebuild "${nodedir_flag[@]}" \
    --module_name=tfjs_binding --module_path=lib/napi-v8 >"$cache_root/node-gyp.log" 2>&1) || {
    log "node-gyp failed; its output is in $cache_root/node-gyp.log"
    return 1
  }
  mkdir -p "$tfjs_node/lib/napi-v8"
  cp "$tfjs_node/build/Release/tfjs_binding.node" "$tfjs_node/lib/napi-v8/"
  binding_loads
}

# Compiles the NMI kernel's native pass (nmi/native/nmi_kernel.c) with the C
# compiler that node-gyp uses too. Without it the WebAssembly pass runs.
build_nmi_native() {
  local deno_bin
  deno_bin="$(command -v deno || echo "$repo_root/node_modules/.bin/deno")"
  if (cd "$repo_root" && "$deno_bin" task -q build-nmi-native >"$cache_root/nmi-native.log" 2>&1); then
    log "built the NMI kernel's native pass into $repo_root/nmi/native/build"
  else
    log "could not build the NMI kernel's native pass (output in $cache_root/nmi-native.log); NMI runs in WebAssembly"
  fi
}

main() {
  mkdir -p "$cache_root"
  install_npm_packages
  if binding_loads; then
    log "the tfjs-node binding is already built"
  elif try_package_install; then
    log "the tfjs-node binding came from the package's own install"
  elif build_binding_from_wheel; then
    log "built the tfjs-node binding against TensorFlow $tf_version from the pip wheel"
  else
    log "WARNING: no native TensorFlow backend; runs will use the wasm backend (slower)"
  fi

  build_nmi_native
  log "done"
}

main "$@"
