#!/usr/bin/python3
"""Reference values for jgrad-nn, computed with PyTorch (Debian's python3-torch 1.13).

Usage (from the repository root):
    /usr/bin/python3 tools/torch_nn_reference.py            # regenerate nn/src/test/resources/torch/
    /usr/bin/python3 tools/torch_nn_reference.py --check-jgrad FILE.safetensors MODEL [FILE MODEL ...]
        # read safetensors files written by jgrad into the equivalent PyTorch MODELs
        # (keras_cnn or mlp_bn), run the committed reference inputs through them and print
        # {MODEL: output} as JSON on stdout (used by SafeTensorsTorchTest)

Each layer/loss case records the module configuration, its state dict (PyTorch names), the
inputs, the outputs, a random upstream gradient per output, and the gradients of the inputs and
parameters for sum(output * upstream). The Java tests load the same state into the jgrad module,
run the same inputs and compare.

The torch 1.13 here has no `safetensors` package, so safetensors files are written and read by
hand: 8-byte little-endian header length, JSON header, raw little-endian data.
"""

import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "nn", "src", "test", "resources", "torch")

DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}


def fmt(v):
    # 9 significant digits round-trip float32 exactly and keep the files small.
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if math.isinf(v):
        return "-Infinity" if v < 0 else "Infinity"
    return float("%.9g" % v)


def tj(t):
    """A tensor as JSON: shape, dtype, flat row-major data."""
    if t is None:
        return None
    t = t.detach().cpu()
    data = t.reshape(-1).tolist()
    conv = fmt if t.dtype != torch.float64 else (lambda v: v)  # float64 keeps Python's exact repr
    return {"shape": list(t.shape), "dtype": DTYPES[t.dtype], "data": [conv(v) for v in data]}


class Writer:
    def __init__(self):
        self.cases = []

    def case(self, name, module, inputs, config, grad_inputs=None, forward=None, seed=None):
        """Runs module on inputs, records outputs and gradients.

        forward(module, inputs) returns a tuple of output tensors (default: (module(*inputs),)).
        grad_inputs: which inputs get gradients (default: floating point ones).
        """
        state = {k: v.detach().clone() for k, v in module.state_dict().items()}
        ins = []
        for i, x in enumerate(inputs):
            x = x.detach().clone()
            want = x.is_floating_point() if grad_inputs is None else grad_inputs[i]
            if want:
                x.requires_grad_(True)
            ins.append(x)
        fwd = forward or (lambda m, xs: (m(*xs),))
        outs = fwd(module, ins)
        outs = [o for o in outs]
        gouts = []
        total = None
        for o in outs:
            if o is None or not o.is_floating_point():
                gouts.append(None)
                continue
            g = torch.randn_like(o)
            gouts.append(g)
            term = (o * g).sum()
            total = term if total is None else total + term
        params = dict(module.named_parameters())
        for p in params.values():
            p.grad = None
        if total is not None and total.requires_grad:
            total.backward()
        case = {
            "name": name,
            "config": config,
            "state": {k: tj(v) for k, v in state.items()},
            "inputs": [tj(x) for x in ins],
            "outputs": [tj(o) for o in outs],
            "grad_outputs": [tj(g) for g in gouts],
            "input_grads": [tj(x.grad) if x.requires_grad else None for x in ins],
            "param_grads": {k: tj(p.grad) for k, p in params.items() if p.grad is not None},
            "state_after": {k: tj(v) for k, v in module.state_dict().items()},
        }
        self.cases.append(case)

    def save(self, group):
        os.makedirs(OUT, exist_ok=True)
        path = os.path.join(OUT, group + ".json")
        with open(path, "w") as f:
            json.dump({"generator": "tools/torch_nn_reference.py", "torch": torch.__version__, "group": group,
                       "cases": self.cases}, f, separators=(",", ":"))
            f.write("\n")
        print("wrote %s (%d cases, %d bytes)" % (os.path.relpath(path, ROOT), len(self.cases), os.path.getsize(path)))


