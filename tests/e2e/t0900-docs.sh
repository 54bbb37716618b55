#!/bin/sh
# Docs follow the code: every flag of every --help is in fozzy.1 and CLI.md,
# and the exit codes of include/fozzy/exit.h are the ones documented.
. "$(dirname "$0")/lib.sh"

test_expect_success 'every flag in --help texts is documented in fozzy.1 and CLI.md' '
	{ fz --help; fz run --help; fz replay --help; fz explore --help; fz shrink --help; fz report --help; fz trace --help; fz policy --help; fz fuzz --help; fz cc --help; fz corpus --help; fz test --help; fz validate --help; fz schema --help; fz run x.fozzy.json --help; fz explore x.fozzy.json --help; fz init --help; fz env --help; fz usage --help; } |
		grep -oE -- "--[a-z][a-z-]+" | sort -u >flags &&
	test -s flags &&
	while read -r f; do
		grep -qF -- "$f" "$SRC_ROOT/man/fozzy.1" || { echo "missing in fozzy.1: $f"; exit 1; }
		grep -qF -- "$f" "$SRC_ROOT/CLI.md" || { echo "missing in CLI.md: $f"; exit 1; }
	done <flags
'
test_expect_success 'every command in fozzy --help is documented' '
	fz --help | sed -n "/^commands:/,/^$/p" | awk "NF>1 {print \$1}" >cmds && test -s cmds &&
	while read -r c; do
		grep -q "$c" "$SRC_ROOT/man/fozzy.1" && grep -q "$c" "$SRC_ROOT/CLI.md" || { echo "undocumented: $c"; exit 1; }
	done <cmds
'
test_expect_success 'exit codes agree between exit.h, fozzy.1 and CLI.md' '
	sed -n "s/^[[:space:]]*EXIT_[A-Z]* = \\([0-9]\\),.*/\\1/p" "$SRC_ROOT/include/fozzy/exit.h" >codes &&
	[ "$(cat codes | tr "\\n" " ")" = "0 1 2 3 4 " ] &&
	for c in pass:0 fail:1 error:2 timeout:3 crash:4; do
		n=${c#*:} && st=${c%:*} &&
		grep -qE "^\\| *$n *\\| *$st *\\|" "$SRC_ROOT/CLI.md" || { echo "CLI.md lacks exit $n $st"; exit 1; }
		grep -q "^$n@$st@" "$SRC_ROOT/man/fozzy.1" || { echo "fozzy.1 lacks exit $n $st"; exit 1; }
	done
'
if command -v groff >/dev/null; then
	test_expect_success 'the man pages render without warnings' '
		groff -man -ww -z "$SRC_ROOT/man/fozzy.1" 2>w1 && ! test -s w1 &&
		groff -man -ww -z "$SRC_ROOT/man/fozzy.5" 2>w5 && ! test -s w5
	'
else
	test_skip 'the man pages render without warnings' 'groff not installed'
fi
test_done
