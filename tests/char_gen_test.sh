#!/bin/sh
# tools/examples/char_gen against PyTorch: for the prompt of models_pending/char_rnn (or
# models/char_rnn once moved), char_gen's text must equal greedy.txt, PyTorch's greedy
# generation (tools/train_char.py). Arguments: CHAR_GEN MODEL_DIR.
#
# Enabled by the lead once RNN and streaming land: register it in tests/meson.build, e.g.
#   test('char_gen', find_program('char_gen_test.sh'), args: [char_gen.full_path(),
#        meson.project_source_root() / 'models' / 'char_rnn'], depends: char_gen, suite: 'models')
set -eu
char_gen=$1 dir=$2
prompt="It is a truth "   # PROMPT in tools/train_char.py
want=$(cat "$dir/greedy.txt"; echo x)   # keep trailing newlines
want=${want%x}
n=$(( ${#want} - ${#prompt} ))
[ "${want#"$prompt"}" != "$want" ] || { echo "greedy.txt does not start with the prompt '$prompt'" >&2; exit 1; }
got=$("$char_gen" "$dir" "$prompt" "$n"; echo x)
got=${got%x}
if [ "$got" != "$want
" ]; then
    echo "char_gen printed:" >&2; printf '%s' "$got" >&2
    echo "PyTorch (greedy.txt):" >&2; printf '%s\n' "$want" >&2
    exit 1
fi
echo "char_gen matches greedy.txt ($n characters after the prompt)"
