#!/bin/sh
# tools/examples/char_gen against PyTorch: for the prompt of models/char_rnn, char_gen's text
# (streaming one character per run) must equal greedy.txt, PyTorch's greedy generation
# (tools/train_char.py). Arguments: CHAR_GEN MODEL_DIR.
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
