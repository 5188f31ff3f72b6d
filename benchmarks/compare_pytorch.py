#!/usr/bin/python3
"""PyTorch side of benchmarks/compare-pytorch.sh, and the report that puts both sides in one table.

  compare_pytorch.py bench --config default|best --threads N gemm|conv|train MODEL|lstm [--budget S] [--epoch-cap S]
                           [--quick] [--mnist DIR]
      runs one group of workloads in PyTorch and prints one JSON object per figure, in the same format as
      the jgrad side (org.jgrad.benchmarks.Compare). The environment (OpenBLAS, glibc malloc) is set by
      the caller; --config only labels the output.
  compare_pytorch.py report --results DIR [--markdown OUT] [--meta FILE]
      reads every *.jsonl in DIR and prints the Markdown table; with --markdown also writes RESULTS.md.

The workloads mirror benchmarks/src/main/java/org/jgrad/benchmarks/{Workloads,Models,Compare}.java:
same shapes, same models, same loss and optimiser, same timing rule (median of repeats after a warm-up;
a training epoch timed once after a warm-up of at least 100 steps and --train-warmup seconds (at most 10 s),
capped and extrapolated if it runs too long).
"""

import argparse
import json
import os
import statistics
import sys
import time

GEMM_SQUARE = [256, 512, 1024, 2048]
GEMM_TRAINING = [  # name, m, k, n  (see Workloads.GEMM_TRAINING)
    ("64x784@784x256", 64, 784, 256),
    ("256x64@64x784", 256, 64, 784),
    ("64x256@256x128", 64, 256, 128),
    ("64x128@128x784", 64, 128, 784),
    ("64x288@288x7744", 64, 288, 7744),
]
CONV = [  # name, n, c, h, w, out channels, kernel, padding  (see Workloads.CONV)
    ("64x1x28x28->32 3x3", 64, 1, 28, 28, 32, 3, 0),
    ("64x32x13x13->64 3x3", 64, 32, 13, 13, 64, 3, 0),
    ("64x3x32x32->64 3x3 p1", 64, 3, 32, 32, 64, 3, 1),
    ("64x64x32x32->64 3x3 p1", 64, 64, 32, 32, 64, 3, 1),
]
MODELS = ["mlp", "cnn", "autoencoder"]
BATCH = 64
MNIST_TRAIN = 60000


# ----------------------------------------------------------------------------- PyTorch workloads

