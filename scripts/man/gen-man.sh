#!/bin/sh
# gen-man.sh NSJUDGE OUTDIR: write nsjudge.1 and nsjudge-CMD.1 for each
# subcommand from the binary's own --help text, so the pages say what the
# binary does (no hand-kept copy to drift). Used by `make install`.
set -eu
bin=$1
out=$2
mkdir -p "$out"
version=$("$bin" version | sed -n '1s/^nsjudge //p')
today=$(date -u +%Y-%m-%d)

# roff-escape plain text: backslashes, then lines starting with . or '
esc() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

page() { # name summary text-file
    {
        printf '.TH %s 1 "%s" "nsjudge %s" "nsjudge manual"\n' "$(echo "$1" | tr a-z A-Z)" "$today" "$version"
        printf '.SH NAME\n%s \\- %s\n' "$1" "$2"
        printf '.SH DESCRIPTION\n.nf\n'
        esc < "$3"
        printf '.fi\n'
        printf '.SH SEE ALSO\n'
        if [ "$1" = nsjudge ]; then
            for c in $cmds; do printf '.BR nsjudge\\-%s (1)\n' "$c"; done
        else
            printf '.BR nsjudge (1)\n'
        fi
    } > "$out/$1.1"
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$bin" --help > "$tmp"
cmds=$(sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' "$tmp" | grep -v '^help$')
page nsjudge "online-judge code execution: sandbox, judge, Judge0-compatible service" "$tmp"
for c in $cmds; do
    summary=$(sed -n "s/^  $c  *//p" "$tmp" | head -n 1)
    "$bin" help "$c" > "$tmp.c"
    page "nsjudge-$c" "$summary" "$tmp.c"
done
rm -f "$tmp.c"
