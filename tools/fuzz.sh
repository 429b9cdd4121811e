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
models() {
    ls models/*/model.onnx tests/corpus/*.onnx 2>/dev/null || true
    [ -d "$shared/conformance/onnx-node" ] && ls "$shared"/conformance/onnx-node/*/model.onnx
    [ -d "$testdata" ] && ls "$testdata"/*/model.onnx
    true
}
i=0
case $name in
load)
    models | while read -r f; do i=$((i + 1)); cp "$f" "$seeds/m$i.onnx"; done ;;
npy)
    { ls tests/data/npy/*.npy models/*/*.npy tests/corpus/*.npy 2>/dev/null || true; } |
        while read -r f; do i=$((i + 1)); cp "$f" "$seeds/n$i.npy"; done ;;
run)
    # [u32 LE model length][model][input bytes]: the input bytes are the model's first input file
    models | while read -r f; do
        i=$((i + 1))
        n=$(stat -c %s "$f")
        {
            printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((n & 255)) $((n >> 8 & 255)) $((n >> 16 & 255)) $((n >> 24 & 255)))"
            cat "$f"
            d=$(dirname "$f")
            if [ -f "$d/input_0.npy" ]; then tail -c +129 "$d/input_0.npy" | head -c 4096
            elif [ -f "$d/test_data_set_0/input_0.pb" ]; then head -c 4096 "$d/test_data_set_0/input_0.pb"; fi
        } >"$seeds/r$i.bin"
    done ;;
esac
echo "fuzz_$name: $(ls "$seeds" | wc -l) seeds, $(ls "$corpus" | wc -l) in the corpus, ${secs}s"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
$build/fuzz/fuzz_$name -max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
    -max_len=262144 -print_final_stats=1 -artifact_prefix="$findings/" "$@" "$corpus" "$seeds"
