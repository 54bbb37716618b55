#!/bin/sh
# SPDX-License-Identifier: MIT
# Escape attempts: each program of tests/escape runs under fozzy run --det and
# tries to get out of the sandbox; every check looks at the host (files,
# listeners, processes, a terminal), not at what the program claims. The
# programs print one line per attempt; those lines follow each check as
# "# name: ..." comments.
. "$(dirname "$0")/lib.sh"

ESC="$SRC_ROOT/tests/escape"
PY=/usr/bin/python3
export ESC PY

# show NAME FILE...: the programs' lines, as TAP comments (paths shortened).
show() {
	name=$1
	shift
	for f in "$@"; do
		[ -f "$f" ] && sed -e "s|$TRASH|\$TRASH|g" -e "s|^|# $name: |" "$f"
	done
	return 0
}

# A fingerprint of a tree: names, types, modes, owners, sizes, link counts,
# times, link targets and contents.
tree_sum() {
	(cd "$1" && find . -path ./.fozzy -prune -o -printf '%p %y %m %U:%G %s %n %T@ %C@ %l\n' | LC_ALL=C sort &&
		find . -path ./.fozzy -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 -r md5sum)
}

# host_dir DIR: a host folder with a file, a sub-folder and a symlink.
host_dir() {
	mkdir -p "$1/dir" && echo host >"$1/victim" && echo inner >"$1/dir/inner" && ln -s victim "$1/link"
}

# no_success FILE: no attempt went through, set-up steps aside.
no_success() {
	if grep SUCCEEDED "$1" | grep -v '(setup'; then
		echo "the attempts above went through" >&2
		return 1
	fi
}

