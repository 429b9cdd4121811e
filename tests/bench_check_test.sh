#!/bin/sh
# tools/bench/run.py --check (suite 'tools'): builds three of the benchmark models with PyTorch and
# checks rnnrun's output on each against PyTorch's; an rnnrun whose output is off must make it
# fail. Times nothing. Skipped (77) without Debian's PyTorch.
PY=/usr/bin/python3
if ! "$PY" -c 'import torch, onnx, numpy' 2>/dev/null; then
    echo "SKIP: $PY lacks torch/onnx/numpy (apt-get install python3-torch python3-onnx python3-numpy)"
    exit 77
fi
: "${RNNRUN_SOURCE_ROOT:?}" "${RNNRUN_CLI:?}"
TOOL="$RNNRUN_SOURCE_ROOT/tools/bench/run.py"
CASES=char_rnn_b1,seed_mtm_b4,lstm_stream_b1
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
failed=0
fail() { echo "FAILED: $*"; failed=1; }

echo "== --check on $CASES: every case within 1e-5 of PyTorch"
"$PY" "$TOOL" --check --cases "$CASES" --atol 1e-5 --out "$TMP/out" --rnnrun "$RNNRUN_CLI" >"$TMP/log" 2>&1
rc=$?
sed 's/^/    /' "$TMP/log"
[ "$rc" -eq 0 ] || fail "--check exited $rc"
for c in char_rnn_b1 seed_mtm_b4 lstm_stream_b1; do
    grep -q "^$c: max abs err .* ok$" "$TMP/log" || fail "no ok line for $c"
    for f in model.onnx input_0.npy expected_0.npy identity.onnx; do
        [ -s "$TMP/out/cases/$c/$f" ] || fail "$c/$f not written"
    done
done
grep -q '^3 of 3 cases ok$' "$TMP/log" || fail "no '3 of 3 cases ok' line"
"$PY" -c 'import numpy as np, sys; x = np.load(sys.argv[1]); assert x.shape == (4, 64, 5) and x.dtype == np.float32, x.shape' \
    "$TMP/out/cases/seed_mtm_b4/input_0.npy" || fail "seed_mtm_b4 input is not float32 (4, 64, 5)"

echo "== an rnnrun whose output is off by 1e-3: exit 1, the case named"
cat >"$TMP/bad-rnnrun" <<EOS
#!/bin/sh
"$RNNRUN_CLI" "\$@" || exit \$?
for last; do :; done
"$PY" -c 'import numpy as np, sys; p = sys.argv[1] + "/output_0.npy"; np.save(p, np.load(p) + np.float32(1e-3))' "\$last"
EOS
chmod +x "$TMP/bad-rnnrun"
"$PY" "$TOOL" --check --cases char_rnn_b1 --atol 1e-5 --out "$TMP/out" --rnnrun "$TMP/bad-rnnrun" >"$TMP/log" 2>&1
rc=$?
sed 's/^/    /' "$TMP/log"
[ "$rc" -eq 1 ] || fail "--check with a wrong rnnrun exited $rc, expected 1"
grep -q '^char_rnn_b1: max abs err 0.001 FAIL$' "$TMP/log" || fail "no FAIL line for char_rnn_b1"

echo "== an unknown case: usage error (2)"
"$PY" "$TOOL" --dry-run --cases no_such_case --out "$TMP/out" >"$TMP/log" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "--cases no_such_case exited $rc, expected 2"
grep -q 'unknown case(s): no_such_case' "$TMP/log" || fail "unknown case not named"
exit $failed
