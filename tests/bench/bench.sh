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
d, t = explore(["--runs", "100", "--", race, "correct"])
print(f"explore, 2 threads        {d['runs']} runs in {t:.2f} s: {d['runs']/t:.0f} schedules/s ({d['distinctSchedules']} distinct; goal >= 500/s needs --jobs, not built)")
for strat in ("random", "pct", "dfs", "fifo"):
    for bug in ("atomicity", "order", "deadlock"):
        d, t = explore(["--schedule", strat, "--runs", "300", "--", race, bug])
        got = f"found at run {d['failure']['run']} in {t:.2f} s" if d.get("failure") else f"not found in {d['runs']} runs ({t:.1f} s)"
        print(f"  {strat:<7} {bug:<10} {got}")
shutil.rmtree(work, ignore_errors=True)
PY