class Runner:
    def __init__(self, args):
        import torch
        self.torch = torch
        self.args = args
        torch.set_num_threads(args.threads)
        torch.manual_seed(0)
        self.dev = torch.device(args.device)
        self.cuda = self.dev.type == "cuda"
        # on a GPU the configurations of the CPU runs do not apply: one implementation, "pytorch-cuda"
        self.impl = "pytorch-" + (self.dev.type if self.cuda else args.config)

    def sync(self):
        """Waits for queued GPU work, so that a timing covers it (a no-op on the CPU)."""
        if self.cuda:
            self.torch.cuda.synchronize()

    def emit(self, suite, case, unit, value, **extra):
        rec = {"impl": self.impl, "threads": self.torch.get_num_threads(), "suite": suite, "case": case,
               "unit": unit, "value": value}
        if self.cuda:
            rec["device"] = str(self.dev)
            rec["gpu"] = self.torch.cuda.get_device_name(self.dev)
        rec.update(extra)
        print(json.dumps(rec), flush=True)

    def median(self, fn):
        """Same rule as Compare.median: warm up for at least 10 calls and 2 s or half the budget if longer (0.25 s with
        --quick; at most 10 s), then repeat
        until the budget is spent and at least 3 ran (at most 200; three budgets end it whatever the count). A first
        call longer than five budgets and 10 s is the figure itself. Returns (median seconds, extra fields)."""
        budget = self.args.budget
        warm = max(0.25 if self.args.quick else 2.0, budget / 2)
        if self.cuda:
            inner = fn

            def fn():
                inner()
                self.sync()
        s0 = time.perf_counter()
        calls = 0
        while True:
            fn()
            calls += 1
            spent = time.perf_counter() - s0
            if calls == 1 and spent > max(10, 5 * budget):
                return spent, {"reps": 1, "singleCall": True}
            if (calls >= 10 and spent >= warm) or spent >= 10:
                break
        times = []
        m0 = time.perf_counter()
        while len(times) < 200:
            a = time.perf_counter()
            fn()
            times.append(time.perf_counter() - a)
            spent = time.perf_counter() - m0
            if (spent >= budget and len(times) >= 3) or spent >= 3 * budget:
                break
        return statistics.median(times), {"reps": len(times), "singleCall": False}

    def gemm(self):
        torch = self.torch
        cases = [("n=%d" % n, n, n, n) for n in GEMM_SQUARE if not (self.args.quick and n > 512)] + GEMM_TRAINING
        with torch.no_grad():
            d = self.dev
            wa, wb = torch.randn(96, 200, device=d), torch.randn(200, 160, device=d)
            prewarm(lambda: torch.mm(wa, wb))  # same process warm-up as Compare.gemm
            for name, m, k, n in cases:
                a, b = torch.randn(m, k, device=d), torch.randn(k, n, device=d)
                s, extra = self.median(lambda: torch.mm(a, b))
                self.emit("gemm", name, "GFLOP/s", 2.0 * m * k * n / s / 1e9, ms=s * 1e3, **extra)
            if not self.cuda:
                # The kernel alone, into one reused output (jgrad: Gemm.sgemm into one array).
                for name, m, k, n in cases:
                    a, b = torch.randn(m, k), torch.randn(k, n)
                    c = torch.empty(m, n)
                    s, extra = self.median(lambda: torch.mm(a, b, out=c))
                    self.emit("gemm into C", name, "GFLOP/s", 2.0 * m * k * n / s / 1e9, ms=s * 1e3, **extra)

    def conv(self):
        torch = self.torch
        import torch.nn.functional as F
        d = self.dev
        px = torch.randn(4, 8, 12, 12, device=d, requires_grad=True)
        pw = torch.randn(16, 8, 3, 3, device=d, requires_grad=True)
        pb, pg = torch.randn(16, device=d, requires_grad=True), torch.randn(4, 16, 12, 12, device=d)
        prewarm(lambda: F.conv2d(px, pw, pb, padding=1).backward(pg))  # same process warm-up as Compare.conv
        for name, n, c, h, w, o, k, pad in CONV:
            x = torch.randn(n, c, h, w, device=d, requires_grad=True)
            bound = 1 / (c * k * k) ** 0.5
            wt = (torch.rand(o, c, k, k, device=d) * 2 * bound - bound).requires_grad_(True)
            b = (torch.rand(o, device=d) * 2 * bound - bound).requires_grad_(True)
            ho, wo = h + 2 * pad - k + 1, w + 2 * pad - k + 1
            gy = torch.randn(n, o, ho, wo, device=d)
            flops = 2.0 * n * o * ho * wo * c * k * k

            def both():
                x.grad = None
                wt.grad = None
                b.grad = None
                F.conv2d(x, wt, b, padding=pad).backward(gy)

            s, extra = self.median(both)
            self.emit("conv fwd+bwd", name, "ms", s * 1e3, **{"GFLOP/s": 3 * flops / s / 1e9}, **extra)

    def model(self, name):
        nn = self.torch.nn
        if name == "mlp":
            net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
            return net, nn.CrossEntropyLoss(), lambda x: x, False
        if name == "cnn":
            net = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                                nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
            return net, nn.CrossEntropyLoss(), lambda x: x.view(-1, 1, 28, 28), False
        if name == "autoencoder":
            net = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 32), nn.ReLU(), nn.Linear(32, 128),
                                nn.ReLU(), nn.Linear(128, 784), nn.Sigmoid())
            return net, nn.MSELoss(), lambda x: x, True
        raise SystemExit("compare_pytorch.py: unknown model %r, expected one of %s" % (name, MODELS))

    def train(self, name):
        torch = self.torch
        n = 4096 if self.args.quick else MNIST_TRAIN
        case = name
        if self.args.mnist:
            images, labels = mnist_train(torch, self.args.mnist)
            n = min(n, images.shape[0])
            images, labels = images[:n], labels[:n]
            case = name + " (MNIST)"
        else:
            images = torch.rand(n, 784)
            labels = torch.randint(0, 10, (n,))
        images, labels = images.to(self.dev), labels.to(self.dev)
        net, loss_fn, shape, autoencoder = self.model(name)
        net.to(self.dev)
        net.train()
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)

        def step(x, y):
            opt.zero_grad(set_to_none=True)
            out = net(shape(x))
            loss = loss_fn(out, x if autoencoder else y)
            loss.backward()
            opt.step()
            return loss

        batches = (n + BATCH - 1) // BATCH
        warmup = 0
        w0 = time.perf_counter()
        elapsed = 0.0
        while (warmup < 100 or elapsed < self.args.train_warmup) and elapsed < 10:  # same rule as Compare.train
            r = (warmup % batches) * BATCH
            step(images[r:r + BATCH], labels[r:r + BATCH])
            warmup += 1
            elapsed = time.perf_counter() - w0
        self.sync()
        warm_secs = time.perf_counter() - w0
        t0 = time.perf_counter()
        done = samples = 0
        loss = None
        for i in range(batches):
            r = i * BATCH
            x, y = images[r:r + BATCH], labels[r:r + BATCH]
            loss = step(x, y)
            done += 1
            samples += x.shape[0]
            if time.perf_counter() - t0 > self.args.epoch_cap and i < batches - 1:
                break
        final_loss = loss.item()  # on a GPU this waits for the last step
        secs = time.perf_counter() - t0
        per_sec = samples / secs
        params = sum(p.numel() for p in net.parameters())
        self.emit("train", case, "samples/s", per_sec, epochSeconds=n / per_sec, batchesTimed=done, batches=batches,
                  partial=done < batches, samples=n, params=params, finalLoss=final_loss, warmupSteps=warmup,
                  warmupSeconds=warm_secs)
        self.emit("train peak RSS", case, "MiB", peak_rss_mib())

    def lstm(self):
        """Same step as Compare.lstm: nn.LSTM(32, 128), input [50, 64, 32], MSE against a fixed target, Adam."""
        torch = self.torch
        lstm = torch.nn.LSTM(32, 128)
        opt = torch.optim.Adam(lstm.parameters(), lr=1e-3)
        x, target = torch.randn(50, 64, 32), torch.randn(50, 64, 128)

        def step():
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.mse_loss(lstm(x)[0], target)
            loss.backward()
            opt.step()
            return loss

        prewarm(step)
        s, extra = self.median(step)
        self.emit("lstm step", "seq 50, batch 64, 32->128", "ms", s * 1e3,
                  params=sum(p.numel() for p in lstm.parameters()), **extra)


