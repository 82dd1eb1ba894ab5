#!/usr/bin/env python3
"""Tracer overhead and throughput, measured side by side (see README.md).

  sudo bench/tracer/run.py --mlbom ./bin/mlbom [--baseline ./bin/mlbom-main] [--pairs 8]

Overhead: each workload runs without the tracer and with `mlbom trace`
attached (and with --baseline's, to compare two builds), the order rotating
every round, --pairs rounds; the report gives the median ratio
traced/untraced of CPU time (what the in-kernel filter adds: it runs in the
traced process) with its spread, and of wall time (noisy on a shared box).
Throughput: generators open model files as fast as they can while the agent
runs with --stats, alternating the builds; the report gives the rate and
what was dropped.
"""
import argparse, os, random, re, resource, signal, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))


def loadavg():
    return open("/proc/loadavg").read().split()[0]


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd, **kw):
    c0, w0 = children_cpu(), time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.monotonic() - w0, children_cpu() - c0


class Tracer:
    def __init__(self, mlbom, extra=()):
        self.mlbom = mlbom
        self.p = subprocess.Popen([mlbom, "trace", "--stdout", "--source", "ebpf", *extra],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = self.p.stderr.readline()
        while "watching" not in line:
            if not line:
                sys.exit("tracer did not start: " + (self.p.stderr.read() or ""))
            line = self.p.stderr.readline()

    def stop(self):
        self.p.send_signal(signal.SIGINT)
        err = self.p.stderr.read()
        self.p.wait()
        return err


def median_ci(xs, n=5000):
    """95% bootstrap interval of the median: how far the median of this
    many rounds can move with the machine's noise."""
    rnd = random.Random(1)
    meds = sorted(statistics.median(rnd.choices(xs, k=len(xs))) for _ in range(n))
    return meds[int(n * 0.025)], meds[int(n * 0.975)]


def setup(dir):
    plain = os.path.join(dir, "plain")
    models = os.path.join(dir, "models")
    src = os.path.join(dir, "src")
    for d in (plain, models, src):
        os.makedirs(d)
    for i in range(64):
        open(os.path.join(plain, f"f{i}.json"), "w").write("{}\n")
    for i in range(1000):
        open(os.path.join(models, f"m{i}.safetensors"), "w").write("x\n")
    # A build-like workload: translation units that pull in the usual
    # headers, compiled one by one (header opens dominate a C build).
    for i in range(24):
        open(os.path.join(src, f"u{i}.c"), "w").write(
            "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <math.h>\n"
            "#include <pthread.h>\n#include <sys/stat.h>\n#include <fcntl.h>\n#include <errno.h>\n"
            f"int f{i}(int x) {{ char b[64]; snprintf(b, sizeof b, \"%d\", x); return (int)strlen(b) + (int)sqrt(x); }}\n")
    loop = os.path.join(dir, "openloop")
    subprocess.run(["gcc", "-O2", "-o", loop, os.path.join(HERE, "openloop.c")], check=True)
    return plain, models, src, loop


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlbom", required=True)
    ap.add_argument("--pairs", type=int, default=8)
    ap.add_argument("--opens", type=int, default=200000)
    ap.add_argument("--model-opens", type=int, default=400000)
    ap.add_argument("--generators", type=int, default=2)
    ap.add_argument("--baseline", help="another mlbom build, measured in the same rounds")
    ap.add_argument("--only", help="one part: open/close, build-like or throughput")
    ap.add_argument("--throughput-runs", type=int, default=3)
    ap.add_argument("--unfolded", action="store_true", help="also measure throughput with a 1 ms fold window")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as dir:
        plain, models, src, loop = setup(dir)
        plain_files = sorted(os.path.join(plain, f) for f in os.listdir(plain))
        units = sorted(os.path.join(src, f) for f in os.listdir(src))
        workloads = {
            "open/close loop (non-model files)": lambda: timed([loop, str(args.opens), *plain_files]),
            "build-like (gcc -c of 24 units)": lambda: [timed(["gcc", "-O0", "-c", u, "-o", os.devnull]) for u in units],
        }
        print(f"load average at start: {loadavg()}")
        tracers = {"traced": args.mlbom}
        if args.baseline:
            tracers = {"baseline": args.baseline, "traced": args.mlbom}
        for name, run in workloads.items():
            if args.only and args.only not in name:
                continue
            variants = ["untraced", *tracers]
            cpu_r = {v: [] for v in tracers}
            wall_r = {v: [] for v in tracers}
            loads = []
            for i in range(args.pairs):
                res = {}
                for k in range(len(variants)):
                    v = variants[(i + k) % len(variants)]
                    t = Tracer(tracers[v]) if v in tracers else None
                    r = run()
                    if t:
                        t.stop()
                    if isinstance(r, list):
                        r = (sum(x[0] for x in r), sum(x[1] for x in r))
                    res[v] = r
                    loads.append(float(loadavg()))
                for v in tracers:
                    wall_r[v].append(res[v][0] / res["untraced"][0])
                    cpu_r[v].append(res[v][1] / res["untraced"][1])
                print("  " + name + f" round {i}: " + " | ".join(f"{v} wall {res[v][0]:.2f}s cpu {res[v][1]:.3f}s" for v in variants))
            for v in tracers:
                c, w = sorted(cpu_r[v]), wall_r[v]
                lo, hi = median_ci(c)
                print(f"{name}, {v} ({tracers[v]}): CPU time traced/untraced median {statistics.median(c):.3f} "
                      f"(95% CI of the median {lo:.3f}-{hi:.3f}; min {c[0]:.3f}, quartiles {c[len(c) // 4]:.3f}-{c[(3 * len(c)) // 4]:.3f}, max {c[-1]:.3f}); "
                      f"wall median {statistics.median(w):.3f} (min {min(w):.3f}, max {max(w):.3f}); load average {min(loads):.1f}-{max(loads):.1f}")

        # Throughput: model-file opens the pipeline takes without a drop.
        if args.only and args.only != "throughput":
            return
        models_files = sorted(os.path.join(models, f) for f in os.listdir(models))
        per = args.model_opens // args.generators
        builds = [("traced", args.mlbom, [])]
        if args.baseline:
            builds.insert(0, ("baseline", args.baseline, []))
        if args.unfolded:
            # A 1 ms window: every open of a file more than 1 ms after the
            # last one sent crosses the ring buffer (no folding to speak of).
            builds.append(("traced --window 1ms", args.mlbom, ["--window", "1ms"]))
        rates = {b[0]: [] for b in builds}
        for i in range(args.throughput_runs):
            for label, mlbom, extra in builds:
                t = Tracer(mlbom, ["--stats", *extra])
                gens = [subprocess.Popen([loop, str(per), *models_files], stdout=subprocess.PIPE, text=True) for _ in range(args.generators)]
                outs = [g.communicate()[0] for g in gens]
                time.sleep(2)  # let the agent drain its queue before stopping
                stats = t.stop()
                walls = [float(re.search(r"wall_s=([\d.]+)", o).group(1)) for o in outs]
                total = per * args.generators
                rate = total / max(walls)
                m = re.search(r"(\d+) events received, (\d+) sent, (\d+) folded(?: \((\d+) more in the kernel\))?, (\d+) dropped \(kernel (\d+), queue (\d+)\)", stats)
                received, kfold, dropped, kdrop, qdrop = int(m.group(1)), int(m.group(4) or 0), int(m.group(5)), int(m.group(6)), int(m.group(7))
                rates[label].append((rate, dropped))
                print(f"  {label} run {i}: {total} model-file opens by {args.generators} generators in {max(walls):.2f}s = {rate:,.0f}/s; "
                      f"agent received {received} events, kernel folded {kfold}, dropped {dropped} "
                      f"(ring buffer {kdrop}, queue {qdrop}); load average {loadavg()}")
        for label, rs in rates.items():
            r = sorted(x[0] for x in rs)
            print(f"model-file opens/s, {label}: median {statistics.median(r):,.0f} (min {r[0]:,.0f}, max {r[-1]:,.0f}); "
                  f"runs without a drop {sum(1 for x in rs if x[1] == 0)}/{len(rs)}, drops {[x[1] for x in rs]}")


if __name__ == "__main__":
    main()
