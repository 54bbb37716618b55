#!/bin/sh
# The filter and the namespaces: refusals, foreign ABIs, network, unprivileged runs.
. "$(dirname "$0")/lib.sh"

test_expect_success 'refused syscalls fail with their documented errno' '
	fz run --det -- "$FIX/deny" >out 2>/dev/null &&
	cat >want <<-EOT &&
	ptrace EPERM
	bpf EPERM
	perf_event_open EPERM
	mount EPERM
	unshare EPERM
	setns EPERM
	keyctl EPERM
	userfaultfd EPERM
	process_vm_writev EPERM
	io_uring_setup ENOSYS
	rseq ENOSYS
	clone3 ENOSYS
	kexec_load EPERM
	pr_set_tsc EPERM
	syscall_500 ENOSYS
	seccomp EPERM
	pr_set_seccomp EPERM
	EOT
	diff want out
'
test_expect_success 'an x32 syscall kills the program (SIGSYS, exit 4)' '
	expect_exit 4 fz run --det -- "$FIX/foreign_abi" x32 >out 2>err &&
	grep -q "SIGSYS" err && ! grep -q "returned" out
'
test_expect_success 'an i386 int 0x80 syscall never runs' '
	fz run --det -- "$FIX/foreign_abi" int80 >out 2>err; [ $? = 4 ] && ! grep -q "returned" out
'
test_expect_success 'the sandbox has only its own loopback: host services are unreachable' '
	python3 -c "import socket,time; s=socket.socket(); s.bind((\"127.0.0.1\",0)); s.listen(); open(\"port\",\"w\").write(str(s.getsockname()[1])); time.sleep(20)" &
	pid=$! && for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do test -s port && break; sleep 0.25; done &&
	port=$(cat port) &&
	fz run --det -- /usr/bin/python3 -c "import socket,errno
s=socket.socket()
try:
    s.connect((\"127.0.0.1\", $port)); print(\"connected\")
except OSError as e:
    print(errno.errorcode[e.errno])" >out 2>/dev/null;
	kill $pid; grep -q ECONNREFUSED out
'
test_expect_success '--net host reaches host services; it is rejected under --det' '
	/usr/bin/python3 -c "import socket,time; s=socket.socket(); s.bind((\"127.0.0.1\",0)); s.listen(); open(\"port2\",\"w\").write(str(s.getsockname()[1])); c,_=s.accept(); open(\"got\",\"w\").write(\"accepted\")" &
	pid=$! && for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do test -s port2 && break; sleep 0.25; done &&
	port=$(cat port2) &&
	fz run --net host -- /usr/bin/python3 -c "import socket; socket.create_connection((\"127.0.0.1\", $port)); print(\"connected\")" >out 2>/dev/null;
	sleep 0.5; kill $pid 2>/dev/null; grep -qx connected out && grep -qx accepted got &&
	expect_exit 2 fz run --det --net host -- /bin/true 2>err && grep -q "rejected under --det" err &&
	expect_exit 2 fz run --net wifi -- /bin/true 2>err && grep -q "invalid --net" err
'
if nobody_reaches; then
	test_expect_success 'an unprivileged user runs in a user namespace, same output' '
		mkdir nb && chmod 777 nb && cd nb &&
		setpriv --reuid=65534 --regid=65534 --clear-groups "$FOZZY" run --det --seed 3 -- "$FIX/det_sources" >a 2>err &&
		"$FOZZY" run --det --seed 3 -- "$FIX/det_sources" >b 2>/dev/null && cmp a b
	'
else
	test_skip 'an unprivileged user runs in a user namespace, same output' "$NOBODY_SKIP"
fi
test_expect_success 'refused attempts are listed in the report and the human summary, and replay' '
	fz run --det --json --record r.fozzy -- "$FIX/deny" >sum 2>/dev/null &&
	/usr/bin/python3 -c "
import json, sys
r = {x[\"syscall\"]: (x[\"errno\"], x[\"count\"]) for x in json.load(open(\"sum\"))[\"native\"][\"refused\"]}
assert r[\"ptrace\"] == (\"EPERM\", 1) and r[\"mount\"] == (\"EPERM\", 1) and r[\"bpf\"] == (\"EPERM\", 1), r
assert \"rseq\" not in r, r
" &&
	fz run --det -- "$FIX/deny" 2>err >/dev/null && grep -q "refused: ptrace (EPERM, 1x)" err &&
	fz replay r.fozzy >/dev/null 2>err && grep -q "replay: match" err
'
test_expect_success 'a non-executable file, a folder and binaries for other architectures: one line, exit 2' '
	printf "#!/bin/sh\necho hi\n" >noexec.sh && chmod 644 noexec.sh &&
	expect_exit 2 fz run -- ./noexec.sh 2>err && grep -qx "fozzy: .\./noexec.sh. is not executable (no execute permission)" err &&
	expect_exit 2 fz run -- /tmp 2>err && grep -q "is a directory, not a program" err &&
	{ printf "\177ELF\001\001\001\000\000\000\000\000\000\000\000\000\002\000\003\000"; head -c 100 /dev/zero; } >i386.bin &&
	{ printf "\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\002\000\267\000"; head -c 100 /dev/zero; } >arm64.bin &&
	chmod +x i386.bin arm64.bin &&
	expect_exit 2 fz run -- ./i386.bin 2>err && grep -q "is a 32-bit i386 binary; fozzy runs x86_64 programs only" err &&
	test $(wc -l <err) = 1 &&
	expect_exit 2 fz run -- ./arm64.bin 2>err && grep -q "is an arm64 (aarch64) binary" err
'
test_done
