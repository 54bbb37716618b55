#!/bin/sh
# The syscall policy: every x86_64 syscall has a disposition; the table is generated.
. "$(dirname "$0")/lib.sh"

test_expect_success 'fozzy policy matches the checked-in table (make policy-table)' '
	fz policy >now.tsv && diff "$SRC_ROOT/seccomp/syscalls.tsv" now.tsv
'
test_expect_success 'every syscall libseccomp knows has exactly one row' '
	python3 - "$SRC_ROOT/seccomp/syscalls.tsv" <<-PY
	import ctypes, sys
	lib = ctypes.CDLL("libseccomp.so.2")
	lib.seccomp_syscall_resolve_num_arch.restype = ctypes.c_char_p
	known = {n for n in range(512) if lib.seccomp_syscall_resolve_num_arch(0xc000003e, n)}
	rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()]
	nrs = [int(r[0]) for r in rows]
	assert len(nrs) == len(set(nrs)), "duplicate rows"
	assert set(nrs) == known | {400}, sorted((known | {400}) ^ set(nrs))
	assert [r for r in rows if r[0] == "400"][0][1:3] == ["fozzy_marker", "trace"]
	assert all(r[2] in ("allow", "trace", "kill") or r[2].startswith("errno ") for r in rows)
	PY
'
test_expect_success 'policy --json lists traced syscalls with their logged arguments' '
	fz --json policy | python3 -c "import json,sys; d=json.load(sys.stdin); r={x[\"name\"]:x for x in d}; assert r[\"clock_gettime\"][\"action\"]==\"trace\" and r[\"clock_gettime\"][\"args\"]==2 and r[\"rseq\"][\"action\"]==\"errno ENOSYS\", r[\"rseq\"]"
'
test_done
