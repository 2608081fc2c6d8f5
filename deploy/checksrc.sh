#!/usr/bin/env bash
# checksrc.sh -- source rules a compiler does not enforce (curl's checksrc idea):
# no sprintf/strcpy/strcat/strtok/atoi/gets, no exit() below main, and clang-format clean.
# Comments and string literals are blanked before the word checks, so prose that says
# "exit (" or "sprintf(" does not trip them.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.c' -o -name '*.h')

# code_only FILE: the file with /* */ and // comments and "..." literals blanked, line
# numbers kept, so that grep -n still points at the right line.
code_only() {
    perl -0777 -pe 's{/\*.*?\*/}{ my $c = $&; $c =~ s/[^\n]/ /g; $c }gse;
                   s{//[^\n]*}{}g; s{"(?:\\.|[^"\\\n])*"}{""}g' "$1"
}

banned='\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|gets)[[:space:]]*\('
for f in $files; do
    if code_only "$f" | grep -nE "$banned" | sed "s|^|$f:|" | grep .; then
        echo "checksrc: banned function used in $f (see above); use snprintf, strtol, ..." >&2
        status=1
    fi
    # exit() only in main.c files and in the tests (their forked children)
    case "$f" in */main.c | main.c | tests/*) continue ;; esac
    if code_only "$f" | grep -nE '(^|[^_a-zA-Z0-9])exit[[:space:]]*\(' | sed "s|^|$f:|" | grep .; then
        echo "checksrc: exit() outside main in $f (return an error code instead)" >&2
        status=1
    fi
done
if command -v clang-format >/dev/null 2>&1; then
    bad=""
    for f in $files; do
        clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
    done
    if [ -n "$bad" ]; then
        echo "checksrc: not clang-formatted:$bad (run clang-format -i on them)" >&2
        status=1
    fi
else
    echo "checksrc: clang-format not installed; formatting not checked" >&2
    status=1
fi
[ $status -eq 0 ] && echo "checksrc: ok"
exit $status
