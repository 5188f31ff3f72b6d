#!/usr/bin/python3
"""Generates core/src/test/resources/torch/idioms.json: PyTorch reference values for the indexing,
masking, sorting, scan and product ops of issue 10 item 7 (read by TorchIdiomsReferenceTest).

Run from the repository root with Debian's PyTorch (python3-torch 1.13):

    /usr/bin/python3 tools/torch_reference_idioms.py

It reuses the case format and helpers of tools/torch_reference.py (see its docstring) with its own
random stream, so adding cases here never changes ops.json. The output is deterministic.
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_reference as tr  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core", "src", "test", "resources", "torch",
                   "idioms.json")

tr.GEN = torch.Generator().manual_seed(20261206)
case, randn, distinct, small_ints, ints = tr.case, tr.randn, tr.distinct, tr.small_ints, tr.ints


def mask(*shape):
    return torch.rand(tuple(shape), generator=tr.GEN) < 0.5


def with_zeros():
    """Rows with no zero, one zero and two zeros: the three cases of prod's gradient."""
    return torch.tensor([[0.5, -1.5, 2.0, 1.25], [1.5, 0.0, -2.0, 0.75], [0.0, 1.5, 0.0, -1.0]])


def sorting():
    for i, (shape, dim, desc) in enumerate([((2, 5), 1, False), ((2, 5), -1, True), ((4, 3), 0, False),
                                            ((3, 2, 4), 1, True), ((6,), 0, False)]):
        case("sort_%d" % i, "sort", [distinct(*shape)],
             lambda a, d=dim, s=desc: torch.sort(a, dim=d, descending=s, stable=True), dim=dim, descending=desc)
    # Ties: stable=True keeps equal values in input order, ascending and descending.
    case("sort_ties_asc", "sort", [small_ints(3, 6)], lambda a: torch.sort(a, dim=1, stable=True),
         dim=1, descending=False)
    case("sort_ties_desc", "sort", [small_ints(3, 6)], lambda a: torch.sort(a, dim=1, descending=True, stable=True),
         dim=1, descending=True)
    case("sort_nan", "sort", [torch.tensor([1.0, float("nan"), -2.0, 0.5])],
         lambda a: torch.sort(a, stable=True), dim=0, descending=False)
    case("sort_int", "sort", [ints(-5, 5, 7)], lambda a: torch.sort(a, stable=True), dim=0, descending=False)
    for i, (shape, k, dim, largest) in enumerate([((2, 6), 3, 1, True), ((2, 6), 2, -1, False),
                                                   ((5, 3), 1, 0, True), ((3, 2, 4), 4, 2, False)]):
        case("topk_%d" % i, "topk", [distinct(*shape)],
             lambda a, k=k, d=dim, l=largest: torch.topk(a, k, dim=d, largest=l, sorted=True),
             k=k, dim=dim, largest=largest)


def scans():
    case("cumsum_0", "cumsum", [randn(3, 4)], lambda a: torch.cumsum(a, 1), dim=1)
    case("cumsum_1", "cumsum", [randn(3, 4)], lambda a: torch.cumsum(a, 0), dim=0)
    case("cumsum_2", "cumsum", [randn(2, 3, 4)], lambda a: torch.cumsum(a, -2), dim=-2)
    case("cumsum_int", "cumsum", [ints(-3, 4, 2, 5)], lambda a: torch.cumsum(a, 1), dim=1)
    case("cumsum_bool", "cumsum", [mask(6)], lambda a: torch.cumsum(a, 0), dim=0)
    case("prod_all", "prod", [tr.away_from_zero(2, 3)], torch.prod)
    case("prod_dim", "prodDim", [tr.away_from_zero(3, 4)], lambda a: torch.prod(a, 1), dim=1, keepDim=False)
    case("prod_dim_keep", "prodDim", [tr.away_from_zero(3, 4)], lambda a: torch.prod(a, 0, keepdim=True),
         dim=0, keepDim=True)
    case("prod_zeros", "prodDim", [with_zeros()], lambda a: torch.prod(a, 1), dim=1, keepDim=False)
    case("prod_zeros_all", "prod", [torch.tensor([2.0, 0.0, -1.5])], torch.prod)
    case("prod_zeros_two", "prod", [torch.tensor([2.0, 0.0, -1.5, 0.0])], torch.prod)
    case("prod_int", "prodDim", [ints(-3, 4, 2, 3)], lambda a: torch.prod(a, 1), dim=1, keepDim=False)