missing=
for p in fs_paths fuzz_world supervisor abi32 io_uring namespaces connect toctou setuid untraced tiocsti sibling forkbomb; do
	[ -x "$ESC/$p" ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	test_expect_success 'the escape programs are built (make)' "echo missing:$missing; false"
	test_done
	exit 1
fi

# The working folder (an overlay in the sandbox) and a host folder beside it
# (read-only in the sandbox): each case gets its own pair under $TRASH.
# work/.fozzy (the run folders) is made beforehand so that fozzy's own
# writes leave the working folder's fingerprint as it was.
# The "host" folders must lie outside every overlay. When the checkout is
# under /tmp (overlaid too), they live in /var/tmp, reached through a symlink.
case "$TRASH" in
/tmp | /tmp/*)
	HOSTBASE=$(mktemp -d /var/tmp/fozzy-escape.XXXXXX) && chmod 755 "$HOSTBASE" || exit 2
	trap 'rm -rf "$HOSTBASE"' EXIT
	;;
*)
	HOSTBASE=
	;;
esac
pair() {
	mkdir -p "$1/work/.fozzy" || return 1
	if [ -n "$HOSTBASE" ]; then
		host_dir "$HOSTBASE/$1" && ln -s "$HOSTBASE/$1" "$1/host"
	else
		host_dir "$1/host"
	fi
}

# 1. Files outside the overlay.
test_expect_success 'fs: writes, deletes, renames, chmods, links and symlinks outside the overlay change nothing on the host' '
	pair fs && echo mine >fs/work/existing &&
	tree_sum fs/host >fs/host.before && tree_sum fs/work >fs/work.before &&
	(cd fs/work && fz run --det -- "$ESC/fs_paths" "$TRASH/fs/host" ../host) >fs/out 2>fs/err &&
	tree_sum fs/host >fs/host.after && tree_sum fs/work >fs/work.after &&
	cmp fs/host.before fs/host.after && cmp fs/work.before fs/work.after &&
	test "$(cat fs/host/victim)" = host && no_success fs/out &&
	test "$(grep -c : fs/out)" -gt 100
'
show fs_paths fs/out

test_expect_success 'fs: a host file given as stdin cannot be written through /proc/self/fd/0 or /dev/fd/0 (it is reopened read-only inside)' '
	pair stdin && echo precious >stdin/host/given &&
	(cd stdin/work && fz run --det -- "$ESC/fuzz_world" <../host/given) >stdin/out 2>stdin/err;
	cat stdin/out && test "$(cat stdin/host/given)" = precious &&
	grep -q "open /proc/self/fd/0 for writing: EROFS" stdin/out && grep -q "truncate /dev/fd/0: EROFS" stdin/out &&
	! grep -q SUCCEEDED stdin/out &&
	printf "l1\nl2\n" >stdin/host/lines &&
	(read -r first; fz run --det -- sh -c "read -r a; echo \$a" 2>/dev/null) <stdin/host/lines >stdin/rest &&
	test "$(cat stdin/rest)" = l2
'

# 2. The supervisor and host processes; the sandbox init.
sleep 60 &
sup_sleeper=$!
test_expect_success 'supervisor: kill, ptrace and /proc/<pid>/mem of host pids fail; fozzy reports the program'"'"'s status (7)' '
	pair sup &&
	(cd sup/work && fz run --det -- "$ESC/supervisor" "$TRASH/sup/host" $$ $sup_sleeper) >sup/out 2>sup/err;
	rc=$? && cat sup/err && test $rc = 1 &&
	kill -0 $sup_sleeper && kill -0 $$ && grep -qx survived sup/out &&
	grep -q "^fozzy run FAIL" sup/err && grep -q "exit status 7$" sup/err &&
	grep -q "^pids in /proc: " sup/out && ! grep -q "^pids in /proc:.* \($sup_sleeper\|$$\)\( \|$\)" sup/out &&
	grep -q "^ptrace(PTRACE_ATTACH, $sup_sleeper): EPERM$" sup/out &&
	grep -q "^kill($sup_sleeper, SIGKILL): ESRCH$" sup/out &&
	grep -q "^open /proc/$sup_sleeper/mem O_RDWR: ENOENT$" sup/out &&
	grep -q "^ptrace(PTRACE_ATTACH, 1): EPERM$" sup/out
'
kill $sup_sleeper 2>/dev/null
wait $sup_sleeper 2>/dev/null
test_expect_success 'supervisor: the sandbox init (pid 1, outside the filter) cannot be taken over through /proc/1/mem' '
	if test -e sup/host/init-escaped; then
		echo "HOLE: the program wrote code into the sandbox init through /proc/1/mem; init, which has"
		echo "no seccomp filter and is root of the user namespace, cleared MOUNT_ATTR_RDONLY on /"
		echo "and created this host file:"
		ls -l sup/host/init-escaped && cat sup/host/init-escaped
		grep -e "/proc/1/mem" -e "inject" -e "pwrite" sup/out
		false
	fi
'
show supervisor sup/out

# 3. Foreign ABIs.
test_expect_success 'abi32: int 0x80 and x32 syscalls kill the program before they run (exit 4)' '
	pair abi && tree_sum abi/host >abi/before && cd abi/work && : >../out &&
	for m in int80-creat x32-creat; do
		expect_exit 4 fz run --det -- "$ESC/abi32" $m "$TRASH/abi/host/new" >>../out 2>../err || exit 1
		grep -q "killed by signal" ../err || exit 1
		echo "$m: fozzy: $(grep "killed by signal" ../err | sed "s/^ *//")" >>../out
	done &&
	for m in int80-unlink x32-unlink; do
		expect_exit 4 fz run --det -- "$ESC/abi32" $m "$TRASH/abi/host/victim" >>../out 2>../err || exit 1
		echo "$m: fozzy: $(grep "killed by signal" ../err | sed "s/^ *//")" >>../out
	done &&
	cd ../.. && tree_sum abi/host >abi/after && cmp abi/before abi/after && ! grep returned abi/out &&
	grep -q "x32-creat: fozzy: killed by signal 31 (SIGSYS)" abi/out
'
show abi32 abi/out

# 4. Asynchronous rings.
test_expect_success 'io_uring: io_uring_setup, io_uring_enter, io_uring_register and io_setup fail with ENOSYS' '
	mkdir -p ring && cd ring && fz run --det -- "$ESC/io_uring" >../ring.out 2>/dev/null && cd .. &&
	cat >ring.want <<-EOT &&
	io_uring_setup(8): ENOSYS
	io_uring_enter: ENOSYS
	io_uring_register: ENOSYS
	io_uring_setup(8, IORING_SETUP_SQPOLL): ENOSYS
	io_setup(8): ENOSYS
	io_submit: ENOSYS
	EOT
	diff ring.want ring.out
'
show io_uring ring.out

# 5. New namespaces.
test_expect_success 'namespaces: unshare, setns and clone with CLONE_NEW* fail with EPERM' '
	pair ns && tree_sum ns/host >ns/before &&
	(cd ns/work && fz run --det -- "$ESC/namespaces" "$TRASH/ns/host") >ns/out 2>/dev/null &&
	tree_sum ns/host >ns/after && cmp ns/before ns/after && ! test -e ns/host/ns-escaped &&
	! grep child ns/out && test "$(grep -c ": EPERM$" ns/out)" = "$(grep -c . ns/out)" &&
	test "$(grep -c . ns/out)" = 25
'
show namespaces ns/out

# 6. Host services. The listener logs every connection or datagram by socket.
cat >listen.py <<'EOT'
import os, select, socket, sys, time
d, abstract, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
socks = {}
tcp = socket.socket(); tcp.bind(("0.0.0.0", 0)); tcp.listen(8); port = tcp.getsockname()[1]
socks[tcp] = "tcp4"
try:
    t6 = socket.socket(socket.AF_INET6); t6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    t6.bind(("::", port)); t6.listen(8); socks[t6] = "tcp6"
except OSError:
    pass
udp = socket.socket(type=socket.SOCK_DGRAM); udp.bind(("0.0.0.0", port)); socks[udp] = "udp"
ab = socket.socket(socket.AF_UNIX); ab.bind("\0" + abstract); ab.listen(8); socks[ab] = "unix-abstract"
for p in paths:
    u = socket.socket(socket.AF_UNIX); u.bind(p); u.listen(8); socks[u] = "unix-path " + p
log = open(d + "/connections", "w")
open(d + "/port.tmp", "w").write(str(port)); os.rename(d + "/port.tmp", d + "/port")
end = time.time() + 30
while time.time() < end and not os.path.exists(d + "/stop"):
    for s in select.select(list(socks), [], [], 0.05)[0]:
        if s is udp:
            data = s.recvfrom(100)[0]
        else:
            c = s.accept()[0]; c.settimeout(1)
            try: data = c.recv(100)
            except OSError: data = b""
            c.close()
        log.write("%s %r\n" % (socks[s], data)); log.flush()
for p in paths:
    os.unlink(p)
EOT
# listen DIR NAME: start the listener on TCP/UDP, an abstract socket, a socket
# in DIR and one in the host's /tmp (seen through the /tmp overlay's lower layer).
listen() {
	mkdir -p "$1"
	"$PY" listen.py "$TRASH/$1" "fozzy-t0146-$$-$2" "$TRASH/$1/sock" "/tmp/fozzy-t0146-$$-$2.sock" &
	listener=$!
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		test -s "$1/port" && break
		sleep 0.1
	done
}
stop_listener() {
	touch "$1/stop" && wait $listener
}
host_addr=$(hostname -I 2>/dev/null | cut -d" " -f1)
[ -n "$host_addr" ] || host_addr=-
listen net.native native
"$ESC/connect" "$(cat net.native/port)" "$host_addr" "fozzy-t0146-$$-native" "$TRASH/net.native/sock" \
	"/tmp/fozzy-t0146-$$-native.sock" >net.native/out 2>&1
stop_listener net.native
listen net sandbox
(mkdir -p net/work && cd net/work && fz run --det -- "$ESC/connect" "$(cat ../port)" "$host_addr" \
	"fozzy-t0146-$$-sandbox" "$TRASH/net/sock" "/tmp/fozzy-t0146-$$-sandbox.sock") >net/out 2>/dev/null
stop_listener net
test_expect_success 'connect: the host listener works (control: a native run reaches every socket)' '
	cat net.native/connections && grep -q "^tcp4 " net.native/connections &&
	grep -q "^unix-abstract " net.native/connections && grep -q "^unix-path " net.native/connections
'
test_expect_success 'connect: TCP to 127.0.0.1 and ::1 is refused, UDP and the abstract socket reach nothing on the host' '
	grep -q "^connect tcp 127.0.0.1 port [0-9]*: ECONNREFUSED$" net/out &&
	grep -q "^connect tcp ::1 port [0-9]*: ECONNREFUSED$" net/out &&
	grep -q "^connect unix @fozzy-t0146-[0-9]*-sandbox: ECONNREFUSED$" net/out &&
	test -f net/connections && ! grep -v "^unix-path " net/connections
'
test_expect_success 'connect: host AF_UNIX sockets bound to paths (host folder, host /tmp) are unreachable' '
	test -f net/connections || exit 1
	if grep "^unix-path " net/connections; then
		echo "HOLE: the lines above are connections the sandboxed program made to host AF_UNIX"
		echo "listeners through their paths: the network namespace does not cover sockets in the"
		echo "filesystem, and connect() needs no write access to the read-only mount."
		grep "^connect unix /" net/out
		false
	fi
'
show connect net/out
sed -e "s|$TRASH|\$TRASH|g" -e "s|^|# connect: host listener got: |" net/connections

# 7. A path swapped between check and use.
test_expect_success 'toctou: a path flipped to a host file while another thread opens it leaves the file unchanged' '
	pair race && tree_sum race/host >race/before &&
	(cd race/work && fz run --det -- "$ESC/toctou" "$TRASH/race/host/victim") >race/out 2>/dev/null &&
	tree_sum race/host >race/after && cmp race/before race/after && test "$(cat race/host/victim)" = host &&
	grep -q "[1-9][0-9]* EROFS" race/out
'
show toctou race/out

# 8. Setuid and file capabilities under no_new_privs.
if [ "$(id -u)" = 0 ] && ! nobody_reaches; then
	test_skip 'setuid: execs of setuid-root and file-capability binaries gain nothing' "$NOBODY_SKIP"
else
	test_expect_success 'setuid: execs of setuid-root and file-capability binaries gain nothing' '
		pair suid && cp "$ESC/setuid" suid/host/setuid_root && chmod 4755 suid/host/setuid_root &&
		(cd suid/work && fz run --det -- "$ESC/setuid" "$TRASH/suid/host/setuid_root" </dev/null) >suid/out 2>suid/err &&
		grep -q "^no_new_privs: 1$" suid/out &&
		grep -q "^exec /usr/bin/passwd -S root: exit [1-9]" suid/out && ! grep -q "^root " suid/out &&
		if [ "$(id -u)" = 0 ]; then
			test "$(grep -c "^whoami .*-copy: uid 65534 euid 65534 suid 65534 CapEff 0000000000000000$" suid/out)" = 3
		else
			test "$(grep -c "^whoami host-setuid-copy: uid $(id -u) euid $(id -u) " suid/out)" = 1
		fi
	'
fi
show setuid suid/out
if nobody_reaches; then
	test_expect_success 'setuid: an unprivileged run cannot become root through a setuid-root binary' '
		mkdir -p suid/nobody && chmod 777 suid/nobody && cd suid/nobody &&
		setpriv --reuid=65534 --regid=65534 --clear-groups "$FOZZY" run --det -- "$ESC/setuid" \
			"$TRASH/suid/host/setuid_root" </dev/null >../nobody.out 2>../nobody.err &&
		grep -q "^whoami host-setuid-copy: uid 65534 euid 65534 suid 65534 CapEff 0000000000000000$" ../nobody.out &&
		grep -q "^exec /usr/bin/passwd -S root: exit [1-9]" ../nobody.out
	'
	show setuid-nobody suid/nobody.out
	test_expect_success 'setuid: a setuid-root file the program leaves in the overlay is out of other host users'"'"' reach' '
		f=$(find suid/work/.fozzy -name suid_copy -perm -4000 | head -n 1) && test -n "$f" &&
		echo "left on the host: $f" &&
		! setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "exec \"\$0\" --whoami host-user" "$f"
	'
else
	test_skip 'setuid: an unprivileged run cannot become root through a setuid-root binary' "$NOBODY_SKIP"
	test_skip 'setuid: a setuid-root file the program leaves in the overlay is out of other host users'"'"' reach' "$NOBODY_SKIP"
fi

# 9. Untraced children.
test_expect_success 'untraced: clone3 fails (ENOSYS); CLONE_UNTRACED children stay traced and deterministic' '
	pair untr && tree_sum untr/host >untr/before && cd untr/work &&
	fz run --det --seed 5 -- "$ESC/untraced" "$TRASH/untr/host" >../out 2>/dev/null &&
	fz run --det --seed 5 -- "$ESC/untraced" "$TRASH/untr/host" >../out2 2>/dev/null && cd ../.. &&
	cmp untr/out untr/out2 && grep -q "^clone3(CLONE_UNTRACED): ENOSYS$" untr/out &&
	test "$(grep -c "CLONE_UNTRACED.* child: pid [0-9]* getrandom 8 [0-9a-f]* clock_gettime 0 1704067200$" untr/out)" = 3 &&
	test "$(grep -c "CLONE_UNTRACED.* child: open .*: EROFS$" untr/out)" = 3 &&
	tree_sum untr/host >untr/after && cmp untr/before untr/after
'
show untraced untr/out

# 10. Typing into the terminal fozzy runs in. pty.py makes itself the session
# leader of a new pty, as a login shell would, and runs the command in that
# session with the pty as stdin; then it reads what the terminal shows and
# what waits in its input queue.
cat >pty.py <<'EOT'
import fcntl, os, subprocess, sys, termios, time
m, s = os.openpty()
os.setsid()
fcntl.ioctl(s, termios.TIOCSCTTY, 0)
rc = subprocess.call(sys.argv[2:], stdin=s, stdout=open(sys.argv[1], "w"), stderr=subprocess.DEVNULL)
time.sleep(0.1)
def drain(fd):
    fcntl.fcntl(fd, fcntl.F_SETFL, os.O_NONBLOCK)
    data = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    return data
print("exit %d" % rc)
print("terminal shows: %r" % drain(m))
print("typed input: %r" % drain(s))
EOT
mkdir -p tty
(cd tty && "$PY" ../pty.py ../tty.native "$ESC/tiocsti" >../tty.native.host 2>&1)
if [ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1)" = 1 ] && [ "$(id -u)" = 0 ]; then
	test_expect_success 'tiocsti: the terminal check works (control: a native run types into it)' '
		cat tty.native.host && grep -q "^typed input: b.echo escaped" tty.native.host
	'
else
	test_skip 'tiocsti: the terminal check works (control: a native run types into it)' 'TIOCSTI disabled here'
fi
test_expect_success 'tiocsti: nothing typed into the terminal of fozzy'"'"'s session' '
	cd tty && "$PY" ../pty.py ../tty.out "$FOZZY" run --det -- "$ESC/tiocsti" >../tty.host && cd .. &&
	cat tty.host &&
	grep -qx "exit 0" tty.host && grep -qx "terminal shows: b'"''"'" tty.host && grep -qx "typed input: b'"''"'" tty.host &&
	grep -q "^stdin is a tty: yes" tty.out && no_success tty.out
'
show tiocsti-native tty.native
sed "s|^|# tiocsti-native: host saw |" tty.native.host
show tiocsti tty.out
sed "s|^|# tiocsti: host saw |" tty.host

# 11. Memory of a host process.
"$ESC/sibling" --victim >sibling.victim &
victim=$!
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	test -s sibling.victim && break
	sleep 0.1
done
test_expect_success 'sibling: process_vm_writev and /proc/<pid>/mem writes never reach a host process' '
	read -r _ vpid vaddr <sibling.victim && test "$vpid" = $victim &&
	mkdir -p sib && cd sib && fz run --det -- "$ESC/sibling" $vpid $vaddr >../sib.out 2>/dev/null; rc=$?; cd .. &&
	kill -USR1 $victim && for i in 1 2 3 4 5 6 7 8 9 10; do grep -q "buffer" sibling.victim && break; sleep 0.1; done &&
	cat sibling.victim && test $rc = 0 &&
	grep -qx "victim buffer: untouched" sibling.victim && grep -q "every write refused" sib.out
'
kill $victim 2>/dev/null
wait $victim 2>/dev/null
show sibling sib.out

# 12. Fork bombs.
bomb_gone() { # no process of the bomb left on the host (they may take a moment to be reaped)
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		pgrep -f "$ESC/forkbomb" >/dev/null || return 0
		sleep 0.1
	done
	echo "left behind:" && pgrep -af "$ESC/forkbomb" | head
	return 1
}
for mode in sleep fast; do
	if [ $mode = sleep ]; then limits="--timeout 80ms --wall-timeout 30s"; else limits="--timeout 2s --wall-timeout 10s"; fi
	test_expect_success "forkbomb ($mode): fozzy returns with a clear status and leaves no process behind" '
		mkdir -p bomb.$mode && cd bomb.$mode &&
		timeout -k 5 40 "$FOZZY" run --det $limits -- "$ESC/forkbomb" $mode >../bomb.$mode.out 2>../bomb.$mode.err
		rc=$?; cd .. && grep -v -e "^  trace" -e "^  artifacts" -e "^  replay" -e "warning: rdtsc" bomb.$mode.err >>bomb.$mode.out
		echo "fozzy exit $rc" >>bomb.$mode.out && cat bomb.$mode.out &&
		{ test $rc = 1 || test $rc = 3; } && grep -q -e "fork bomb" -e TIMEOUT bomb.$mode.err && bomb_gone
	'
	show forkbomb-$mode bomb.$mode.out
done

rm -f /tmp/fozzy-t0146-$$-*.sock
test_expect_success 'connect: host unix sockets stay out of reach through /proc/self/root, magic fd links and a deleted cwd' '
	sk=$(mktemp -d /var/tmp/fozzy-sock.XXXXXX) || exit 1
	chmod 755 "$sk"
	"$PY" -c "import socket,sys,time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1] + \"/s\"); s.listen(8); s.settimeout(25)
open(sys.argv[1] + \"/ready\", \"w\").close()
got = []
try:
    while True:
        c, _ = s.accept(); got.append(c.recv(64))
except OSError:
    pass
open(sys.argv[1] + \"/got\", \"w\").write(repr(got))" "$sk" &
	lpid=$! && for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do test -e "$sk/ready" && break; sleep 0.25; done &&
	mkdir -p uds && cd uds &&
	fz run --det -- "$PY" -c "import os, socket, sys
d = sys.argv[1]
def tryc(label, path):
    c = socket.socket(socket.AF_UNIX)
    try:
        c.connect(path); c.send(label.encode()); print(label, \"CONNECTED\")
    except OSError as e:
        print(label, e.strerror)
fd = os.open(d, os.O_PATH)
tryc(\"direct\", d + \"/s\")
tryc(\"proc-self-root\", \"/proc/self/root\" + d + \"/s\")
tryc(\"magic-dirfd\", \"/proc/self/fd/%d/s\" % fd)
tryc(\"dev-fd\", \"/dev/fd/%d/s\" % fd)
sfd = os.open(d + \"/s\", os.O_PATH)
tryc(\"magic-sockfd\", \"/proc/self/fd/%d\" % sfd)
os.mkdir(\"x\"); os.chdir(\"x\"); os.rmdir(\"../x\")
tryc(\"deleted-cwd\", \"../\" * 12 + d.lstrip(\"/\") + \"/s\")
os.symlink(d + \"/s\", \"/tmp/lnk\"); tryc(\"symlink\", \"/tmp/lnk\")" "$sk" >../uds.out 2>&1;
	cd .. && sleep 0.3 && kill $lpid 2>/dev/null; wait $lpid 2>/dev/null;
	cat uds.out && ! grep -q CONNECTED uds.out && test "$(grep -c . uds.out)" -ge 7 &&
	{ ! test -s "$sk/got" || test "$(cat "$sk/got")" = "[]"; };
	rc=$?; rm -rf "$sk"; exit $rc
'
test_done
