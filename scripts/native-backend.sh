#!/usr/bin/env bash
# Makes the native TensorFlow backend (@tensorflow/tfjs-node) load when its own install could not.
#
# tfjs-node's install script downloads libtensorflow 2.9.1 and a prebuilt binding from
# storage.googleapis.com. Where that host is unreachable (npm registry and PyPI only), npm drops
# the package and the project falls back to wasm. This script instead takes TensorFlow's C
# libraries from the pinned tensorflow-cpu wheel on PyPI (libtensorflow_cc.so.2 exports the C and
# eager C APIs the binding calls), places them where tfjs-node's binding.gyp looks (deps/include,
# deps/lib) and compiles the binding against Node's local headers.
#
# Every step is skipped when already done: if tfjs-node loads (a normal install, or an earlier run
# of this script) nothing is touched. Any failure leaves the project on wasm, with a message that
# says why; it never fails the bootstrap. FMNIST_NATIVE_BUILD=0 skips it entirely.
#   usage: scripts/native-backend.sh          (called by bootstrap.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FMNIST_ROOT"

# The pinned wheel: one file whatever the local Python version, checked by pip against its hash.
TF_VERSION=2.21.0
TF_WHEEL=tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl
TF_WHEEL_SHA256=2b847d217b02ee7731ed91431daf3250daa0196c3c94614d23be27232e6e5b6c

pkg=node_modules/@tensorflow/tfjs-node
cache="$FMNIST_ROOT/.cache/native/tensorflow-cpu-$TF_VERSION"

step() { printf '\033[1m[native]\033[0m %s\n' "$*"; }
# Not an error: the project runs on wasm without the native backend.
unavailable() {
  printf '\033[33m[native]\033[0m native backend not built: %s\n' "$1"
  printf '\033[33m[native]\033[0m the project uses the wasm backend (slower); fix the above and rerun, or set FMNIST_NATIVE_BUILD=0 to stop trying.\n'
  exit 0
}
loads() { TF_CPP_MIN_LOG_LEVEL=3 node -e "require('@tensorflow/tfjs-node')" >/dev/null 2>&1; }
# Built with scripts/patch-tfjs-binding.js (list attributes, for TensorFlow's fused ops): a binding
# built before the patch existed is rebuilt once, from the libraries already extracted.
stamp="$pkg/lib/.fmnist-list-attrs-v1"
patched() { [ -f "$stamp" ]; }

[ "${FMNIST_NATIVE_BUILD:-1}" != 0 ] || exit 0
[ -f "$pkg/package.json" ] && loads && patched && exit 0