def masks_and_indexing():
    case("maskedFill_0", "maskedFill", [randn(3, 4), mask(3, 4)], lambda a, m: a.masked_fill(m, -1.5), value=-1.5)
    case("maskedFill_bcast", "maskedFill", [randn(3, 4), mask(4)], lambda a, m: a.masked_fill(m, 2.0), value=2.0)
    case("maskedFill_int", "maskedFill", [ints(-5, 5, 2, 3), mask(2, 3)], lambda a, m: a.masked_fill(m, 7), value=7.0)
    case("maskedSelect_0", "maskedSelect", [randn(3, 4), mask(3, 4)], torch.masked_select)
    case("maskedSelect_bcast", "maskedSelect", [randn(3, 1), mask(2, 3, 4)], torch.masked_select)
    case("index_bool", "index", [randn(4, 3), mask(4)], lambda a, m: a[m])
    case("index_bool_2d", "index", [randn(3, 4, 2), mask(3, 4)], lambda a, m: a[m])
    case("index_int", "index", [randn(5, 3), torch.tensor([4, 0, -1, 2, 0])], lambda a, i: a[i])
    case("index_int_2d", "index", [randn(5, 2), torch.tensor([[1, 3], [3, -5]])], lambda a, i: a[i])
    case("indexPut_0", "indexPut", [randn(5, 3), torch.tensor([3, 0]), randn(2, 3)],
         lambda a, i, v: a.index_put((i,), v), accumulate=False)
    case("indexPut_bcast", "indexPut", [randn(5, 3), torch.tensor([1, -1, 2]), randn(3)],
         lambda a, i, v: a.index_put((i,), v), accumulate=False)
    case("indexPut_acc", "indexPut", [randn(4, 3), torch.tensor([1, 1, 3, 1]), randn(4, 3)],
         lambda a, i, v: a.index_put((i,), v, accumulate=True), accumulate=True)
    case("indexPut_bool", "indexPut", [randn(4, 2), torch.tensor([True, False, True, True]), randn(3, 2)],
         lambda a, m, v: a.index_put((m,), v), accumulate=False)
    case("indexPut_bool_full", "indexPut", [randn(3, 4), mask(3, 4), randn()],
         lambda a, m, v: a.index_put((m,), v), accumulate=False)
    case("sliceScatter_0", "sliceScatter", [randn(4, 6), randn(4, 2)],
         lambda a, s: torch.slice_scatter(a, s, dim=1, start=1, end=5, step=2), dim=1, start=1, end=5, step=2)
    case("sliceScatter_1", "sliceScatter", [randn(5, 3), randn(2, 3)],
         lambda a, s: torch.slice_scatter(a, s, dim=0, start=-2, end=5, step=1), dim=0, start=-2, end=5, step=1)


def logic():
    x = torch.tensor([[0.0, 1.0, 0.0], [2.0, float("nan"), -1.0], [0.0, 0.0, 0.0]])
    case("any_all", "any", [x], torch.any)
    case("all_all", "all", [x], torch.all)
    case("any_dim", "anyDim", [x], lambda a: torch.any(a, 1), dim=1, keepDim=False)
    case("all_dim", "allDim", [x], lambda a: torch.all(a, 0, keepdim=True), dim=0, keepDim=True)
    case("any_bool", "anyDim", [mask(3, 4)], lambda a: torch.any(a, 0), dim=0, keepDim=False)
    case("all_int", "allDim", [ints(0, 2, 3, 4)], lambda a: torch.all(a, 1).to(torch.bool), dim=1, keepDim=False)
    case("sum_nokeep", "sumDim", [randn(3, 4)], lambda a: a.sum(1), dim=1)
    case("mean_nokeep", "meanDim", [randn(3, 4)], lambda a: a.mean(0), dim=0)
    case("argmax_nokeep", "argmaxDim1", [distinct(3, 4)], lambda a: a.argmax(1), dim=1)
    case("max_nokeep", "maxDim1", [distinct(3, 4)], lambda a: a.max(0), dim=0)
    case("cat_varargs", "catVarargs", [randn(2, 3), randn(1, 3), randn(3, 3)], lambda *a: torch.cat(a))


def nan_inputs_as_text(cases):
    """Input NaNs are written as the text "NaN", as torch_reference writes output NaNs (JSON has no NaN)."""
    for c in cases:
        for t in c["inputs"]:
            t["data"] = ["NaN" if isinstance(v, float) and v != v else v for v in t["data"]]


def main():
    sorting()
    scans()
    masks_and_indexing()
    logic()
    nan_inputs_as_text(tr.CASES)
    doc = {"generator": "tools/torch_reference_idioms.py", "torch": torch.__version__,
           "tolerance": {"rtol": 1e-5, "atol": 1e-6}, "cases": tr.CASES}
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False, default=str)
        f.write("\n")
    print("%d cases over %d ops -> %s" % (len(tr.CASES), len({c["op"] for c in tr.CASES}), os.path.relpath(OUT)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
