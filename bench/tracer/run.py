#!/usr/bin/env python3
"""Tracer overhead and throughput, measured side by side (see README.md).

  sudo bench/tracer/run.py --mlbom ./bin/mlbom [--pairs 8]

Overhead: each workload runs without the tracer and with `mlbom trace`
attached, alternating which goes first, --pairs times; the report gives the
median ratio traced/untraced of CPU time (what the in-kernel filter adds:
it runs in the traced process) and of wall time (noisy on a shared box).
Throughput: generators open model files as fast as they can while the agent
runs with --stats; the report gives the rate and what was dropped.
"""
import argparse, os, re, resource, signal, statistics, subprocess, sys, tempfile, time

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
        for name, run in workloads.items():
            cpu_r, wall_r = [], []
            loads = []
            for i in range(args.pairs):
                res = {}
                for traced in ((False, True) if i % 2 == 0 else (True, False)):
                    t = Tracer(args.mlbom) if traced else None
                    r = run()
                    if t:
                        t.stop()
                    if isinstance(r, list):
                        r = (sum(x[0] for x in r), sum(x[1] for x in r))
                    res[traced] = r
                    loads.append(float(loadavg()))
                wall_r.append(res[True][0] / res[False][0])
                cpu_r.append(res[True][1] / res[False][1])
                print(f"  {name} pair {i}: untraced wall {res[False][0]:.2f}s cpu {res[False][1]:.3f}s | traced wall {res[True][0]:.2f}s cpu {res[True][1]:.3f}s")
            print(f"{name}: CPU time traced/untraced median {statistics.median(cpu_r):.3f} "
                  f"(min {min(cpu_r):.3f}, max {max(cpu_r):.3f}); wall median {statistics.median(wall_r):.3f} "
                  f"(min {min(wall_r):.3f}, max {max(wall_r):.3f}); load average {min(loads):.1f}-{max(loads):.1f}")

        # Throughput: model-file opens the pipeline takes without a drop.
        models_files = sorted(os.path.join(models, f) for f in os.listdir(models))
        per = args.model_opens // args.generators
        t = Tracer(args.mlbom, ["--stats"])
        gens = [subprocess.Popen([loop, str(per), *models_files], stdout=subprocess.PIPE, text=True) for _ in range(args.generators)]
        outs = [g.communicate()[0] for g in gens]
        time.sleep(2)  # let the agent drain its queue before stopping
        stats = t.stop()
        walls = [float(re.search(r"wall_s=([\d.]+)", o).group(1)) for o in outs]
        total = per * args.generators
        rate = total / max(walls)
        m = re.search(r"(\d+) events received, (\d+) sent, (\d+) folded, (\d+) dropped \(kernel (\d+), queue (\d+)\)", stats)
        received, dropped, kdrop, qdrop = int(m.group(1)), int(m.group(4)), int(m.group(5)), int(m.group(6))
        print(f"model-file opens: {total} by {args.generators} generators in {max(walls):.2f}s = {rate:,.0f}/s; "
              f"agent received {received} (other processes' model opens included), dropped {dropped} "
              f"(ring buffer {kdrop}, queue {qdrop}); load average {loadavg()}")


if __name__ == "__main__":
    main()
