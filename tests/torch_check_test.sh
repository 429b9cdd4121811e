#!/bin/sh
# tools/torch_check.py end to end (suite 'tools'): an example model must PASS through the rnnrun
# CLI; a missing rnnrun, a model rnnrun refuses and an rnnrun whose outputs are off must each
# give a clear failure and a non-zero exit status. Skipped (77) without Debian's PyTorch.
PY=/usr/bin/python3
if ! "$PY" -c 'import torch, onnx, numpy' 2>/dev/null; then
    echo "SKIP: $PY lacks torch/onnx/numpy (apt-get install python3-torch python3-onnx python3-numpy)"
    exit 77
fi
: "${RNNRUN_SOURCE_ROOT:?}" "${RNNRUN_CLI:?}"
TOOL="$RNNRUN_SOURCE_ROOT/tools/torch_check.py"
GRU="$RNNRUN_SOURCE_ROOT/tools/examples/torch_check/gru_tagger.py"
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
failed=0
fail() { echo "FAILED: $*"; failed=1; }

# expect STATUS PATTERN -- ARGS...: torch_check.py ARGS exits STATUS and prints a line matching PATTERN
expect() {
    want_rc=$1 pattern=$2; shift 3
    "$PY" "$TOOL" "$@" >"$TMP/log" 2>&1
    rc=$?
    sed 's/^/    /' "$TMP/log"
    [ "$rc" -eq "$want_rc" ] || fail "torch_check $* exited $rc, expected $want_rc"
    grep -q -- "$pattern" "$TMP/log" || fail "torch_check $* printed no line matching '$pattern'"
}

echo "== the GRU example, dynamic axes: PASS at two sizes"
expect 0 '^PASS: ' -- "$GRU" --rnnrun "$RNNRUN_CLI"
grep -q '^run 2 (dynamic axes grown): x (6, 11, 12), h0 (1, 6, 24)$' "$TMP/log" || fail "no second run at grown sizes"
[ "$(grep -c '  PASS$' "$TMP/log")" -eq 4 ] || fail "expected 4 passing outputs (2 outputs x 2 runs)"

echo "== a missing rnnrun: exit 2, names the path"
expect 2 "rnnrun not found or not executable: $TMP/no-such-rnnrun" -- "$GRU" --rnnrun "$TMP/no-such-rnnrun"

echo "== a model rnnrun refuses: exit 1 with rnnrun's message"
expect 1 "rnnrun exited 1: .*(Det): op Det is not supported" -- \
    "$RNNRUN_SOURCE_ROOT/tests/data/torch_check/unsupported_op.py" --rnnrun "$RNNRUN_CLI"
grep -q '^FAIL: ' "$TMP/log" || fail "no FAIL verdict for the refused model"

echo "== an rnnrun whose first output is off by 1e-3: exit 1, the error reported"
cat >"$TMP/bad-rnnrun" <<EOS
#!/bin/sh
"$RNNRUN_CLI" "\$@" || exit \$?
for last; do :; done
"$PY" -c 'import numpy as np, sys; p = sys.argv[1] + "/output_0.npy"; np.save(p, np.load(p) + np.float32(1e-3))' "\$last"
EOS
chmod +x "$TMP/bad-rnnrun"
expect 1 '^  scores .*max abs error 0.001 .*FAIL' -- "$GRU" --rnnrun "$TMP/bad-rnnrun" --static
grep -q '^  h .*PASS$' "$TMP/log" || fail "the untouched output h should still pass"
grep -q '^FAIL: ' "$TMP/log" || fail "no FAIL verdict for wrong outputs"

[ "$failed" -eq 0 ] && echo "all torch_check checks passed"
exit "$failed"