def mnist_train(torch, directory):
    """The MNIST training set from the IDX files in directory: images [60000, 784] in [0, 1], int64 labels."""
    import numpy as np
    raw = np.fromfile(os.path.join(directory, "train-images-idx3-ubyte"), dtype=np.uint8, offset=16)
    images = torch.from_numpy(raw.reshape(-1, 784)).float().div_(255)
    labels = np.fromfile(os.path.join(directory, "train-labels-idx1-ubyte"), dtype=np.uint8, offset=8)
    return images, torch.from_numpy(labels.astype(np.int64))


def prewarm(fn):
    """Runs fn for 2 s and at least 50 times (at most 20 s), as Compare.prewarm."""
    s0 = time.perf_counter()
    i = 0
    while True:
        fn()
        i += 1
        spent = time.perf_counter() - s0
        if (i > 50 and spent >= 2) or spent >= 20:
            break


def peak_rss_mib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return -1


def openblas_info():
    """OpenBLAS's build configuration and the core type it chose, read from the library torch loaded."""
    import ctypes
    import torch  # noqa: F401  (loads libblas)
    path = None
    with open("/proc/self/maps") as f:
        for line in f:
            if "libopenblas" in line:
                path = line.split()[-1]
                break
    if path is None:
        return {"library": None}
    lib = ctypes.CDLL(path)
    info = {"library": path}
    for fn in ("openblas_get_config", "openblas_get_corename"):
        try:
            f = getattr(lib, fn)
            f.restype = ctypes.c_char_p
            info[fn.replace("openblas_get_", "")] = f().decode()
        except AttributeError:
            pass
    try:
        lib.openblas_get_num_threads.restype = ctypes.c_int
        info["threads"] = lib.openblas_get_num_threads()
    except AttributeError:
        pass
    return info


