#!/bin/sh
# make bench: fozzy's costs measured side by side with their baselines, in one run.
#  0. the fixed start-up cost (namespaces, filter, exec) on /bin/true
#  1. a compute-bound loop (~1.7 s): fozzy run --det vs native (goal <= 1.05x)
#  2. one emulated syscall (getrandom, clock_gettime) under fozzy --det vs one syscall
#     traced by `strace -f --seccomp-bpf` (goal: at most half of strace's cost)
#  3. a mutex/condvar ping-pong between two threads: cost per hand-over, fozzy vs native
#  4. a fork + exec + wait loop: cost per child, fozzy vs native
#  5. fs-heavy: untar 3000 small files and stat them all (find -printf), fozzy --det
#     (overlay, stat rewriting, sorted getdents) vs native
#  6. explore: schedules per second on a small 2-thread program, and runs and time to
#     the first failure for each strategy on the race fixtures
#  7. fuzz: execs/s of fozzy fuzz on an ASan + coverage parser (fork server, full runs)
#     against afl-fuzz (Debian's afl++, AFL_USE_ASAN) on the same source and seed
#     input (goal >= 0.5x AFL++), and the time each takes to find the parser's bug
#     and a libFuzzer-style harness in persistent mode against afl-fuzz with afl++'s
#     libAFLDriver (its persistent loop), and one input per fork (--no-persistent)
#     and the time fozzy and afl-fuzz take to find the bug of the second parser (lpstr)
#  8. scenarios: fozzy test over 1,000 small step scenarios, --jobs 1 and --jobs 2,
#     against the same run over 1,000 empty scenarios (the per-file floor: discovery,
#     loading, report) in the same run
# Each figure is the best of 3 runs; per-call costs subtract a 0-call run of the same setup.
cd "$(dirname "$0")/../.." || exit 2
command -v strace >/dev/null || { echo "bench: strace is needed (apt-get install strace)"; exit 2; }
exec python3 - "$@" <<'PY'
import os, subprocess, sys, tempfile, time
work = tempfile.mkdtemp(prefix="fozzy-bench-")
F = ["./fozzy", "run", "--det", "--seed", "1", "--base-dir", work, "--"]
S = ["strace", "-f", "--seccomp-bpf", "-e", "trace=getppid", "-o", "/dev/null"]
def best(cmd, reps=3):
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        t.append(time.perf_counter() - t0)
    return min(t)
start_n, start_f = best(["/bin/true"], 5), best(F + ["/bin/true"], 5)
print(f"start-up (/bin/true)  native {start_n*1e3:8.1f} ms   fozzy --det {start_f*1e3:8.1f} ms   (+{(start_f-start_n)*1e3:.1f} ms fixed: namespaces, filter, exec)")
loop = ["./fixtures/bench_loop", "1000"]
native = best(loop)
det = best(F + loop)
print(f"compute loop      native {native*1e3:8.1f} ms   fozzy --det {det*1e3:8.1f} ms   ratio {det/native:.3f}x (goal <= 1.05)")
N = 100000
sc = "./fixtures/bench_syscalls"
def per_call(prefix, what):
    return (best(prefix + [sc, what, str(N)]) - best(prefix + [sc, what, "0"])) / N
nat = per_call([], "getppid")
st = per_call(S, "getppid")
print(f"native getppid                      {nat*1e6:7.2f} us/call")
print(f"strace -f --seccomp-bpf getppid     {st*1e6:7.2f} us/call (baseline)")
for what in ("getrandom", "clock_gettime", "write"):
    fz = per_call(F, what)
    note = "emulated at the seccomp stop" if what != "write" else "traced and continued (file-change check)"
    print(f"fozzy --det {what:<14}          {fz*1e6:7.2f} us/call  {fz/st:.2f}x strace  ({note})")
pp = "./fixtures/bench_pingpong"
R = 2000
def per_round(prefix):
    return (best(prefix + [pp, str(R)]) - best(prefix + [pp, "0"])) / (2 * R)
n_pp, f_pp = per_round([]), per_round(F)
print(f"mutex/condvar hand-over   native {n_pp*1e6:7.2f} us   fozzy --det {f_pp*1e6:7.2f} us   ratio {f_pp/n_pp:.1f}x")
fe = "./fixtures/bench_forkexec"
K = 100
def per_child(prefix):
    return (best(prefix + [fe, str(K)]) - best(prefix + [fe, "0"])) / K
