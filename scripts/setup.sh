#!/usr/bin/env bash
# Installs every dependency of modelexport on a Debian 12 machine and builds it.
#   scripts/setup.sh            install (idempotent) + configure + build into ./build
#   SKIP_APT=1 scripts/setup.sh skip apt (for a machine where the packages are already present)
#   BUILD_DIR=DIR CMAKE_ARGS=... another build tree with other options (.ci/run: the sanitizer build)
# It ends by running the main job once on the bundled fixture: embed tests/fixtures/tiny-text-classifier's
# Hugging Face files into its ONNX model, then run the self-contained file on a sentence.
# Works offline once its caches are filled: apt's archive cache, npm's cache, and .deps/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
deps="$root/.deps"
mkdir -p "$deps"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# --- Debian packages ---------------------------------------------------------
apt_packages=(
  build-essential cmake ninja-build pkg-config git   # toolchain
  libprotobuf-dev protobuf-compiler libonnx-dev       # ONNX protobuf classes: cross-checks in tests, full graph parse
  nlohmann-json3-dev                                  # JSON (inside src/ only)
  libsimdjson-dev                                     # fast tokenizer.json parsing (vocabularies)
  libdeflate-dev                                      # gzip for compressed metadata values (fast, one-shot)
  zlib1g-dev                                          # Whisper's compression ratio (zlib's own deflate, as Python's zlib)
  libssl-dev                                          # SHA-256 (libcrypto) for the manifest
  libcli11-dev                                        # command-line parsing
  libutf8proc-dev                                     # Unicode normalization forms, categories, case (tokenizers)
  libpcre2-dev                                        # regexes of tokenizer.json (Split, Replace, ByteLevel), UTF + UCP
  libicu-dev                                          # Unicode Script property (UnicodeScripts pre-tokenizer)
  libgtest-dev libgmock-dev                           # unit and conformance tests
  libbenchmark-dev hyperfine time                     # benchmarks (GNU time for peak memory)
  valgrind                                            # benchmarks: callgrind instruction counts (bench/generate_instructions.sh)
  libonnx-testdata                                    # 1000+ real ONNX models for conformance tests
  python3-onnx python3-numpy                          # reference onnx.load for benchmarks, fixture generation
  ccache                                              # cheap rebuilds (CI builds plain + sanitizers)
  clang-format                                        # scripts/check-format.sh (git clang-format on changed lines)
  python3-jinja2                                      # chat-template reference (what transformers' apply_chat_template renders with)
  python3-pil python3-scipy                           # image reference (Pillow is what transformers' PIL backend uses); audio/spectrogram reference
  python3-torch python3-torchvision python3-torchaudio  # torch.onnx.export makes random-weight test models; torch.stft second opinion
  libjpeg62-turbo-dev libpng-dev libwebp-dev libstb-dev  # image decoding (libjpeg-turbo as Pillow uses it; PNG; WebP; stb for BMP/GIF)
  libavformat-dev libavcodec-dev libswresample-dev ffmpeg  # audio decoding/resampling (FFmpeg 5.1); the ffmpeg CLI is the ASR reference
  pybind11-dev python3-pybind11 python3-dev python3-venv python3-pip python3-pytest python3-wheel python3-setuptools  # Python package
  chromium                                            # browser proof: transformers.js in headless Chromium (WASM, WebGPU)
  clang libclang-rt-14-dev libfuzzer-14-dev           # libFuzzer targets
)
# Node.js + npm run the pinned npm reference implementations. A machine may already have Node 20
# from NodeSource (which bundles npm and conflicts with Debian's npm package): only add them when absent.
command -v npm >/dev/null 2>&1 || apt_packages+=(nodejs npm)
if [[ "${SKIP_APT:-0}" != 1 ]]; then
  missing=()
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
    $SUDO apt-get update -qq || log "apt-get update failed; trying the local cache"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    log "Debian packages present"
  fi
fi

