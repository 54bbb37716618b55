#!/bin/sh
# Host backends of scenario steps: real files beneath the working directory,
# real commands under fozzy's supervisor, real HTTP against a loopback server.
# Every host answer is a decision: the replay reproduces it without the host.
. "$(dirname "$0")/lib.sh"

scn() { # scn FILE STEPS...: a steps scenario
	f=$1
	shift
	old_ifs=$IFS
	IFS=,
	printf '{"version":1,"name":"h","steps":[%s]}\n' "$*" >"$f"
	IFS=$old_ifs
}

test_expect_success 'fs host: real files, snapshot and restore; replay touches nothing (rows 38, 39)' '
	scn fs.json "{\"type\":\"fs_write\",\"path\":\"out/a.txt\",\"data\":\"one\"}" \
		"{\"type\":\"fs_read_assert\",\"path\":\"out/a.txt\",\"equals\":\"one\"}" \
		"{\"type\":\"fs_snapshot\",\"name\":\"s\"}" \
		"{\"type\":\"fs_write\",\"path\":\"out/a.txt\",\"data\":\"two\"}" \
		"{\"type\":\"fs_write\",\"path\":\"out/b.txt\",\"data\":\"new\"}" \
		"{\"type\":\"fs_restore\",\"name\":\"s\"}" \
		"{\"type\":\"fs_read_assert\",\"path\":\"out/a.txt\",\"equals\":\"one\"}" &&
	fz run fs.json --det --fs-backend host --record fs.fozzy >/dev/null &&
	test "$(cat out/a.txt)" = one && test ! -e out/b.txt &&
	rm -rf out && fz replay fs.fozzy --json >o.json && test "$(field o.json status)" = pass && test ! -e out &&
	fz --json trace dump fs.fozzy | grep -q "\"data_hex\""
'
test_expect_success 'fs host: restore puts back a file that existed before the run; a missing snapshot replays' '
	echo original >pre.txt &&
	scn fs2.json "{\"type\":\"fs_snapshot\",\"name\":\"s\"}" "{\"type\":\"fs_write\",\"path\":\"pre.txt\",\"data\":\"changed\"}" \
		"{\"type\":\"fs_restore\",\"name\":\"s\"}" &&
	fz run fs2.json --fs-backend host >/dev/null && test "$(cat pre.txt)" = original &&
	scn fs3.json "{\"type\":\"fs_restore\",\"name\":\"nope\"}" &&
	expect_exit 1 fz run fs3.json --fs-backend host --record ms.fozzy --json >o.json &&
	test "$(field o.json findings 0 title)" = host_fs_restore_missing_snapshot &&
	expect_exit 1 fz replay ms.fozzy --json >o.json && test "$(field o.json findings 0 title)" = host_fs_restore_missing_snapshot
'
test_expect_success 'fs host: absolute paths, .. and symbolic links are refused (row 38)' '
	for p in /tmp/x ../x a/../../x ./x; do
		scn p.json "{\"type\":\"fs_write\",\"path\":\"$p\",\"data\":\"x\"}" &&
		expect_exit 1 fz run p.json --fs-backend host --json >o.json &&
		test "$(field o.json findings 0 title)" = host_fs_path || return 1
	done &&
	mkdir -p outside && ln -sf "$TRASH/outside" link &&
	scn p.json "{\"type\":\"fs_write\",\"path\":\"link/x\",\"data\":\"x\"}" &&
	expect_exit 1 fz run p.json --fs-backend host --json >o.json && test "$(field o.json findings 0 title)" = host_fs_write &&
	test ! -e outside/x
'
test_expect_success 'fs host: FIFOs and hard links are refused, not waited on or followed' '
	rm -f pipe && mkfifo pipe &&
	scn p.json "{\"type\":\"fs_read_assert\",\"path\":\"pipe\",\"equals\":\"x\"}" &&
	expect_exit 1 timeout 20 "$FOZZY" run p.json --fs-backend host --json >o.json && test "$(field o.json findings 0 title)" = host_fs_read_assert &&
	echo secret >outside/target && ln -f outside/target hard &&
	scn p.json "{\"type\":\"fs_write\",\"path\":\"hard\",\"data\":\"pwned\"}" &&
	expect_exit 1 fz run p.json --fs-backend host --json >o.json && test "$(field o.json findings 0 title)" = host_fs_write &&
	test "$(cat outside/target)" = secret
