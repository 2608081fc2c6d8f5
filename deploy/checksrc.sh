#!/usr/bin/env bash
# checksrc.sh -- source rules a compiler does not enforce (curl's checksrc idea):
# no sprintf/strcpy/strcat/strtok/atoi/gets, no exit() below main, and clang-format clean.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.c' -o -name '*.h')
banned='\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|gets)[[:space:]]*\('
if grep -nE "$banned" $files; then
    echo "checksrc: banned function used (see above); use snprintf, strtol, ..." >&2
    status=1
fi
# exit() only in main.c files and the test programs' forked children
if grep -nE '(^|[^_a-z])exit[[:space:]]*\(' $(echo "$files" | grep -v -e '/main\.c$' -e '^tests/') ; then
    echo "checksrc: exit() outside main (return an error code instead)" >&2
    status=1
fi
if command -v clang-format >/dev/null 2>&1; then
    bad=""
    for f in $files; do
        clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
    done
    if [ -n "$bad" ]; then
        echo "checksrc: not clang-formatted:$bad" >&2
        status=1
    fi
else
    echo "checksrc: clang-format not installed; formatting not checked" >&2
fi
[ $status -eq 0 ] && echo "checksrc: ok"
exit $status
