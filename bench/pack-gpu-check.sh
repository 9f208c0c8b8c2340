#!/usr/bin/env bash
# Builds the folder that bench/gpu-check.sh needs on a machine without network,
# Node.js or Deno: the Deno binary, the npm packages that the GPU checks load,
# the repository's source files, and Debian's Vulkan loader. Run it from a
# checkout where `npm install` has run, on x86-64 Linux.
#
#   bash bench/pack-gpu-check.sh OUT_DIR
#
# OUT_DIR must not exist yet. The folder stays under 60 MB (about 33 MB with
# Deno 2.9.6 and tfjs 4.22), so it fits a 64 MiB transfer.
set -euo pipefail

readonly MAX_PACK_BYTES=$((60 * 1000 * 1000))
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { echo "pack-gpu-check: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

if [[ $# -ne 1 || "$1" == -* ]]; then
  echo "Usage: bash bench/pack-gpu-check.sh OUT_DIR" >&2
  exit 2
fi
out_dir="$1"
[[ -e "$out_dir" ]] && die "$out_dir exists already; pass a new folder"

[[ "$(uname -m)" == "x86_64" ]] || die "the folder contains x86-64 binaries; run this on x86-64 Linux, not $(uname -m)"
for tool in node tar xz sha256sum git; do
  command -v "$tool" >/dev/null || die "$tool is missing; install it first"
done

deno_binary="$repo_root/node_modules/@deno/linux-x64-glibc/deno"
[[ -x "$deno_binary" ]] || die "no Deno binary at $deno_binary; run \`npm install\` in $repo_root"
for package in @tensorflow/tfjs @tensorflow/tfjs-backend-webgpu; do
  [[ -f "$repo_root/node_modules/$package/package.json" ]] ||
    die "$package is not in node_modules; run \`npm install\` in $repo_root"
done

mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

log "compressing the Deno binary ($(du -h "$deno_binary" | cut -f1))"
xz -6 -T1 -c "$deno_binary" >"$out_dir/deno.xz"

# Lists the package folders that @tensorflow/tfjs and the WebGPU backend need,
# following dependencies and optionalDependencies with Node.js's resolution.
node - "$repo_root" @tensorflow/tfjs @tensorflow/tfjs-backend-webgpu >"$work/packages" <<'EOF'
const fs = require("fs");
const path = require("path");
const [root, ...seeds] = process.argv.slice(2);

function resolve(fromDir, name) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === root || path.dirname(dir) === dir) return null;
  }
}

const found = new Set();
const queue = seeds.map((name) => resolve(root, name));
while (queue.length > 0) {
  const dir = queue.shift();
  if (found.has(dir)) continue;
  found.add(dir);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const optional = manifest.optionalDependencies ?? {};
  for (const name of Object.keys({ ...manifest.dependencies, ...optional })) {
    const resolved = resolve(dir, name);
    if (resolved !== null) queue.push(resolved);
    else if (!(name in optional)) throw new Error(`${name}, needed by ${dir}, is not installed`);
  }
}
for (const dir of [...found].sort()) console.log(path.relative(root, dir));
EOF

# Keeps what Deno loads: the tfjs packages' CommonJS bundles (dist/*.node.js,
# their package.json "main"), and other packages without source maps, type
# declarations and docs. Type-only packages are left out, because `deno run`
# does not type-check.
while read -r package; do
  case "$package" in
    node_modules/@types/* | */node_modules/@types/* | node_modules/@webgpu/types | node_modules/undici-types) ;;
    node_modules/@tensorflow/*)
      echo "$package/package.json"
      (cd "$repo_root" && ls "$package"/dist/*.node.js)
      ;;
    *)
      (cd "$repo_root" && find "$package" -type f ! -name '*.map' ! -name '*.d.ts' ! -name '*.md' \
        -not -path "$package/node_modules/*")
      ;;
  esac
done <"$work/packages" | sort -u >"$work/module-files"
log "packing $(wc -l <"$work/module-files") files of $(wc -l <"$work/packages") npm packages"
tar -C "$repo_root" -cf - -T "$work/module-files" | xz -6 -T1 >"$out_dir/node_modules.tar.xz"

# Tracked and new files of the checkout, so uncommitted changes are checked too.
# data/ contains datasets that the GPU checks do not read.
(cd "$repo_root" && git ls-files --cached --others --exclude-standard | grep -v '^data/' |
  while read -r file; do [[ -f "$file" ]] && echo "$file"; done) >"$work/source-files"
log "packing $(wc -l <"$work/source-files") source files"
tar -C "$repo_root" -cf - -T "$work/source-files" | xz -6 -T1 >"$out_dir/source.tar.xz"
cp "$repo_root/bench/gpu-check.sh" "$out_dir/gpu-check.sh"

# Deno's WebGPU needs libvulkan.so.1, which a CUDA image may lack.
mkdir -p "$out_dir/debs"
if ! (cd "$out_dir/debs" && apt-get download libvulkan1 >/dev/null 2>"$work/apt.log"); then
  log "warning: apt-get download libvulkan1 failed ($(tail -1 "$work/apt.log")); the target needs its own libvulkan.so.1"
fi

commit="$(cd "$repo_root" && git rev-parse HEAD)"
[[ -z "$(cd "$repo_root" && git status --porcelain)" ]] || commit="$commit with uncommitted changes"
{
  echo "made: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $commit"
  echo "deno: $("$deno_binary" --version | head -1)"
  echo "tfjs: $(node -p "require('$repo_root/node_modules/@tensorflow/tfjs/package.json').version")"
  echo "tfjs-backend-webgpu: $(node -p "require('$repo_root/node_modules/@tensorflow/tfjs-backend-webgpu/package.json').version")"
  echo "libvulkan1: $(cd "$out_dir/debs" && ls -- *.deb 2>/dev/null || echo none)"
} >"$out_dir/MANIFEST.txt"
(cd "$out_dir" && find . -type f | sort | xargs sha256sum) >"$work/SHA256SUMS"
mv "$work/SHA256SUMS" "$out_dir/SHA256SUMS"

size="$(du -sb "$out_dir" | cut -f1)"
((size <= MAX_PACK_BYTES)) || die "$out_dir is $size bytes, above the $MAX_PACK_BYTES limit"
log "wrote $out_dir ($((size / 1000000)) MB):"
cat "$out_dir/MANIFEST.txt" >&2
