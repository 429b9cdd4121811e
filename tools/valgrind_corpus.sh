#!/usr/bin/env bash
# Run the CLI over every case of tests/corpus/MANIFEST under valgrind (memcheck, full leak check):
# each run must exit as the manifest says (1 for an error, 0 for a valid case) with no memory error
# and no leak of any kind (valgrind's own exit status would be 99).
#   tools/valgrind_corpus.sh [BUILD_DIR]      (default: build; a build without sanitizers)
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${1:-build}/rnnrun
[ -x "$cli" ] || { echo "valgrind_corpus.sh: no $cli (build first)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
n=0 bad=0
while IFS=$'\t' read -r name model inputs status expect; do
    case $name in '#'*|'') continue ;; esac
    args=(tests/corpus/"$model")
    if [ "$inputs" != - ]; then
        IFS=, read -r -a ins <<<"$inputs"
        for i in "${ins[@]}"; do args+=(tests/corpus/"$i"); done
    fi
    want=1
    if [ "$status" = OK ]; then want=0; args+=(-o "$out/$name"); fi
    set +e
    valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
        --log-file="$out/vg.log" "$cli" "${args[@]}" >/dev/null 2>"$out/stderr"
    rc=$?
    set -e
    n=$((n + 1))
    if [ $rc -ne $want ] || [ -s "$out/vg.log" ]; then
        bad=$((bad + 1))
        echo "FAIL $name: exit $rc (want $want)"
        cat "$out/vg.log" "$out/stderr"
    fi
done <tests/corpus/MANIFEST
echo "valgrind: $n corpus cases, $bad with errors, leaks or a wrong exit status"
[ $bad -eq 0 ]
