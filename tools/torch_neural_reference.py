#!/usr/bin/python3
"""Reference values for jgrad's fused neural-network primitives (NeuralOps), from PyTorch.

Run with Debian's torch:  /usr/bin/python3 tools/torch_neural_reference.py
Writes core/src/test/resources/torch/neural.json: per case the op, its arguments, float32 inputs,
the output, and the gradients of sum(output * R) for a fixed random R with respect to each
float input.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
cases = []


def t(x):
    return {"shape": list(x.shape), "data": [float(v) for v in x.detach().reshape(-1).tolist()]}


def add(op, args, inputs, fn, int_inputs=()):
    leaves = [x.clone().requires_grad_(i not in int_inputs) for i, x in enumerate(inputs)]
    out = fn(*leaves)
    r = torch.randn(out.shape)
    (out * r).sum().backward()
    cases.append({
        "op": op, "args": args,
        "inputs": [dict(t(x), int=i in int_inputs) for i, x in enumerate(inputs)],
        "output": t(out), "r": t(r),
        "grads": [None if i in int_inputs else t(leaves[i].grad) for i in range(len(inputs))],
    })


conv_cfgs = [
    dict(n=2, c=3, h=7, w=6, o=4, k=(3, 3), stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1),
    dict(n=2, c=4, h=8, w=8, o=6, k=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 1), groups=2),
    dict(n=1, c=2, h=9, w=9, o=2, k=(3, 3), stride=(2, 2), padding=(2, 1), dilation=(2, 2), groups=1),
    dict(n=3, c=1, h=5, w=5, o=3, k=(1, 1), stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1),
    dict(n=2, c=4, h=6, w=5, o=4, k=(2, 3), stride=(1, 2), padding=(1, 1), dilation=(1, 1), groups=4),
]
for cfg in conv_cfgs:
    x = torch.randn(cfg["n"], cfg["c"], cfg["h"], cfg["w"])
    w = torch.randn(cfg["o"], cfg["c"] // cfg["groups"], *cfg["k"])
    b = torch.randn(cfg["o"])
    args = {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items() if k in ("stride", "padding", "dilation", "groups")}
    add("conv2d", args, [x, w, b], lambda x, w, b: F.conv2d(x, w, b, cfg["stride"], cfg["padding"], cfg["dilation"], cfg["groups"]))

convt_cfgs = [
    dict(n=2, cin=3, h=4, w=5, cout=2, k=(3, 3), stride=(1, 1), padding=(0, 0), output_padding=(0, 0), dilation=(1, 1), groups=1),
    dict(n=1, cin=4, h=3, w=3, cout=4, k=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), dilation=(1, 1), groups=2),
    dict(n=2, cin=2, h=4, w=3, cout=3, k=(2, 3), stride=(2, 1), padding=(0, 1), output_padding=(1, 0), dilation=(1, 1), groups=1),
    dict(n=1, cin=2, h=3, w=4, cout=2, k=(3, 2), stride=(1, 2), padding=(1, 0), output_padding=(0, 1), dilation=(2, 1), groups=1),
]
for cfg in convt_cfgs:
    x = torch.randn(cfg["n"], cfg["cin"], cfg["h"], cfg["w"])
    w = torch.randn(cfg["cin"], cfg["cout"] // cfg["groups"], *cfg["k"])
    b = torch.randn(cfg["cout"])
    args = {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()
            if k in ("stride", "padding", "output_padding", "dilation", "groups")}
    add("convTranspose2d", args, [x, w, b],
        lambda x, w, b: F.conv_transpose2d(x, w, b, cfg["stride"], cfg["padding"], cfg["output_padding"], cfg["groups"], cfg["dilation"]))

pool_cfgs = [
    dict(k=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1), shape=(2, 3, 6, 6)),
    dict(k=(3, 3), stride=(2, 2), padding=(1, 1), dilation=(1, 1), shape=(1, 2, 7, 5)),
    dict(k=(3, 2), stride=(1, 2), padding=(0, 1), dilation=(1, 1), shape=(2, 1, 5, 6)),
    dict(k=(2, 2), stride=(1, 1), padding=(0, 0), dilation=(2, 2), shape=(1, 2, 6, 6)),
]
for cfg in pool_cfgs:
    x = torch.randn(*cfg["shape"])
    args = {k: list(v) for k, v in cfg.items() if k in ("k", "stride", "padding", "dilation")}
    add("maxPool2d", args, [x], lambda x: F.max_pool2d(x, cfg["k"], cfg["stride"], cfg["padding"], cfg["dilation"]))
    if cfg["dilation"] == (1, 1):
        add("avgPool2d", args, [x], lambda x: F.avg_pool2d(x, cfg["k"], cfg["stride"], cfg["padding"]))

for shape, out in [((2, 3, 6, 6), (3, 3)), ((1, 2, 7, 5), (3, 2)), ((2, 1, 5, 9), (1, 1)), ((1, 2, 4, 4), (4, 4))]:
    x = torch.randn(*shape)
    add("adaptiveAvgPool2d", {"out": list(out)}, [x], lambda x: F.adaptive_avg_pool2d(x, out))

for n, c, ignore in [(5, 4, -100), (8, 10, -100), (6, 3, 1), (1, 7, -100)]:
    logits = torch.randn(n, c) * 3
    target = torch.randint(0, c, (n,))
    if ignore >= 0:
        target[0] = ignore
    add("logSoftmaxNll", {"ignore": ignore}, [logits, target.double()],
        lambda l, tt: F.cross_entropy(l, tt.long(), ignore_index=ignore, reduction="none"), int_inputs=(1,))

for shape, affine, training in [((6, 3), True, True), ((2, 3, 4, 5), True, True), ((3, 2, 3, 3), False, True),
                                 ((2, 3, 4, 5), True, False), ((5, 4, 7), True, True)]:
    c = shape[1]
    x = torch.randn(*shape) * 2 + 0.5
    w = torch.randn(c)
    b = torch.randn(c)
    rm0 = torch.randn(c) * 0.1
    rv0 = torch.rand(c) + 0.5
    rm, rv = rm0.clone(), rv0.clone()
    args = {"affine": affine, "training": training, "momentum": 0.1, "eps": 1e-5,
            "running_mean": rm0.tolist(), "running_var": rv0.tolist()}
    if affine:
        add("batchNorm", args, [x, w, b], lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training, 0.1, 1e-5))
    else:
        add("batchNorm", args, [x], lambda x: F.batch_norm(x, rm, rv, None, None, training, 0.1, 1e-5))
    cases[-1]["running_mean_after"] = rm.tolist()
    cases[-1]["running_var_after"] = rv.tolist()

# lstmCell: one LSTM cell from its gate pre-activations [B, 4H] and cell state [B, H], output
# stack([h', c']). Computed by PyTorch's own cell (torch.lstm_cell) with W_ih = I, W_hh = 0 and
# zero biases, so the gates are its input and the gate order is PyTorch's (i, f, g, o).
def lstm_cell_from_gates(gates, c):
    four_h, h = gates.shape[1], c.shape[1]
    hy, cy = torch.lstm_cell(gates, (torch.zeros_like(c), c), torch.eye(four_h), torch.zeros(four_h, h),
                             torch.zeros(four_h), torch.zeros(four_h))
    return torch.stack([hy, cy])


for batch, hidden in [(3, 4), (1, 5), (4, 17)]:
    add("lstmCell", {}, [2 * torch.randn(batch, 4 * hidden), torch.randn(batch, hidden)], lstm_cell_from_gates)

# gruCell: one GRU cell from its input-side gates [B, 3H], hidden-side gates [B, 3H] and hidden
# state [B, H]. Computed by PyTorch's own cell (torch.gru_cell) row by row, with W_ih = I, b_ih = 0,
# W_hh = 0 and b_hh = that row's hidden-side gates, so the gate order is PyTorch's (r, z, n).
def gru_cell_from_gates(xg, hg, h):
    three_h, w = xg.shape[1], h.shape[1]
    rows = [torch.gru_cell(xg[b:b + 1], h[b:b + 1], torch.eye(three_h), torch.zeros(three_h, w),
                           torch.zeros(three_h), hg[b]) for b in range(h.shape[0])]
    return torch.cat(rows)


for batch, hidden in [(3, 4), (1, 5), (4, 17)]:
    add("gruCell", {}, [2 * torch.randn(batch, 3 * hidden), 2 * torch.randn(batch, 3 * hidden),
                        torch.randn(batch, hidden)], gru_cell_from_gates)

out = os.path.join(os.path.dirname(__file__), "..", "core", "src", "test", "resources", "torch", "neural.json")
with open(out, "w") as f:
    json.dump({"generator": "tools/torch_neural_reference.py", "torch": torch.__version__, "cases": cases}, f)
print(f"wrote {len(cases)} cases to {out}")