def randomize(module, scale=0.5):
    """Non-trivial values for parameters that start as constants (norm weights, zero biases)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if "norm" in name or name in ("weight", "bias") and p.dim() == 1 or "in_proj_bias" in name or \
                    name.endswith("out_proj.bias"):
                p.copy_(torch.randn_like(p) * scale + (1.0 if name.endswith("weight") else 0.0))


# --------------------------------------------------------------------------- layers

def gen_linear():
    w = Writer()
    w.case("linear", nn.Linear(5, 3), [torch.randn(4, 5)], {"in": 5, "out": 3, "bias": True})
    w.case("linear_nobias_3d", nn.Linear(5, 3, bias=False), [torch.randn(2, 4, 5)], {"in": 5, "out": 3, "bias": False})
    w.case("bilinear", nn.Bilinear(5, 4, 3), [torch.randn(6, 5), torch.randn(6, 4)], {"in1": 5, "in2": 4, "out": 3,
                                                                                         "bias": True})
    w.case("bilinear_nobias", nn.Bilinear(2, 3, 4, bias=False), [torch.randn(2, 3, 2), torch.randn(2, 3, 3)],
           {"in1": 2, "in2": 3, "out": 4, "bias": False})
    w.save("linear")


def conv_cfg(i, o, k, s=(1, 1), p=(0, 0), d=(1, 1), g=1, b=True):
    return {"in": i, "out": o, "kernel": list(k), "stride": list(s), "padding": p if isinstance(p, str) else list(p),
            "dilation": list(d), "groups": g, "bias": b}


def gen_conv():
    w = Writer()
    for name, cfg, shape in [
        ("conv2d_basic", conv_cfg(3, 4, (3, 3)), (2, 3, 7, 7)),
        ("conv2d_stride_pad_dil_groups", conv_cfg(4, 6, (3, 2), (2, 1), (1, 2), (2, 1), 2, False), (2, 4, 9, 8)),
        ("conv2d_same_even_kernel", conv_cfg(2, 3, (4, 3), p="same", d=(1, 2)), (1, 2, 6, 7)),
        ("conv2d_depthwise_stride", conv_cfg(4, 8, (3, 3), (2, 2), (1, 1), g=4), (2, 4, 8, 8)),
        ("conv2d_unbatched", conv_cfg(2, 3, (2, 2), p=(1, 0)), (2, 5, 4)),
    ]:
        m = nn.Conv2d(cfg["in"], cfg["out"], tuple(cfg["kernel"]), tuple(cfg["stride"]),
                      cfg["padding"] if isinstance(cfg["padding"], str) else tuple(cfg["padding"]),
                      tuple(cfg["dilation"]), cfg["groups"], cfg["bias"])
        w.case(name, m, [torch.randn(*shape)], cfg)
    for name, cfg, shape in [
        ("conv1d_basic", {"in": 3, "out": 5, "kernel": 3, "stride": 2, "padding": 1, "dilation": 2, "groups": 1,
                          "bias": True}, (2, 3, 11)),
        ("conv1d_same_groups", {"in": 4, "out": 2, "kernel": 4, "stride": 1, "padding": "same", "dilation": 1,
                                "groups": 2, "bias": False}, (3, 4, 9)),
    ]:
        m = nn.Conv1d(cfg["in"], cfg["out"], cfg["kernel"], cfg["stride"], cfg["padding"], cfg["dilation"],
                      cfg["groups"], cfg["bias"])
        w.case(name, m, [torch.randn(*shape)], cfg)
    for name, cfg, shape in [
        ("convT_stride2_outpad", {"in": 4, "out": 3, "kernel": [3, 3], "stride": [2, 2], "padding": [1, 1],
                                  "output_padding": [1, 1], "groups": 1, "bias": True, "dilation": [1, 1]}, (2, 4, 4, 5)),
        ("convT_groups_dilation", {"in": 4, "out": 6, "kernel": [3, 2], "stride": [1, 2], "padding": [0, 1],
                                   "output_padding": [1, 0], "groups": 2, "bias": False, "dilation": [2, 1]},
         (1, 4, 5, 4)),
        ("convT_crop", {"in": 2, "out": 2, "kernel": [1, 2], "stride": [2, 3], "padding": [1, 2],
                        "output_padding": [0, 2], "groups": 1, "bias": True, "dilation": [1, 1]}, (2, 2, 5, 4)),
    ]:
        m = nn.ConvTranspose2d(cfg["in"], cfg["out"], tuple(cfg["kernel"]), tuple(cfg["stride"]),
                               tuple(cfg["padding"]), tuple(cfg["output_padding"]), cfg["groups"], cfg["bias"],
                               tuple(cfg["dilation"]))
        w.case(name, m, [torch.randn(*shape)], cfg)
    w.save("conv")


def gen_pool():
    w = Writer()
    for name, cfg, x in [
        ("maxpool_k2", {"kernel": [2, 2], "stride": [2, 2], "padding": [0, 0], "dilation": [1, 1], "ceil": False},
         torch.randn(2, 3, 6, 7)),
        ("maxpool_k3s2p1", {"kernel": [3, 3], "stride": [2, 2], "padding": [1, 1], "dilation": [1, 1], "ceil": False},
         torch.randn(1, 2, 7, 8)),
        ("maxpool_dil_ceil", {"kernel": [3, 2], "stride": [2, 1], "padding": [1, 0], "dilation": [2, 1], "ceil": True},
         torch.randn(2, 2, 8, 5)),
        ("maxpool_ties", {"kernel": [2, 2], "stride": [1, 1], "padding": [0, 0], "dilation": [1, 1], "ceil": False},
         torch.randint(0, 3, (1, 2, 5, 5)).float()),
        ("maxpool_unbatched", {"kernel": [2, 2], "stride": [2, 2], "padding": [0, 0], "dilation": [1, 1], "ceil": True},
         torch.randn(3, 5, 5)),
    ]:
        m = nn.MaxPool2d(tuple(cfg["kernel"]), tuple(cfg["stride"]), tuple(cfg["padding"]), tuple(cfg["dilation"]),
                         ceil_mode=cfg["ceil"])
        w.case(name, m, [x], cfg)
    for name, cfg, x in [
        ("avgpool_k2", {"kernel": [2, 2], "stride": [2, 2], "padding": [0, 0], "count_include_pad": True},
         torch.randn(2, 3, 6, 7)),
        ("avgpool_k3s2p1", {"kernel": [3, 3], "stride": [2, 2], "padding": [1, 1], "count_include_pad": True},
         torch.randn(1, 2, 7, 8)),
        ("avgpool_k3s2p1_exclude", {"kernel": [3, 3], "stride": [2, 2], "padding": [1, 1], "count_include_pad": False},
         torch.randn(1, 2, 7, 8)),
        ("avgpool_rect", {"kernel": [3, 2], "stride": [1, 2], "padding": [1, 1], "count_include_pad": False},
         torch.randn(2, 1, 5, 6)),
    ]:
        m = nn.AvgPool2d(tuple(cfg["kernel"]), tuple(cfg["stride"]), tuple(cfg["padding"]),
                         count_include_pad=cfg["count_include_pad"])
        w.case(name, m, [x], cfg)
    for name, out, x in [
        ("adaptive_7x9_to_3x4", [3, 4], torch.randn(2, 3, 7, 9)),
        ("adaptive_global", [1, 1], torch.randn(2, 4, 5, 5)),
        ("adaptive_upsize", [5, 4], torch.randn(1, 2, 3, 3)),
    ]:
        w.case(name, nn.AdaptiveAvgPool2d(tuple(out)), [x], {"out": out})
    w.save("pool")


def gen_shape_and_dropout():
    w = Writer()
    w.case("flatten_default", nn.Flatten(), [torch.randn(2, 3, 4, 5)], {"start": 1, "end": -1})
    w.case("flatten_0_1", nn.Flatten(0, 1), [torch.randn(2, 3, 4)], {"start": 0, "end": 1})
    w.case("unflatten", nn.Unflatten(1, (3, 4)), [torch.randn(2, 12, 5)], {"dim": 1, "sizes": [3, 4]})
    m = nn.Dropout(0.5)
    m.eval()
    w.case("dropout_eval", m, [torch.randn(3, 4)], {"p": 0.5, "train": False})
    w.case("dropout_p0_train", nn.Dropout(0.0), [torch.randn(3, 4)], {"p": 0.0, "train": True})
    m = nn.Dropout2d(0.3)
    m.eval()
    w.case("dropout2d_eval", m, [torch.randn(2, 3, 4, 4)], {"p": 0.3, "train": False})
    w.save("shape_dropout")


def gen_norm():
    w = Writer()

    def bn(cls, n, shape, name, train=True, momentum=0.1, affine=True, track=True, eps=1e-5, preset=False):
        m = cls(n, eps=eps, momentum=momentum, affine=affine, track_running_stats=track)
        if affine:
            randomize(m)
        if preset and track:
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(n))
                m.running_var.copy_(torch.rand(n) + 0.5)
                m.num_batches_tracked.fill_(3)
        m.train(train)
        w.case(name, m, [torch.randn(*shape) * 2 + 0.5],
               {"kind": cls.__name__, "num": n, "eps": eps, "momentum": momentum, "affine": affine, "track": track,
                "train": train})

    bn(nn.BatchNorm1d, 5, (8, 5), "bn1d_train")
    bn(nn.BatchNorm1d, 5, (4, 5, 6), "bn1d_train_3d", momentum=0.3, preset=True)
    bn(nn.BatchNorm1d, 5, (4, 5), "bn1d_eval", train=False, preset=True)
    bn(nn.BatchNorm1d, 3, (6, 3), "bn1d_cumulative", momentum=None, preset=True)
    bn(nn.BatchNorm2d, 4, (3, 4, 5, 5), "bn2d_train", eps=1e-3)
    bn(nn.BatchNorm2d, 4, (3, 4, 5, 5), "bn2d_eval", train=False, preset=True)
    bn(nn.BatchNorm2d, 3, (2, 3, 4, 4), "bn2d_noaffine_notrack_eval", train=False, affine=False, track=False)
    for name, shape, norm, eps, affine in [
        ("layernorm_last", (2, 3, 6), [6], 1e-5, True),
        ("layernorm_two_dims", (2, 3, 6), [3, 6], 1e-3, True),
        ("layernorm_noaffine", (4, 5), [5], 1e-5, False),
    ]:
        m = nn.LayerNorm(norm, eps=eps, elementwise_affine=affine)
        if affine:
            randomize(m)
        w.case(name, m, [torch.randn(*shape) * 3 + 1], {"shape": norm, "eps": eps, "affine": affine})
    w.save("norm")


def gen_embedding_upsample():
    w = Writer()
    w.case("embedding", nn.Embedding(10, 4), [torch.tensor([[1, 3, 3, 9, 0], [2, 2, 7, 1, 5]])],
           {"num": 10, "dim": 4, "padding_idx": None})
    w.case("embedding_padding", nn.Embedding(6, 3, padding_idx=0), [torch.tensor([0, 2, 0, 5, 2, 1])],
           {"num": 6, "dim": 3, "padding_idx": 0})
    for name, cfg, shape in [
        ("up_nearest_x2", {"scale": [2.0], "mode": "nearest", "align": False}, (1, 2, 3, 4)),
        ("up_nearest_size", {"size": [7, 5], "mode": "nearest", "align": False}, (2, 1, 4, 3)),
        ("up_nearest_scale_1_5", {"scale": [1.5], "mode": "nearest", "align": False}, (1, 1, 5, 3)),
        ("up_bilinear_x2", {"scale": [2.0], "mode": "bilinear", "align": False}, (1, 2, 3, 4)),
        ("up_bilinear_size", {"size": [7, 5], "mode": "bilinear", "align": False}, (2, 1, 4, 3)),
        ("up_bilinear_align", {"size": [7, 5], "mode": "bilinear", "align": True}, (1, 2, 4, 3)),
        ("up_bilinear_down", {"size": [3, 2], "mode": "bilinear", "align": False}, (1, 1, 5, 7)),
        ("up_bilinear_scale_1_7", {"scale": [1.7], "mode": "bilinear", "align": False}, (1, 1, 4, 3)),
    ]:
        if "size" in cfg:
            m = nn.Upsample(size=tuple(cfg["size"]), mode=cfg["mode"],
                            align_corners=cfg["align"] if cfg["mode"] == "bilinear" else None)
        else:
            m = nn.Upsample(scale_factor=cfg["scale"][0], mode=cfg["mode"],
                            align_corners=cfg["align"] if cfg["mode"] == "bilinear" else None)
        w.case(name, m, [torch.randn(*shape)], cfg)
    w.save("embedding_upsample")


def gen_activations():
    w = Writer()
    x = torch.randn(3, 7) * 3
    x[0, 0] = 25.0  # beyond softplus' threshold
    x[0, 1] = -30.0
    for name, m, cfg in [
        ("relu", nn.ReLU(), {}),
        ("leaky_relu", nn.LeakyReLU(0.2), {"slope": 0.2}),
        ("elu", nn.ELU(0.7), {"alpha": 0.7}),
        ("gelu", nn.GELU(), {"approximate": "none"}),
        ("gelu_tanh", nn.GELU(approximate="tanh"), {"approximate": "tanh"}),
        ("silu", nn.SiLU(), {}),
        ("sigmoid", nn.Sigmoid(), {}),
        ("tanh", nn.Tanh(), {}),
        ("softmax", nn.Softmax(dim=1), {"dim": 1}),
        ("softmax_dim0", nn.Softmax(dim=0), {"dim": 0}),
        ("log_softmax", nn.LogSoftmax(dim=-1), {"dim": -1}),
        ("softplus", nn.Softplus(), {"beta": 1.0, "threshold": 20.0}),
        ("softplus_beta", nn.Softplus(beta=2.0, threshold=1.0), {"beta": 2.0, "threshold": 1.0}),
    ]:
        w.case(name, m, [x], cfg)
    w.save("activations")


def gen_recurrent():
    w = Writer()

    def rnn_fwd(m, xs):
        out, h = m(*xs)
        return out, h

    def lstm_fwd(m, xs):
        if len(xs) == 3:
            out, (h, c) = m(xs[0], (xs[1], xs[2]))
        else:
            out, (h, c) = m(xs[0])
        return out, h, c

    for name, cfg, shapes in [
        ("rnn_tanh_h0", {"kind": "RNN", "input": 4, "hidden": 5, "layers": 1, "nonlinearity": "tanh", "bias": True,
                         "batch_first": False}, [(6, 3, 4), (1, 3, 5)]),
        ("rnn_relu_2layer_bf", {"kind": "RNN", "input": 3, "hidden": 4, "layers": 2, "nonlinearity": "relu",
                                "bias": True, "batch_first": True}, [(2, 5, 3)]),
        ("rnn_nobias_unbatched", {"kind": "RNN", "input": 3, "hidden": 2, "layers": 2, "nonlinearity": "tanh",
                                  "bias": False, "batch_first": False}, [(4, 3), (2, 2)]),
        ("gru_2layer_h0", {"kind": "GRU", "input": 4, "hidden": 5, "layers": 2, "bias": True, "batch_first": False},
         [(5, 2, 4), (2, 2, 5)]),
        ("gru_bf_nobias", {"kind": "GRU", "input": 3, "hidden": 4, "layers": 1, "bias": False, "batch_first": True},
         [(3, 4, 3)]),
    ]:
        if cfg["kind"] == "RNN":
            m = nn.RNN(cfg["input"], cfg["hidden"], cfg["layers"], nonlinearity=cfg["nonlinearity"], bias=cfg["bias"],
                       batch_first=cfg["batch_first"])
        else:
            m = nn.GRU(cfg["input"], cfg["hidden"], cfg["layers"], bias=cfg["bias"], batch_first=cfg["batch_first"])
        w.case(name, m, [torch.randn(*s) for s in shapes], cfg, forward=rnn_fwd)
    for name, cfg, shapes in [
        ("lstm_2layer_bf_state", {"kind": "LSTM", "input": 4, "hidden": 3, "layers": 2, "bias": True,
                                  "batch_first": True}, [(2, 5, 4), (2, 2, 3), (2, 2, 3)]),
        ("lstm_nobias", {"kind": "LSTM", "input": 3, "hidden": 4, "layers": 1, "bias": False, "batch_first": False},
         [(4, 2, 3)]),
        ("lstm_unbatched", {"kind": "LSTM", "input": 2, "hidden": 3, "layers": 1, "bias": True, "batch_first": False},
         [(5, 2), (1, 3), (1, 3)]),
    ]:
        m = nn.LSTM(cfg["input"], cfg["hidden"], cfg["layers"], bias=cfg["bias"], batch_first=cfg["batch_first"])
        w.case(name, m, [torch.randn(*s) for s in shapes], cfg, forward=lstm_fwd)
    w.save("recurrent")


def gen_attention():
    w = Writer()

    def mha_fwd(kpm, attn_mask, need_weights=True, average=True):
        def f(m, xs):
            out, wts = m(xs[0], xs[1], xs[2], key_padding_mask=kpm, need_weights=need_weights, attn_mask=attn_mask,
                         average_attn_weights=average)
            return (out, wts) if need_weights else (out,)
        return f

    e, h = 8, 2
    m = nn.MultiheadAttention(e, h)
    randomize(m)
    x = torch.randn(4, 3, e)
    w.case("mha_self", m, [x, x, x], {"embed": e, "heads": h, "bias": True, "batch_first": False, "kpm": None,
                                       "attn_mask": None, "average": True}, forward=mha_fwd(None, None))
    m = nn.MultiheadAttention(e, h)
    randomize(m)
    kpm = torch.tensor([[False, False, False, True, True], [False, True, False, False, False]])
    am = torch.tensor([[False, True, False, False, False], [False, False, False, False, True],
                       [True, False, False, False, False]])
    w.case("mha_cross_bool_masks", m, [torch.randn(3, 2, e), torch.randn(5, 2, e), torch.randn(5, 2, e)],
           {"embed": e, "heads": h, "bias": True, "batch_first": False, "kpm": tj(kpm), "attn_mask": tj(am),
            "average": False}, forward=mha_fwd(kpm, am, True, False))
    m = nn.MultiheadAttention(e, 4, bias=False, batch_first=True)
    fm = torch.randn(2 * 4, 3, 3)
    x = torch.randn(2, 3, e)
    w.case("mha_bf_float_mask_nobias", m, [x, x, x], {"embed": e, "heads": 4, "bias": False, "batch_first": True,
                                                       "kpm": None, "attn_mask": tj(fm), "average": True},
           forward=mha_fwd(None, fm))
    m = nn.MultiheadAttention(e, h)
    randomize(m)
    x = torch.randn(4, e)
    w.case("mha_unbatched", m, [x, x, x], {"embed": e, "heads": h, "bias": True, "batch_first": False, "kpm": None,
                                            "attn_mask": None, "average": True}, forward=mha_fwd(None, None))

    def enc_fwd(mask, kpm):
        return lambda m, xs: (m(xs[0], src_mask=mask, src_key_padding_mask=kpm),)

    for name, cfg, shape, mask, kpm in [
        ("encoder_postnorm_relu", {"d": 8, "heads": 2, "ff": 16, "activation": "relu", "eps": 1e-5,
                                   "batch_first": False, "norm_first": False}, (5, 2, 8), None, None),
        ("encoder_prenorm_gelu_masks", {"d": 8, "heads": 4, "ff": 12, "activation": "gelu", "eps": 1e-6,
                                        "batch_first": True, "norm_first": True}, (2, 4, 8),
         torch.tensor([[False, True, True, True], [False, False, True, True], [False, False, False, True],
                       [False, False, False, False]]),
         torch.tensor([[False, False, False, True], [False, False, False, False]])),
    ]:
        m = nn.TransformerEncoderLayer(cfg["d"], cfg["heads"], cfg["ff"], dropout=0.0, activation=cfg["activation"],
                                       layer_norm_eps=cfg["eps"], batch_first=cfg["batch_first"],
                                       norm_first=cfg["norm_first"])
        randomize(m)
        cfg = dict(cfg, mask=tj(mask), kpm=tj(kpm))
        w.case(name, m, [torch.randn(*shape)], cfg, forward=enc_fwd(mask, kpm))

    # nn.TransformerEncoder deep-copies its layer; randomize after, so the layers differ.
    for name, cfg, shape, mask, kpm in [
        ("stack_postnorm_relu", {"d": 8, "heads": 2, "ff": 16, "activation": "relu", "eps": 1e-5,
                                 "batch_first": False, "norm_first": False, "layers": 2, "final_norm": False},
         (5, 2, 8), None, None),
        ("stack_prenorm_gelu_final_norm_masks", {"d": 8, "heads": 4, "ff": 12, "activation": "gelu", "eps": 1e-6,
                                                 "batch_first": True, "norm_first": True, "layers": 3,
                                                 "final_norm": True}, (2, 4, 8),
         torch.tensor([[False, True, True, True], [False, False, True, True], [False, False, False, True],
                       [False, False, False, False]]),
         torch.tensor([[False, False, False, True], [False, False, False, False]])),
    ]:
        layer = nn.TransformerEncoderLayer(cfg["d"], cfg["heads"], cfg["ff"], dropout=0.0,
                                           activation=cfg["activation"], layer_norm_eps=cfg["eps"],
                                           batch_first=cfg["batch_first"], norm_first=cfg["norm_first"])
        norm = nn.LayerNorm(cfg["d"], eps=cfg["eps"]) if cfg["final_norm"] else None
        m = nn.TransformerEncoder(layer, cfg["layers"], norm=norm, enable_nested_tensor=False)
        randomize(m)
        cfg = dict(cfg, mask=tj(mask), kpm=tj(kpm))
        w.case(name, m, [torch.randn(*shape)], cfg,
               forward=lambda m, xs, mask=mask, kpm=kpm: (m(xs[0], mask=mask, src_key_padding_mask=kpm),))
    w.save("attention")


# --------------------------------------------------------------------------- losses

def gen_losses():
    w = Writer()

    def loss_case(name, m, inp, target, cfg, target_grad=False):
        w.case(name, m, [inp, target], cfg, grad_inputs=[True, target_grad])

    a, b = torch.randn(3, 4), torch.randn(3, 4)
    for red in ["mean", "sum", "none"]:
        loss_case("mse_" + red, nn.MSELoss(reduction=red), a, b, {"kind": "mse", "reduction": red}, True)
        loss_case("l1_" + red, nn.L1Loss(reduction=red), a, b, {"kind": "l1", "reduction": red}, True)
    for beta in [1.0, 0.5, 0.0]:
        loss_case("smoothl1_beta%g" % beta, nn.SmoothL1Loss(beta=beta), a * 2, b, {"kind": "smoothl1",
                                                                                  "reduction": "mean", "beta": beta},
                  True)
    for delta in [1.0, 2.0]:
        loss_case("huber_delta%g" % delta, nn.HuberLoss(delta=delta, reduction="sum"), a * 2, b,
                  {"kind": "huber", "reduction": "sum", "delta": delta}, True)
    p = torch.rand(4, 3) * 0.9 + 0.05
    t = (torch.rand(4, 3) > 0.5).float()
    wt = torch.rand(4, 3) + 0.5
    loss_case("bce_mean", nn.BCELoss(), p, t, {"kind": "bce", "reduction": "mean", "weight": None})
    loss_case("bce_weight_sum", nn.BCELoss(weight=wt, reduction="sum"), p, t,
              {"kind": "bce", "reduction": "sum", "weight": tj(wt)})
    logits = torch.randn(4, 3) * 3
    logits[0, 0], logits[1, 1] = 60.0, -60.0
    pw = torch.tensor([1.0, 2.5, 0.5])
    loss_case("bce_logits_mean", nn.BCEWithLogitsLoss(), logits, t,
              {"kind": "bce_logits", "reduction": "mean", "weight": None, "pos_weight": None}, True)
    loss_case("bce_logits_posweight_none", nn.BCEWithLogitsLoss(weight=wt, pos_weight=pw, reduction="none"), logits,
              t, {"kind": "bce_logits", "reduction": "none", "weight": tj(wt), "pos_weight": tj(pw)}, True)

    x = torch.randn(5, 4)
    y = torch.tensor([1, 0, 3, 3, 2])
    cw = torch.tensor([0.5, 1.0, 2.0, 1.5])
    y_ign = torch.tensor([1, -100, 3, 2, -100])
    y_ign7 = torch.tensor([1, 7, 3, 7, 0])
    for name, m, inp, tgt, cfg in [
        ("ce_basic", nn.CrossEntropyLoss(), x, y, {}),
        ("ce_weight", nn.CrossEntropyLoss(weight=cw), x, y, {"weight": tj(cw)}),
        ("ce_ignore_sum", nn.CrossEntropyLoss(reduction="sum"), x, y_ign, {"reduction": "sum"}),
        ("ce_ignore7_weight", nn.CrossEntropyLoss(weight=cw, ignore_index=7), x, y_ign7,
         {"weight": tj(cw), "ignore_index": 7}),
        ("ce_smooth", nn.CrossEntropyLoss(label_smoothing=0.1), x, y, {"label_smoothing": 0.1}),
        ("ce_smooth_weight_ignore", nn.CrossEntropyLoss(weight=cw, ignore_index=7, label_smoothing=0.2), x, y_ign7,
         {"weight": tj(cw), "ignore_index": 7, "label_smoothing": 0.2}),
        ("ce_smooth_none", nn.CrossEntropyLoss(reduction="none", label_smoothing=0.3), x, y_ign,
         {"reduction": "none", "label_smoothing": 0.3}),
        ("ce_probs", nn.CrossEntropyLoss(), x, torch.softmax(torch.randn(5, 4), 1), {}),
        ("ce_probs_weight_smooth", nn.CrossEntropyLoss(weight=cw, label_smoothing=0.25), x,
         torch.softmax(torch.randn(5, 4), 1), {"weight": tj(cw), "label_smoothing": 0.25}),
        ("ce_probs_none", nn.CrossEntropyLoss(reduction="none"), x, torch.softmax(torch.randn(5, 4), 1),
         {"reduction": "none"}),
        ("ce_kdim", nn.CrossEntropyLoss(weight=cw), torch.randn(2, 4, 3, 2), torch.randint(0, 4, (2, 3, 2)),
         {"weight": tj(cw)}),
        ("ce_unbatched", nn.CrossEntropyLoss(), torch.randn(4), torch.tensor(2), {}),
    ]:
        cfg = dict({"kind": "ce", "reduction": "mean", "weight": None, "ignore_index": -100, "label_smoothing": 0.0},
                   **cfg)
        loss_case(name, m, inp, tgt, cfg)
    lp = torch.log_softmax(torch.randn(5, 4), 1)
    for name, m, inp, tgt, cfg in [
        ("nll_basic", nn.NLLLoss(), lp, y, {}),
        ("nll_weight_ignore", nn.NLLLoss(weight=cw, ignore_index=7), lp, y_ign7, {"weight": tj(cw), "ignore_index": 7}),
        ("nll_none_kdim", nn.NLLLoss(reduction="none"), torch.log_softmax(torch.randn(2, 3, 4), 1),
         torch.tensor([[0, 2, 1, 1], [2, 2, 0, -100]]), {"reduction": "none"}),
    ]:
        cfg = dict({"kind": "nll", "reduction": "mean", "weight": None, "ignore_index": -100}, **cfg)
        loss_case(name, m, inp, tgt, cfg)
    q = torch.log_softmax(torch.randn(3, 5), 1)
    pt = torch.softmax(torch.randn(3, 5), 1)
    pt[0, 2] = 0.0
    for red in ["mean", "batchmean", "sum", "none"]:
        # No target gradient here: PyTorch's is NaN where the target is 0 (xlogy's 0/0).
        loss_case("kl_" + red, nn.KLDivLoss(reduction=red), q, pt, {"kind": "kl", "reduction": red, "log_target": False})
    loss_case("kl_log_target", nn.KLDivLoss(reduction="batchmean", log_target=True), q,
              torch.log_softmax(torch.randn(3, 5), 1), {"kind": "kl", "reduction": "batchmean", "log_target": True},
              True)
    # Probabilities saturated to exactly 0 and 1 (a float32 sigmoid does this past |x| ≈ 17): the
    # clamped logs give a finite loss and PyTorch's gradient (x − t) / max(x(1 − x), 1e-12) stays
    # finite (0 where x = t), which a composite of clamped logs does not (0·∞).
    ps = torch.tensor([[0.0, 1.0, 0.0, 1.0], [0.25, 1e-30, 1.0 - 2 ** -24, 0.5]])
    ts = torch.tensor([[0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 1.0, 0.0]])
    loss_case("bce_saturated_mean", nn.BCELoss(), ps, ts, {"kind": "bce", "reduction": "mean", "weight": None})
    w.save("losses")


# --------------------------------------------------------------------------- safetensors

ST_CODES = {torch.float32: ("F32", "<f"), torch.float64: ("F64", "<d"), torch.int64: ("I64", "<q"),
            torch.int32: ("I32", "<i"), torch.bool: ("BOOL", "<?"), torch.float16: ("F16", "<e")}


def write_safetensors(path, tensors, metadata=None):
    """Writes the safetensors layout by hand (the safetensors package is not installed here)."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        if t.dtype == torch.bfloat16:
            code = "BF16"
            raw = b"".join(struct.pack("<H", (struct.unpack("<I", struct.pack("<f", v))[0] >> 16))
                           for v in t.float().reshape(-1).tolist())
        else:
            code, f = ST_CODES[t.dtype]
            vals = t.reshape(-1).tolist()
            raw = struct.pack("<%d%s" % (len(vals), f[1]), *vals)
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path):
    """Reads a safetensors file by hand into a dict of tensors (F32, F64, I64, BOOL)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, en = e["data_offsets"]
        raw = data[base + b:base + en]
        fmt_, dtype = {"F32": ("f", torch.float32), "F64": ("d", torch.float64), "I64": ("q", torch.int64),
                       "BOOL": ("?", torch.bool)}[e["dtype"]]
        count = len(raw) // struct.calcsize(fmt_)
        vals = struct.unpack("<%d%s" % (count, fmt_), raw)
        out[name] = torch.tensor(vals, dtype=dtype).reshape(e["shape"])
    return out, header.get("__metadata__", {})


def keras_cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))


def mlp_bn():
    return nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


MODELS = {"keras_cnn": (keras_cnn, (2, 1, 28, 28)), "mlp_bn": (mlp_bn, (5, 6))}


def gen_safetensors():
    refs = {}
    for name, (make, shape) in MODELS.items():
        m = make()
        if name == "mlp_bn":
            m.train()
            with torch.no_grad():
                for _ in range(3):  # move the running statistics away from their initial values
                    m(torch.randn(16, 6) * 2 + 1)
        m.eval()
        x = torch.randn(*shape)
        with torch.no_grad():
            y = m(x)
        path = os.path.join(OUT, name + ".safetensors")
        write_safetensors(path, m.state_dict(), {"format": "pt"})
        refs[name] = {"input": tj(x), "output": tj(y), "params": sum(p.numel() for p in m.parameters())}
        print("wrote %s (%d bytes)" % (os.path.relpath(path, ROOT), os.path.getsize(path)))
    # Every dtype the reader accepts, with known values.
    vals = {
        "f32": torch.tensor([[1.5, -2.25], [3.0, 1e-8]], dtype=torch.float32),
        "f64": torch.tensor([math.pi, -math.e], dtype=torch.float64),
        "i64": torch.tensor([[-(2 ** 40), 7, 0]], dtype=torch.int64),
        "i32": torch.tensor([-5, 2 ** 30], dtype=torch.int32),
        "bool": torch.tensor([True, False, True]),
        "f16": torch.tensor([0.5, -1.75, 65504.0], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -3.0, 0.15625], dtype=torch.bfloat16),
        "scalar": torch.tensor(4.0),
        "empty": torch.zeros(0, 3),
    }
    path = os.path.join(OUT, "dtypes.safetensors")
    write_safetensors(path, vals, {"source": "torch_nn_reference.py"})
    refs["dtypes"] = {k: tj(v.float() if v.dtype in (torch.float16, torch.bfloat16) else
                            (v.long() if v.dtype == torch.int32 else v)) for k, v in vals.items()}
    with open(os.path.join(OUT, "safetensors_ref.json"), "w") as f:
        json.dump(refs, f, separators=(",", ":"))
        f.write("\n")


def check_jgrad(pairs):
    """For each (file, model): load the jgrad-written file into the PyTorch model, run the reference input."""
    with open(os.path.join(OUT, "safetensors_ref.json")) as f:
        refs = json.load(f)
    result = {}
    for path, model in pairs:
        make, _ = MODELS[model]
        m = make()
        state, _meta = read_safetensors(path)
        m.load_state_dict(state, strict=True)
        m.eval()
        ref = refs[model]
        x = torch.tensor(ref["input"]["data"], dtype=torch.float32).reshape(ref["input"]["shape"])
        with torch.no_grad():
            result[model] = tj(m(x))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--check-jgrad":
        args = sys.argv[2:]
        check_jgrad(list(zip(args[0::2], args[1::2])))
        return
    torch.set_num_threads(1)
    for i, gen in enumerate([gen_linear, gen_conv, gen_pool, gen_shape_and_dropout, gen_norm, gen_embedding_upsample,
                             gen_activations, gen_recurrent, gen_attention, gen_losses, gen_safetensors]):
        torch.manual_seed(1000 + i)
        gen()


if __name__ == "__main__":
    main()