'
test_expect_success 'proc host: a real command under the supervisor; replay without the binary (rows 50, 92)' '
	cp /bin/echo ./myecho &&
	scn p.json "{\"type\":\"proc_spawn\",\"cmd\":\"./myecho\",\"args\":[\"hi\"],\"expect_stdout\":\"hi\\n\",\"expect_exit\":0,\"save_stdout_as\":\"o\"}" \
		"{\"type\":\"get_kv_assert\",\"key\":\"o\",\"equals\":\"hi\\n\"}" &&
	fz run p.json --det --proc-backend host --record p.fozzy --json >o.json && test "$(field o.json status)" = pass &&
	rm myecho && fz replay p.fozzy --json >o.json && test "$(field o.json status)" = pass &&
	fz --json trace dump p.fozzy | grep -q "\"exit_code\":[[:space:]]*0"
'
test_expect_success 'proc host: the command runs in the sandbox (its writes stay in the overlay)' '
	scn p.json "{\"type\":\"proc_spawn\",\"cmd\":\"/bin/sh\",\"args\":[\"-c\",\"echo x > sandboxed.txt\"],\"expect_exit\":0}" &&
	fz run p.json --proc-backend host >/dev/null && test ! -e sandboxed.txt
'
test_expect_success 'proc host: a command outliving --timeout times out, and so does its replay (row 51)' '
	scn p.json "{\"type\":\"proc_spawn\",\"cmd\":\"/bin/sh\",\"args\":[\"-c\",\"sleep 2\"]}" &&
	expect_exit 3 fz run p.json --det --proc-backend host --timeout 50ms --record to.fozzy >/dev/null &&
	expect_exit 3 fz replay to.fozzy >/dev/null
'
test_expect_success 'proc host: proc_when rules assert the real outcome (row 52)' '
	scn p.json "{\"type\":\"proc_when\",\"cmd\":\"/bin/echo\",\"args\":[\"hi\"],\"exit_code\":0,\"stdout\":\"bye\\n\"}" \
		"{\"type\":\"proc_spawn\",\"cmd\":\"/bin/echo\",\"args\":[\"hi\"]}" &&
	expect_exit 1 fz run p.json --proc-backend host --json >o.json && test "$(field o.json findings 0 title)" = proc_when_host_stdout &&
	scn p.json "{\"type\":\"proc_when\",\"cmd\":\"/bin/true\",\"exit_code\":0}" "{\"type\":\"proc_spawn\",\"cmd\":\"/bin/echo\"}" &&
	expect_exit 1 fz run p.json --proc-backend host --json >o.json && test "$(field o.json findings 0 title)" = proc_when_host_unmatched
'
test_expect_success 'proc host: output over 8 MiB is refused (row 53); a missing command is a finding' '
	scn p.json "{\"type\":\"proc_spawn\",\"cmd\":\"/bin/sh\",\"args\":[\"-c\",\"head -c 9000000 /dev/zero\"]}" &&
	expect_exit 1 fz run p.json --proc-backend host --json >o.json && test "$(field o.json findings 0 title)" = proc_spawn_host &&
	grep -q "8 MiB" o.json &&
	scn p.json "{\"type\":\"proc_spawn\",\"cmd\":\"./no-such-cmd\"}" &&
	expect_exit 1 fz run p.json --proc-backend host --record m.fozzy --json >o.json && test "$(field o.json findings 0 title)" = proc_spawn_host &&
	expect_exit 1 fz replay m.fozzy >/dev/null
