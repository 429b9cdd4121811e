#!/bin/sh
# Rewrite the op table in README.md (between <!-- ops:begin --> and <!-- ops:end -->) from the
# dispatch table, as printed by `rnnrun --ops`. Usage: tools/update_readme_ops.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
exe="${1:-build}/rnnrun"
table=$(mktemp)
"$exe" --ops > "$table"
awk -v table="$table" '
  /<!-- ops:begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
  /<!-- ops:end -->/   { skip = 0 }
  !skip' README.md > README.md.new
mv README.md.new README.md
rm -f "$table"