n_fe, f_fe = per_child([]), per_child(F)
print(f"fork+exec+wait            native {n_fe*1e3:7.2f} ms   fozzy --det {f_fe*1e3:7.2f} ms   ratio {f_fe/n_fe:.1f}x")
import shutil, tarfile
src = os.path.join(work, "tree")
for d in range(30):
    os.makedirs(os.path.join(src, f"d{d:02}"))
    for f in range(100):
        with open(os.path.join(src, f"d{d:02}", f"f{f:03}"), "w") as fh:
            fh.write("x" * (f % 7 * 100))
arch = os.path.join(work, "tree.tar")
with tarfile.open(arch, "w") as t:
    t.add(src, arcname="tree")
def fs_run(prefix):
    ts = []
    for _ in range(3):
        cwd = tempfile.mkdtemp(prefix="fs-", dir=work)
        cmd = prefix + ["sh", "-c", f"tar xf {arch} && find tree -printf '%i %s %T@\\n' >/dev/null"]
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        ts.append(time.perf_counter() - t0)
        shutil.rmtree(cwd, ignore_errors=True)
    return min(ts)
FA = [os.path.abspath("fozzy"), "run", "--det", "--seed", "1", "--base-dir", os.path.join(work, "runs"), "--"]
n_fs, f_fs = fs_run([]), fs_run(FA)
print(f"untar+stat 3000 files     native {n_fs*1e3:7.1f} ms   fozzy --det {f_fs*1e3:7.1f} ms   ratio {f_fs/n_fs:.1f}x")
import json
EX = [os.path.abspath("fozzy"), "--json", "explore", "--seed", "1", "--base-dir", os.path.join(work, "ex")]
def explore(args):
    t0 = time.perf_counter()
    p = subprocess.run(EX + args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return json.loads(p.stdout), time.perf_counter() - t0
race = os.path.abspath("fixtures/race")
dw, tw = explore(["--runs", "200", "--no-fork-server", "--", race, "correct"])
d, t = explore(["--runs", "300", "--", race, "correct"])
d2, t2 = explore(["--runs", "300", "--jobs", "2", "--", race, "correct"])
print(f"explore, 2 threads        whole runs (--no-fork-server) {dw['runs']/tw:.0f} schedules/s   "
      f"fork server --jobs 1 {d['runs']/t:.0f}/s ({(d['runs']/t)/(dw['runs']/tw):.1f}x)   "
      f"--jobs 2 {d2['runs']/t2:.0f}/s (goal >= 500/s)")
# does fork scale over the CPUs here? one forker alone, then one per CPU side by side
bf = os.path.abspath("fixtures/bench_fork")
alone = float(subprocess.run([bf, "3000"], stdout=subprocess.PIPE, text=True).stdout)
ncpu = min(os.cpu_count() or 1, 2)
ps = [subprocess.Popen(["taskset", "-c", str(c), bf, "3000"], stdout=subprocess.PIPE, text=True) for c in range(ncpu)]
side = sum(float(p.communicate()[0]) for p in ps)
print(f"  machine: fork+exit      one process {alone:.0f} forks/s, {ncpu} side by side {side:.0f} forks/s in all "
      f"({side/alone:.2f}x: what --jobs {ncpu} can gain at most)")
for strat in ("random", "pct", "dfs", "coverage_guided", "fifo"):
    for bug in ("atomicity", "order", "deadlock"):
        d, t = explore(["--schedule", strat, "--runs", "300", "--", race, bug])
        got = f"found at run {d['failure']['run']} in {t:.2f} s" if d.get("failure") else f"not found in {d['runs']} runs ({t:.1f} s)"
        print(f"  {strat:<15} {bug:<10} {got}")
fz_dir = os.path.join(work, "fuzz")
os.makedirs(os.path.join(fz_dir, "seeds"))
with open(os.path.join(fz_dir, "seeds", "seed"), "wb") as fh:
    fh.write(b"TLV1N\x05helloI\x04ABCDE\x00padding-padding-padding-padding")
tlv = os.path.abspath("fixtures/fuzz/tlv.c")
def cc(cmd, env=None):
    return subprocess.run(cmd, cwd=fz_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
if not cc([os.path.abspath("fozzy"), "cc", "-O1", "-DFIXED", "-o", "tlv_fixed", tlv]) or not cc([os.path.abspath("fozzy"), "cc", "-O1", "-o", "tlv", tlv]):
    print("fuzz                      skipped: fozzy cc needs clang and libclang-rt-14-dev")
else:
    FZ = [os.path.abspath("fozzy"), "--json", "fuzz", "--seed", "1", "--base-dir", os.path.join(fz_dir, "runs")]
    def fozzy_fuzz(args, target, seeds="seeds", targs=()):
        corpus = tempfile.mkdtemp(prefix="c-", dir=fz_dir)
        shutil.copy(os.path.join(fz_dir, seeds, "seed"), corpus)
        t0 = time.perf_counter()
        p = subprocess.run(FZ + ["--corpus", corpus] + args + ["--", "./" + target, *targs], cwd=fz_dir,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return json.loads(p.stdout), time.perf_counter() - t0
    d_fs, _ = fozzy_fuzz(["--time", "10s"], "tlv_fixed")
    d_full, _ = fozzy_fuzz(["--time", "10s", "--no-fork-server"], "tlv_fixed")
    afl = shutil.which("afl-fuzz") and shutil.which("afl-clang-fast")
    aenv = dict(os.environ, AFL_NO_UI="1", AFL_SKIP_CPUFREQ="1", AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES="1",
                AFL_NO_AFFINITY="1")
    def afl_run(target, secs, until_crash, seeds="seeds", args=()):
        out = tempfile.mkdtemp(prefix="afl-", dir=fz_dir)
        e = dict(aenv, AFL_BENCH_UNTIL_CRASH="1") if until_crash else aenv
        t0 = time.perf_counter()
        subprocess.run(["afl-fuzz", "-i", seeds, "-o", out, "-s", "1", "-V", str(secs), "--", "./" + target, *args],
                       cwd=fz_dir, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        el = time.perf_counter() - t0
        stats = {}
        try:
            for line in open(os.path.join(out, "default", "fuzzer_stats")):
                k, _, v = line.partition(":")
                stats[k.strip()] = v.strip()
        except OSError:
            pass
        return stats, el
    afl_eps = None
    if afl:
        env = dict(os.environ, AFL_USE_ASAN="1")
        if cc(["afl-clang-fast", "-O1", "-g", "-DFIXED", "-o", "tlv_fixed_afl", tlv], env) and cc(["afl-clang-fast", "-O1", "-g", "-o", "tlv_afl", tlv], env):
            st, _ = afl_run("tlv_fixed_afl", 10, False)
            if st.get("execs_per_sec"):
                afl_eps = float(st["execs_per_sec"])
    base = f"afl-fuzz {afl_eps:.0f} execs/s" if afl_eps else "afl-fuzz not installed (apt-get install afl++)"
    ratio = f"   ratio {d_fs['execsPerSec']/afl_eps:.2f}x AFL++ (goal >= 0.5)" if afl_eps else ""
    print(f"fuzz, ASan TLV parser     {base}   fozzy fork server {d_fs['execsPerSec']:.0f} execs/s{ratio}")
    print(f"                          fozzy full runs (--no-fork-server) {d_full['execsPerSec']:.0f} execs/s")
    d_bug, t_bug = fozzy_fuzz(["--runs", "20000", "--crash-only"], "tlv")
    got = f"found after {d_bug['execs']} execs in {t_bug:.1f} s" if d_bug["findings"] else f"not found in {d_bug['execs']} execs"
    print(f"  time to the bug         fozzy (seed 1): {got}")
    if afl_eps:
        st, el = afl_run("tlv_afl", 120, True)
        crashes = int(st.get("saved_crashes", st.get("unique_crashes", "0")) or 0)
        got = f"found after {st.get('execs_done')} execs in {el:.1f} s" if crashes else f"not found in {el:.0f} s"
        print(f"                          afl-fuzz (-s 1): {got}")
    # the second fixture parser (length-prefixed strings, the input as a file: @@)
    lp = os.path.abspath("fixtures/fuzz/lpstr.c")
    os.makedirs(os.path.join(fz_dir, "lpseeds"))
    with open(os.path.join(fz_dir, "lpseeds", "seed"), "wb") as fh:
        fh.write(b"\x02\x03\x00abc\x02\x00de")
    if cc([os.path.abspath("fozzy"), "cc", "-O1", "-o", "lpstr", lp]):
        d_lp, t_lp = fozzy_fuzz(["--runs", "20000", "--crash-only"], "lpstr", "lpseeds", ("@@",))
        got = f"found after {d_lp['execs']} execs in {t_lp:.1f} s" if d_lp["findings"] else f"not found in {d_lp['execs']} execs"
        print(f"fuzz, ASan lpstr parser   time to the bug, fozzy (seed 1): {got}")
        if afl and cc(["afl-clang-fast", "-O1", "-g", "-o", "lpstr_afl", lp], dict(os.environ, AFL_USE_ASAN="1")):
            st, el = afl_run("lpstr_afl", 120, True, "lpseeds", ("@@",))
            crashes = int(st.get("saved_crashes", st.get("unique_crashes", "0")) or 0)
            got = f"found after {st.get('execs_done')} execs in {el:.1f} s" if crashes else f"not found in {el:.0f} s"
            print(f"                          afl-fuzz (-s 1): {got}")
    # persistent mode: a libFuzzer-style harness (key=value parser), many inputs per process,
    # against afl-fuzz with afl++'s libAFLDriver (its own persistent loop) on the same source
    harness = os.path.abspath("fixtures/fuzz/harness.c")
    os.makedirs(os.path.join(fz_dir, "hseeds"))
    with open(os.path.join(fz_dir, "hseeds", "seed"), "wb") as fh:
        fh.write(b"K=v")
    if cc([os.path.abspath("fozzy"), "cc", "-O1", "-g", "-DFIXED", "-o", "harness_fixed", harness]):
        d_p, _ = fozzy_fuzz(["--time", "10s"], "harness_fixed", "hseeds")
        d_np, _ = fozzy_fuzz(["--time", "10s", "--no-persistent"], "harness_fixed", "hseeds")
        afl_p = None
        if afl and cc(["afl-clang-fast", "-O1", "-g", "-DFIXED", "-fsanitize=fuzzer", "-o", "harness_fixed_afl", harness],
                      dict(os.environ, AFL_USE_ASAN="1")):
            st, _ = afl_run("harness_fixed_afl", 10, False, "hseeds")
            if st.get("execs_per_sec"):
                afl_p = float(st["execs_per_sec"])
        base = f"afl-fuzz (persistent) {afl_p:.0f} execs/s" if afl_p else "afl-fuzz not installed"
        ratio = f"   ratio {d_p['execsPerSec']/afl_p:.2f}x AFL++ (goal >= 0.5)" if afl_p else ""
        print(f"fuzz, ASan harness        {base}   fozzy {d_p['execution']} {d_p['execsPerSec']:.0f} execs/s{ratio}")
        print(f"                          fozzy one input per fork (--no-persistent) {d_np['execsPerSec']:.0f} execs/s")
        if not os.path.exists(os.path.join(fz_dir, "harness")):
            cc([os.path.abspath("fozzy"), "cc", "-O1", "-g", "-o", "harness", harness])
        d_hb, t_hb = fozzy_fuzz(["--runs", "50000", "--crash-only"], "harness", "hseeds")
        got = f"found after {d_hb['execs']} execs in {t_hb:.1f} s" if d_hb["findings"] else f"not found in {d_hb['execs']} execs"
        print(f"  time to the bug         fozzy (seed 1, persistent): {got}")
sc_dir = os.path.join(work, "scenarios")
def scenario_set(name, steps):
    d = os.path.join(sc_dir, name)
    os.makedirs(d)
    for i in range(1000):
        with open(os.path.join(d, f"s{i:04d}.fozzy.json"), "w") as f:
            f.write('{"version":1,"name":"s%d","steps":[%s]}' % (i, steps))
    return d
small = scenario_set("small", ",".join([
    '{"type":"set_kv","key":"k","value":"v"}', '{"type":"rand_u64","key":"r"}',
    '{"type":"sleep","duration":"10ms"}', '{"type":"get_kv_assert","key":"k","equals":"v"}',
    '{"type":"http_when","method":"GET","path":"/","status":200,"body":"ok"}',
    '{"type":"http_request","method":"GET","path":"/","expect_status":200}',
    '{"type":"memory_alloc","bytes":64,"key":"m"}', '{"type":"memory_free","key":"m"}',
    '{"type":"assert_eq_int","a":1,"b":1}']))
empty = scenario_set("empty", "")
def scn_rate(d, jobs):
    t = best(["./fozzy", "test", "--det", "--seed", "1", "--jobs", str(jobs), "--base-dir", os.path.join(work, "runs"),
              os.path.join(d, "*.fozzy.json")])
    return 1000 / t
e1, s1, s2 = scn_rate(empty, 1), scn_rate(small, 1), scn_rate(small, 2)
print(f"scenarios (fozzy test)    empty files {e1:7.0f}/s   9-step scenarios --jobs 1 {s1:7.0f}/s ({s1/e1:.2f}x the empty floor)"
      f"   --jobs 2 {s2:7.0f}/s ({s2/s1:.2f}x --jobs 1)")
shutil.rmtree(work, ignore_errors=True)
PY