# --- pinned npm reference implementations (golden tests) ----------------------
# onnxruntime-node's postinstall downloads CUDA files and fails offline: skip it.
if [[ ! -d node_modules/tokenizers || ! -d node_modules/@huggingface/transformers || ! -d node_modules/onnxruntime-node \
      || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "installing pinned npm reference packages"
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error --prefer-offline
fi

# --- ONNX Runtime (the library transformers.js runs on + C/C++ headers) --------
# We link and run against the very libonnxruntime.so.1 that onnxruntime-node@1.30.0 (transformers.js'
# runtime, pinned in package.json) ships, so parity tests compare the same MLAS kernels on any CPU.
# That package has no headers: com.github.asus4.onnxruntime@0.4.9 ships the 1.29 C/C++ headers,
# which work against the 1.30 library (the C API is versioned; we request ORT_API_VERSION 1.29).
# A user with their own build passes ONNXRUNTIME_ROOT (include/ + lib/) instead.
ort_headers_pkg="com.github.asus4.onnxruntime@0.4.9"
ort_lib_src="$root/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1"
ort_dir="$deps/onnxruntime"
if [[ -z "${ONNXRUNTIME_ROOT:-}" ]]; then
  if [[ ! -f "$ort_dir/include/onnxruntime_cxx_api.h" ]]; then
    log "fetching ONNX Runtime headers from npm ($ort_headers_pkg)"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$ort_headers_pkg" >/dev/null && tar xzf ./*.tgz)
    hdr="$tmp/package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers"
    mkdir -p "$ort_dir/include"
    cp "$hdr"/*.h "$ort_dir/include/"
    rm -rf "$tmp"
  fi
  [[ -f "$ort_lib_src" ]] || { echo "setup: $ort_lib_src missing (npm ci of onnxruntime-node failed?)" >&2; exit 1; }
  mkdir -p "$ort_dir/lib"
  if ! cmp -s "$ort_lib_src" "$ort_dir/lib/libonnxruntime.so.1"; then
    log "ONNX Runtime library: onnxruntime-node@1.30.0's libonnxruntime.so.1"
    rm -f "$ort_dir/lib/libonnxruntime.so.1"
    cp "$ort_lib_src" "$ort_dir/lib/libonnxruntime.so.1"
  fi
  ln -sf libonnxruntime.so.1 "$ort_dir/lib/libonnxruntime.so"
fi
ORT_ROOT="${ONNXRUNTIME_ROOT:-$ort_dir}"

# --- build ---------------------------------------------------------------------
build="${BUILD_DIR:-$root/build}"
# ccache keys on paths relative to the checkout, so another clone (CI's) reuses the same cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
log "configuring and building in $build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
  -DONNXRUNTIME_ROOT="$ORT_ROOT" \
  $(command -v ccache >/dev/null && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache) ${CMAKE_ARGS:-}
cmake --build "$build" -j"$(nproc)"
log "done: $build/modelexport"

# --- the main job once, on the bundled fixture ----------------------------------------
fixture="$root/tests/fixtures/tiny-text-classifier"
log "embedding $fixture into $build/tiny-text-classifier.onnx and running it"
"$build/modelexport" embed-metadata "$fixture/model.onnx" "$fixture" -o "$build/tiny-text-classifier.onnx" -q
"$build/modelexport" run "$build/tiny-text-classifier.onnx" "I love this movie"

# The Python package (python/): a wheel built offline from the build tree with Debian's setuptools/wheel,
# installed into .venv (Debian's Python 3.11 with its site packages: numpy, pytest).
if [[ -f "$build/python/setup.py" && -f "$(ls "$build"/python/modelexport/_core*.so 2>/dev/null | head -1)" ]]; then
  log "building the Python wheel and installing it into $root/.venv"
  rm -rf "$build/python/dist" "$build/python/build"
  /usr/bin/python3 -m pip wheel -q --no-build-isolation --no-deps --no-index "$build/python" -w "$build/python/dist"
  [[ -x "$root/.venv/bin/python" ]] || /usr/bin/python3 -m venv --system-site-packages "$root/.venv"
  "$root/.venv/bin/python" -m pip install -q --no-deps --no-index --force-reinstall "$build"/python/dist/modelexport-*.whl
  (cd /tmp && "$root/.venv/bin/python" -c "import modelexport; print('[setup] python: modelexport', modelexport.__version__)")
fi
