#!/usr/bin/env bash
# Build the libFuzzer harnesses (clang, ASan + UBSan, own build folder build-fuzz) and run one.
#   tools/fuzz.sh NAME SECONDS [libFuzzer options...]     NAME: load, npy or run
# Seeds are gathered at fuzz time into build-fuzz/seeds/NAME from models/, tests/corpus/,
# tests/data/npy/, the ONNX node tests in ../shared/conformance/onnx-node and Debian's
# libonnx-testdata; the corpus the fuzzer grows is kept in build-fuzz/corpus/NAME. Findings
# (crash-*, leak-*, timeout-*, oom-*) are written to build-fuzz/findings/NAME/, and the exit status
# is non-zero when there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: tools/fuzz.sh load|npy|run SECONDS [libFuzzer options]}
secs=${2:?usage: tools/fuzz.sh load|npy|run SECONDS [libFuzzer options]}
shift 2
case $name in load|npy|run) ;; *) echo "fuzz.sh: unknown harness '$name' (load, npy, run)" >&2; exit 2 ;; esac
shared=${RNNRUN_SHARED_DIR:-../shared}
testdata=${RNNRUN_ONNX_TESTDATA:-/usr/share/libonnx-testdata/data/node}
build=build-fuzz

if [ ! -f $build/build.ninja ]; then
    CC=clang meson setup $build -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
        -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C $build fuzz/fuzz_$name >/dev/null

seeds=$build/seeds/$name corpus=$build/corpus/$name findings=$build/findings/$name
rm -rf "$seeds"
mkdir -p "$seeds" "$corpus" "$findings"
# one python3 process copies them (libFuzzer reads any number of seed files)
python3 - "$name" "$seeds" "$shared/conformance/onnx-node" "$testdata" <<'PY'
import glob, os, sys
name, seeds, node_tests, testdata = sys.argv[1:]
models = sorted(glob.glob("models/*/model.onnx") + glob.glob("tests/corpus/*.onnx") +
                glob.glob(node_tests + "/*/model.onnx") + glob.glob(testdata + "/*/model.onnx"))
def read(p, n=None):
    with open(p, "rb") as f:
        return f.read(n) if n else f.read()
if name == "npy":
    files = glob.glob("tests/data/npy/*.npy") + glob.glob("models/*/*.npy") + glob.glob("tests/corpus/*.npy")
    out = [read(f) for f in files]
elif name == "load":
    out = [read(f) for f in models]
else:
    # [u32 LE model length][model][input bytes]: the data of the model's first input, if any
    out = []
    for f in models:
        m, d, extra = read(f), os.path.dirname(f), b""
        if os.path.exists(d + "/input_0.npy"):
            extra = read(d + "/input_0.npy")[128:4224]
        elif os.path.exists(d + "/test_data_set_0/input_0.pb"):
            extra = read(d + "/test_data_set_0/input_0.pb", 4096)
        out.append(len(m).to_bytes(4, "little") + m + extra)
for i, b in enumerate(out):
    with open(f"{seeds}/s{i}", "wb") as f:
        f.write(b)
PY
echo "fuzz_$name: $(ls "$seeds" | wc -l) seeds, $(ls "$corpus" | wc -l) in the corpus, ${secs}s"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
$build/fuzz/fuzz_$name -max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
    -max_len=262144 -print_final_stats=1 -artifact_prefix="$findings/" "$@" "$corpus" "$seeds"