[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || unavailable "the tensorflow-cpu wheel used here is for Linux x86_64 only (this is $(uname -s)-$(uname -m))"

# One provisioning at a time (e.g. `npm test` and `npm run main` started together).
mkdir -p "$(dirname "$cache")"
if command -v flock >/dev/null; then
  exec 9>"$(dirname "$cache")/.lock"
  flock 9
  [ -f "$pkg/package.json" ] && loads && patched && exit 0
fi

# 1. The package itself: npm removes an optional dependency whose install script failed.
#    Restore it exactly as locked, without its (downloading) install script.
version=$(node -p "require('./package-lock.json').packages['node_modules/@tensorflow/tfjs-node'].version")
if [ ! -f "$pkg/package.json" ]; then
  step "restoring @tensorflow/tfjs-node@$version (npm dropped it when its download failed)"
  npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error "@tensorflow/tfjs-node@$version" \
    || unavailable "could not install @tensorflow/tfjs-node@$version from the npm registry"
fi

# 2. What the build needs: a C++ toolchain, Python (node-gyp) and Node's headers.
for tool in c++ make; do
  command -v "$tool" >/dev/null || unavailable "no '$tool' found (Debian/Ubuntu: apt-get install g++ make)"
done
[ -x "$FMNIST_VENV/bin/python" ] || unavailable "the project venv ($FMNIST_VENV) is missing; bootstrap creates it first"
node_prefix=$(node -p "require('path').resolve(process.execPath, '..', '..')")
[ -f "$node_prefix/include/node/node_api.h" ] \
  || unavailable "Node's C headers are not in $node_prefix/include/node (Debian/Ubuntu: apt-get install libnode-dev; nodejs.org builds include them)"

# 3. TensorFlow's C libraries, from the wheel, kept in .cache/native (outside node_modules, so a
#    later `npm ci` only needs the ~1 min compile). The wheel itself is deleted after extraction.
if [ ! -f "$cache/.complete" ]; then
  rm -rf "$cache" "$cache.partial"
  mkdir -p "$cache.partial/wheel"
  step "downloading tensorflow-cpu==$TF_VERSION from PyPI (274 MB, once) for its C libraries"
  printf 'tensorflow-cpu==%s --hash=sha256:%s\n' "$TF_VERSION" "$TF_WHEEL_SHA256" > "$cache.partial/requirements.txt"
  "$FMNIST_VENV/bin/python" -m pip download --quiet --no-cache-dir --no-deps --only-binary=:all: \
    --platform manylinux_2_27_x86_64 --python-version 3.11 --implementation cp --abi cp311 \
    --require-hashes -r "$cache.partial/requirements.txt" -d "$cache.partial/wheel" \
    || unavailable "could not download $TF_WHEEL from PyPI"
  "$FMNIST_VENV/bin/python" scripts/extract-libtensorflow.py "$cache.partial/wheel/$TF_WHEEL" "$cache.partial" \
    || unavailable "could not extract the libraries from $TF_WHEEL"
  rm -rf "$cache.partial/wheel" "$cache.partial/requirements.txt"
  # Debug symbols are a quarter of the size (815 MB -> 606 MB) and never used here.
  if command -v strip >/dev/null; then
    step "stripping debug symbols from the libraries"
    strip --strip-unneeded "$cache.partial"/lib/*.so.2
  fi
  touch "$cache.partial/.complete"
  mv "$cache.partial" "$cache"
fi

# 4. Place them where binding.gyp looks: deps/include and deps/lib, with the link names it uses
#    (-ltensorflow, -ltensorflow_framework). libtensorflow.so.2.9.1 is the file tfjs-node's install
#    script checks before downloading, so a later `npm rebuild` builds instead of downloading.
#    Hard links cost no extra disk; a copy where the cache is on another file system.
step "building tfjs-node's binding against TensorFlow $TF_VERSION (about a minute)"
list_attrs=1
node scripts/patch-tfjs-binding.js "$pkg" || list_attrs=0
rm -rf "$pkg/deps" "$pkg/build" "$pkg/lib"
mkdir -p "$pkg/deps/lib"
cp -R "$cache/include" "$pkg/deps/include"
for lib in libtensorflow_cc.so.2 libtensorflow_framework.so.2; do
  ln "$cache/lib/$lib" "$pkg/deps/lib/$lib" 2>/dev/null || cp "$cache/lib/$lib" "$pkg/deps/lib/$lib"
done
ln -s libtensorflow_cc.so.2 "$pkg/deps/lib/libtensorflow.so"
ln -s libtensorflow_cc.so.2 "$pkg/deps/lib/libtensorflow.so.2.9.1"
ln -s libtensorflow_framework.so.2 "$pkg/deps/lib/libtensorflow_framework.so"

# 5. Compile with node-pre-gyp's source build (the binding's own build files, unchanged) and the
#    node-gyp bundled with npm, against the local Node headers (nodedir: no header download).
node_gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
[ -f "$node_gyp" ] && export npm_config_node_gyp="$node_gyp"
log="$(dirname "$cache")/build.log"
if ! (cd "$pkg" && PYTHON="$FMNIST_VENV/bin/python" nice node ../../@mapbox/node-pre-gyp/bin/node-pre-gyp install \
  --build-from-source --nodedir="$node_prefix") >"$log" 2>&1; then
  tail -n 20 "$log"
  unavailable "compiling the binding failed (full log: $log)"
fi
loads || unavailable "the binding was built but does not load: $(TF_CPP_MIN_LOG_LEVEL=3 node -e "require('@tensorflow/tfjs-node')" 2>&1 | grep -m1 -i error)"
# Without the patch the native training step runs its ops unfused (slower, still correct); the stamp
# is written either way, so an unpatchable tfjs-node is not rebuilt on every run.
[ "$list_attrs" = 1 ] || printf '\033[33m[native]\033[0m the binding takes no list attributes: the fused ops of TensorFlow stay off\n'
touch "$stamp"
step "native backend ready: tfjs-node $version on TensorFlow $TF_VERSION"