def coretype_candidates():
    """OpenBLAS core types worth trying on this CPU: the one it detects, and the x86 kernels the CPU's flags allow."""
    flags, vendor = set(), ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("vendor_id"):
                    vendor = line.split(":", 1)[1].strip()
                elif line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    cands = [""]  # "" = OpenBLAS's own detection
    if "avx512f" in flags:
        cands += ["SkylakeX"] + (["Cooperlake"] if "avx512_bf16" in flags else [])
    if "avx2" in flags:
        cands += ["Haswell"] + (["Zen"] if vendor == "AuthenticAMD" else [])
    return cands


def coretype_probe(threads):
    """GFLOP/s of torch.mm at 512^3 and at the MLP's weight-gradient shape with the OpenBLAS the environment set up."""
    import torch
    torch.set_num_threads(threads)
    rates = []
    for m, k, n in ((512, 512, 512), (256, 64, 784)):
        a, b = torch.randn(m, k), torch.randn(k, n)
        for _ in range(10):
            torch.mm(a, b)
        times = []
        t_end = time.perf_counter() + 0.4
        while time.perf_counter() < t_end or len(times) < 5:
            t = time.perf_counter()
            torch.mm(a, b)
            times.append(time.perf_counter() - t)
        times.sort()
        rates.append(2.0 * m * n * k / times[len(times) // 2] / 1e9)
    return rates


def pick_coretype(args):
    """Prints the OpenBLAS core type for the best configuration: the fastest of coretype_candidates() at 1 thread.

    OpenBLAS chooses its kernels from the CPU model, and a model newer than its table falls back to an old
    generic core: 0.3.21 on an Emerald Rapids Xeon (model 207) takes Prescott, SSE3 kernels 5-7x slower than its
    AVX-512 ones. Each candidate runs in a fresh process (OpenBLAS reads OPENBLAS_CORETYPE when it loads).
    """
    import subprocess
    results = []
    for ct in coretype_candidates():
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
        env.pop("OPENBLAS_L2_SIZE", None)
        if ct:
            env["OPENBLAS_CORETYPE"] = ct
        else:
            env.pop("OPENBLAS_CORETYPE", None)
        out = subprocess.run([sys.executable, os.path.abspath(__file__), "coretype-probe"], env=env,
                             capture_output=True, text=True)
        if out.returncode != 0:
            print("coretype: %s failed: %s" % (ct or "(detected)", out.stderr.strip()[-200:]), file=sys.stderr)
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        # The geometric mean of the two shapes: a core type good at one size only is not the best.
        score = (r["rates"][0] * r["rates"][1]) ** 0.5
        results.append((score, ct, r["corename"], r["rates"]))
        print("coretype: %-10s -> core %-12s %s GFLOP/s" % (ct or "(detected)", r["corename"],
                                                           " / ".join("%.0f" % x for x in r["rates"])), file=sys.stderr)
    if not results:
        print("")
        return
    best = max(results)
    print(best[1])


# ----------------------------------------------------------------------------- report

SUITES = [  # suite, unit, higher is better, target (a number, or {threads: number}); issue 16's targets
    ("gemm", "GFLOP/s", True, {1: 0.9, 2: 0.85}),
    ("gemm into C", "GFLOP/s", True, {1: 0.9, 2: 0.85}),
    ("conv fwd+bwd", "ms", False, 1.0),
    ("train", "samples/s", True, 1.0),
    ("train peak RSS", "MiB", False, 1.0),
    ("lstm step", "ms", False, 1.0),
]
IMPLS = ["jgrad", "pytorch-default", "pytorch-best"]


def load(results_dir):
    recs = []
    for fn in sorted(os.listdir(results_dir)):
        if not fn.endswith(".jsonl"):
            continue
        with open(os.path.join(results_dir, fn)) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        recs.append(json.loads(line))
                    except json.JSONDecodeError:
                        print("report: skipping a malformed line in %s: %s" % (fn, line[:80]), file=sys.stderr)
    return recs


def fmt(v, unit):
    if v is None:
        return "—"
    if unit == "samples/s":
        return "{:,.0f}".format(v)
    if v >= 100:
        return "{:,.0f}".format(v)
    if v >= 10:
        return "%.1f" % v
    return "%.2f" % v


def table(recs):
    by = {}
    for r in recs:
        if "suite" in r and "case" in r and r.get("value") is not None:
            by[(r["suite"], r["case"], r["threads"], r["impl"])] = r
    threads = sorted({r["threads"] for r in recs if "threads" in r and "case" in r})
    rows = []
    head = ("| workload | unit | threads | jgrad | PyTorch (default) | PyTorch (best) "
            "| jgrad vs faster PyTorch (> 1 = jgrad better) | target |")
    rows.append(head)
    rows.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    notes = []
    misses = []
    for suite, unit, higher, target in SUITES:
        cases = []
        for r in recs:
            if r.get("suite") == suite and r["case"] not in cases:
                cases.append(r["case"])
        if suite in ("gemm", "gemm into C"):  # square sizes first, ascending, then the training shapes
            cases.sort(key=lambda c: (0, int(c[2:])) if c.startswith("n=") else (1, 0))
        for case in cases:
            for t in threads:
                cells = []
                vals = {}
                for impl in IMPLS:
                    r = by.get((suite, case, t, impl))
                    v = r["value"] if r else None
                    vals[impl] = v
                    cell = fmt(v, unit)
                    if r and r.get("singleCall"):
                        cell += " †"
                        notes.append("† %s, %s %s, %d thread(s): one cold call only (it took more than 10 s and five budgets)"
                                     % (impl, suite, case, t))
                    if r and suite == "train peak RSS" and r.get("heapCommittedMiB") is not None:
                        cell += " (heap %s)" % fmt(r["heapCommittedMiB"], unit)
                    if r and suite == "train":
                        cell += " (%.2f s)" % r["epochSeconds"]
                        if r.get("partial"):
                            cell += " ‡"
                            notes.append("‡ %s, %s, %d thread(s): %d of %d batches timed (epoch cap), epoch time extrapolated"
                                         % (impl, case, t, r["batchesTimed"], r["batches"]))
                    cells.append(cell)
                torch_vals = [v for k, v in vals.items() if k != "jgrad" and v is not None and v > 0]
                ratio = "—"
                tv = target.get(t) if isinstance(target, dict) else target
                if vals["jgrad"] is not None and vals["jgrad"] > 0 and torch_vals:
                    best = max(torch_vals) if higher else min(torch_vals)
                    x = vals["jgrad"] / best if higher else best / vals["jgrad"]
                    ratio = "%.2f" % x
                    if tv is not None:
                        ratio += " ✓" if x >= tv else " ✗"
                tgt = "—" if tv is None else "≥ %.2f" % tv
                label = {"gemm": "GEMM ", "gemm into C": "GEMM into a reused C, ", "conv fwd+bwd": "conv2d fwd+bwd ",
                         "train": "train epoch ", "train peak RSS": "peak RSS, epoch ",
                         "lstm step": "LSTM train step "}[suite] + case
                if ratio.endswith("✗"):
                    short = (1 - x / tv) * 100
                    misses.append("%s, %d thread(s): %.2f against %s, %.0f%% short%s"
                                  % (label, t, x, tgt, short,
                                     " (no target in issue 16; shown against 1.0)" if suite == "lstm step" else ""))
                arrow = unit + (" ↑" if higher else " ↓")
                rows.append("| %s | %s | %d | %s | %s | %s | %s | %s |" % (label, arrow, t, cells[0], cells[1], cells[2],
                                                                       ratio, tgt))
    return "\n".join(rows), notes, misses


def missed_section(misses):
    """The rows that missed their target, by how much, and where the profiles of such misses are."""
    if not misses:
        return "\n## Missed targets\n\nNone: every row with a target met it in this run.\n"
    return ("\n## Missed targets\n\n" + "".join("- %s\n" % m for m in misses)
            + "\nWhat limits such rows, with the profiles and measurements behind it, is in `benchmarks/LIMITS.md`"
              " (written by hand; each entry names the commit it was measured at).\n")


def gc_section(recs):
    """jgrad's collector during each timed epoch (Compare.train's gcPauses / gcMillis / allocatedMiBPerStep)."""
    rows = [r for r in recs if r.get("impl") == "jgrad" and r.get("suite") == "train" and r.get("gcMillis") is not None]
    if not rows:
        return ""
    out = ["\n## jgrad's garbage collector during the timed epochs\n",
           "Collections (with the JVM flags under Versions above) and their pauses, counted by the JVM over the",
           "timed batches of each epoch row above; heap allocated per training step, all threads. PyTorch has no such",
           "pauses: its allocator reuses a freed block at once.\n",
           "| epoch | threads | batches timed | collections | pause ms | share of the timed epoch | MiB allocated per step |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        timed = r["timedSeconds"]  # written together with gcMillis
        share = "%.1f%%" % (100.0 * r["gcMillis"] / 1000.0 / timed) if timed > 0 else "—"
        alloc = "—" if r.get("allocatedMiBPerStep") is None else "%.1f" % r["allocatedMiBPerStep"]
        out.append("| %s | %d | %d | %d | %d | %s | %s |" % (r["case"], r["threads"], r["batchesTimed"], r["gcPauses"],
                                                          r["gcMillis"], share, alloc))
    return "\n".join(out) + "\n"


def report(args):
    recs = load(args.results)
    if not recs:
        raise SystemExit("report: no results (*.jsonl) in %s" % args.results)
    md, notes, misses = table(recs)
    print(md)
    for n in notes:
        print("- " + n)
    print(missed_section(misses))
    print(gc_section(recs))
    if args.markdown:
        meta = ""
        if args.meta and os.path.exists(args.meta):
            with open(args.meta) as f:
                meta = f.read()
        with open(args.markdown, "w") as f:
            f.write(meta.replace("@@TABLE@@", md + "\n" + "".join("\n- " + n for n in notes) + "\n"
                                 + missed_section(misses) + gc_section(recs)))
        print("wrote " + args.markdown, file=sys.stderr)


def gpu_report(args):
    """The GPU table: jgrad CUDA against PyTorch CUDA on the same shapes and card (compare-pytorch-gpu.sh)."""
    recs = [r for r in load(args.results) if r.get("impl") in ("jgrad-cuda", "pytorch-cuda")]
    if not recs:
        raise SystemExit("gpu-report: no jgrad-cuda / pytorch-cuda results in %s" % args.results)
    rows, order = {}, []
    for r in recs:
        key = (r["suite"], r["case"], r["unit"])
        if key not in rows:
            rows[key] = {}
            order.append(key)
        rows[key][r["impl"]] = r["value"]
    card = next((r["gpu"] for r in recs if r.get("gpu")), "unknown card")
    lines = ["GPU: %s (as PyTorch names it)." % card, "",
             "| suite | case | unit | jgrad CUDA | PyTorch CUDA | ratio (> 1: jgrad better) | target |",
             "| --- | --- | --- | ---: | ---: | ---: | --- |"]
    for key in order:
        v = rows[key]
        j, t = v.get("jgrad-cuda"), v.get("pytorch-cuda")
        ratio = ""
        if j and t:
            ratio = "%.2f" % ((t / j) if key[2] in ("ms", "MiB") else (j / t))
        target = ""
        if key[0] == "train" and key[1] in ("mlp", "cnn") and ratio:
            target = "≥ 0.7: " + ("✓" if float(ratio) >= 0.7 else "✗")
        fmt_v = lambda x: "-" if x is None else ("%.4g" % x)
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (key[0], key[1], key[2], fmt_v(j), fmt_v(t), ratio, target))
    md = "\n".join(lines)
    print(md)
    if args.markdown:
        meta = ""
        if args.meta and os.path.exists(args.meta):
            with open(args.meta) as f:
                meta = f.read()
        with open(args.markdown, "w") as f:
            f.write(meta.replace("@@TABLE@@", md + "\n") if meta else md + "\n")
        print("wrote " + args.markdown, file=sys.stderr)


# ----------------------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--config", choices=["default", "best"], required=True)
    b.add_argument("--threads", type=int, required=True)
    b.add_argument("--budget", type=float, default=1.0)
    b.add_argument("--epoch-cap", type=float, default=120.0)
    b.add_argument("--train-warmup", type=float, default=0.0,
                   help="shortest warm-up in seconds before a timed epoch (besides at least 100 steps)")
    b.add_argument("--quick", action="store_true")
    b.add_argument("--device", default="cpu", help="cpu (default) or cuda: where the tensors and models live")
    b.add_argument("--mnist", help="train on the MNIST IDX files in this directory instead of random data")
    b.add_argument("group", choices=["gemm", "conv", "train", "lstm", "info"])
    b.add_argument("model", nargs="?")
    sub.add_parser("coretype", help="print the fastest OPENBLAS_CORETYPE for this CPU (empty: OpenBLAS's own choice)")
    sub.add_parser("coretype-probe", help=argparse.SUPPRESS)
    r = sub.add_parser("report")
    r.add_argument("--results", required=True)
    r.add_argument("--markdown")
    r.add_argument("--meta")
    gr = sub.add_parser("gpu-report")
    gr.add_argument("--results", required=True)
    gr.add_argument("--markdown")
    gr.add_argument("--meta")
    args = p.parse_args()
    if args.cmd == "report":
        report(args)
        return
    if args.cmd == "gpu-report":
        gpu_report(args)
        return
    if args.cmd == "coretype":
        pick_coretype(args)
        return
    if args.cmd == "coretype-probe":
        print(json.dumps({"rates": coretype_probe(1), "corename": openblas_info().get("corename")}))
        return
    if args.threads < 1:
        raise SystemExit("compare_pytorch.py: --threads must be >= 1, got %d" % args.threads)
    if args.group == "info":
        import torch
        import numpy
        print(json.dumps({"suite": "info", "impl": "pytorch-" + args.config, "torch": torch.__version__,
                          "numpy": numpy.__version__, "python": sys.version.split()[0], "openblas": openblas_info(),
                          "parallel": torch.__config__.parallel_info().strip().splitlines()[:6],
                          "mkldnn": torch.backends.mkldnn.is_available(),
                          "mkldnnVersion": next((ln.split("MKL-DNN", 1)[1].strip() for ln in
                                                 torch.__config__.show().splitlines() if "MKL-DNN" in ln), None),
                          "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                                 "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                                 "GLIBC_TUNABLES")}}))
        return
    runner = Runner(args)
    if args.group == "gemm":
        runner.gemm()
    elif args.group == "conv":
        runner.conv()
    elif args.group == "lstm":
        runner.lstm()
    else:
        if args.model not in MODELS:
            raise SystemExit("compare_pytorch.py: train needs a model, one of %s" % MODELS)
        runner.train(args.model)


if __name__ == "__main__":
    main()