'
# a loopback HTTP server: JSON for GET, echo for POST, /slow never answers in time
cat >srv.py <<'PY'
import http.server, json, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path.startswith("/slow"):
            time.sleep(5)
        body = json.dumps({"path": self.path, "ok": True}).encode()
        self.send_response(404 if self.path == "/missing" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Test", "yes")
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(201)
        self.end_headers()
        self.wfile.write(b"got:" + data)
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
PY
python3 srv.py port &
SRV=$!
i=0; while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
P=$(cat port 2>/dev/null)
U="http://127.0.0.1:$P"

test_expect_success 'http host: status, headers and body are decisions; replay needs no server (row 44)' '
	scn h.json "{\"type\":\"http_request\",\"method\":\"GET\",\"path\":\"$U/x?y=1\",\"expect_status\":200,\"expect_json\":{\"path\":\"/x?y=1\",\"ok\":true},\"expect_headers\":{\"X-Test\":\"yes\"}}" \
		"{\"type\":\"http_request\",\"method\":\"POST\",\"path\":\"$U/p\",\"body\":\"hello\",\"expect_status\":201,\"expect_body\":\"got:hello\"}" &&
	fz run h.json --http-backend host --record h.fozzy >/dev/null &&
	fz --json trace dump h.fozzy | grep -q "\"status_code\":[[:space:]]*201" &&
	scn r.json "{\"type\":\"http_request\",\"method\":\"GET\",\"path\":\"/x\"}" &&
	expect_exit 1 fz run r.json --http-backend host --json >o.json && test "$(field o.json findings 0 title)" = http_host_url
'
test_expect_success 'http host: http_when rules assert the live answer (rows 45, 46)' '
	scn r.json "{\"type\":\"http_when\",\"method\":\"GET\",\"path\":\"/missing\",\"status\":200}" "{\"type\":\"http_request\",\"method\":\"GET\",\"path\":\"$U/missing\"}" &&
	expect_exit 1 fz run r.json --http-backend host --json >o.json && test "$(field o.json findings 0 title)" = http_when_host_status &&
	scn r.json "{\"type\":\"http_when\",\"method\":\"GET\",\"path\":\"/a\",\"status\":200}" "{\"type\":\"http_request\",\"method\":\"GET\",\"path\":\"$U/b\"}" &&
	expect_exit 1 fz run r.json --http-backend host --json >o.json && test "$(field o.json findings 0 title)" = http_when_host_unmatched &&
	scn r.json "{\"type\":\"http_when\",\"method\":\"GET\",\"path\":\"/j\",\"status\":200,\"json\":{\"path\":\"/j\",\"ok\":false}}" "{\"type\":\"http_request\",\"method\":\"GET\",\"path\":\"$U/j\"}" &&
	expect_exit 1 fz run r.json --http-backend host --json >o.json && test "$(field o.json findings 0 title)" = http_when_host_json
'
test_expect_success 'http host: a CR/LF in a request header is refused, not sent' '
	scn r.json "{\"type\":\"http_request\",\"method\":\"GET\",\"path\":\"$U/x\",\"headers\":{\"X-Evil\":\"a\\r\\nInjected: yes\"}}" &&
	expect_exit 1 fz run r.json --http-backend host --json >o.json && test "$(field o.json findings 0 title)" = http_header_invalid
'
test_expect_success 'http host: no answer within --timeout is a timeout, in the replay too (row 47)' '
	scn t.json "{\"type\":\"http_request\",\"method\":\"GET\",\"path\":\"$U/slow\"}" &&
	expect_exit 3 fz run t.json --http-backend host --timeout 200ms --record t.fozzy >/dev/null &&
	kill $SRV 2>/dev/null; expect_exit 3 fz replay t.fozzy >/dev/null &&
	fz replay h.fozzy --json >o.json && test "$(field o.json status)" = pass
'
kill $SRV 2>/dev/null
test_expect_success 'shrink of a host-backend trace keeps the host steps, reuses their answers, touches nothing' '
	cp /bin/echo ./myecho2 &&
	scn h.json "{\"type\":\"set_kv\",\"key\":\"a\",\"value\":\"1\"}" \
		"{\"type\":\"proc_spawn\",\"cmd\":\"./myecho2\",\"args\":[\"hi\"],\"save_stdout_as\":\"out\"}" \
		"{\"type\":\"set_kv\",\"key\":\"b\",\"value\":\"2\"}" \
		"{\"type\":\"fs_write\",\"path\":\"shrunk-host.txt\",\"data\":\"x\"}" \
		"{\"type\":\"sleep\",\"duration\":\"10ms\"}" \
		"{\"type\":\"get_kv_assert\",\"key\":\"out\",\"equals\":\"bye\\n\"}" &&
	expect_exit 1 fz run h.json --det --proc-backend host --fs-backend host --record hh.fozzy >/dev/null &&
	rm myecho2 shrunk-host.txt &&
	fz shrink hh.fozzy --json >o.json && test "$(field o.json shrink stepsAfter)" = 3 &&
	test ! -e shrunk-host.txt &&
	fz --json trace dump hh.min.fozzy | python3 -c "import json,sys; s=json.load(sys.stdin)[\"header\"][\"scenario\"][\"steps\"]; assert [x[\"type\"] for x in s]==[\"proc_spawn\",\"fs_write\",\"get_kv_assert\"], s" &&
	expect_exit 1 fz replay hh.min.fozzy --json >o.json && test "$(field o.json findings 0 title)" = get_kv_assert &&
	test ! -e shrunk-host.txt
'
test_done
