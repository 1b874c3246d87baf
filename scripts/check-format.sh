#!/usr/bin/env bash
# Checks (or with --fix, applies) clang-format on every tracked C++ file.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.hpp' '*.cpp' '*.h' '*.cc' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
[ ${#files[@]} -eq 0 ] && exit 0
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/hollywood-format.log; then
  grep -E '^[^ ].*: (error|warning)' /tmp/hollywood-format.log | cut -d: -f1 | sort -u | sed 's/^/not formatted: /' >&2
  echo "check-format: run 'make format'" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
