"""What other tools count, as data and as rules applied to our per-layer rows.

"FLOPs" of a CNN is not one number. torchvision's "GFLOPS" column, fvcore,
ptflops, thop and torchinfo each count a different set of layers, and most of
them count a multiply-add as *one* operation. `PEER_TOOL_CONVENTIONS` records,
per tool, what it counts and where we read it (source files at the commits
stored in our search index, issue threads, package pages). `count_as` applies
each rule to the rows of a `Summary`, so a notebook can show why the tools
disagree: the differences are batch norm, pooling, activations and biases, a few
per cent of the total, never the convolutions. Every number these rules give is
*computed by us* from our per-layer data, not produced by running the tool
(none of them is installed here); the ``published`` entries are numbers the
tools' authors or users printed. Compared in notebooks/06_cnn_time_and_space.ipynb.

The rules assume a PyTorch model whose every layer is a module called once per
use, as in the specs. torchvision calls some layers as functions (MobileNet V2's
final ``adaptive_avg_pool2d``, ResNet's ``out += identity``): tools that hook
modules (thop, torchinfo, ptflops's ``pytorch`` backend) do not see those, and
the residual adds are counted by none of the tools.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

from course_lib.summary.rows import LayerRow

FVCORE = "https://github.com/facebookresearch/fvcore/blob/main/fvcore/nn"
PTFLOPS = "https://github.com/sovrasov/flops-counter.pytorch"
THOP = "https://github.com/Lyken17/pytorch-OpCounter"
TORCHINFO = "https://github.com/TylerYep/torchinfo/blob/main/torchinfo"

PEER_TOOL_CONVENTIONS: dict[str, dict[str, Any]] = {
    "torchvision": {
        "tool": "torchvision weights meta '_ops' (docs column 'GFLOPS')",
        "unit": "MACs: one per multiply-add, in billions, for one 3x224x224 image",
        "counts": {
            "Conv2d": "MACs, no bias",
            "Linear": "MACs (in x out), no bias",
            "everything else": "not counted (BN, activations, pooling, residual adds)",
        },
        "verified": "reproduced exactly for all nine networks (course_lib/architectures/SOURCES.md)",
        "sources": [
            "https://pytorch.org/vision/stable/models.html",
            "https://github.com/pytorch/vision/pull/6936",
        ],
        "published": {"resnet50": "4.089 (ResNet50_Weights.IMAGENET1K_V1.meta['_ops'])"},
    },
    "fvcore": {
        "tool": "fvcore FlopCountAnalysis (facebookresearch/fvcore), model in eval mode",
        "unit": "'flops' that are MACs: 'We count one fused multiply-add as one flop' (class docstring)",
        "counts": {
            "Conv2d": "batch x prod(weight shape) x output H x W: MACs, no bias",
            "Linear": "prod(input shape) x out_features: MACs, no bias",
            "BatchNorm2d": "eval: 2 per input element (with affine); training mode: 5 per element",
            "AdaptiveAvgPool2d": "1 per input element",
            "ReLU, MaxPool2d, residual add, Dropout": "skipped, with an 'unsupported operator' warning",
        },
        "verified": (
            "read in the source: fvcore/nn/flop_count.py (_DEFAULT_SUPPORTED_OPS, with the comment 'You might "
            "want to ignore BN flops due to inference-time fusion') and fvcore/nn/jit_handles.py "
            "(conv_flop_count, linear_flop_jit, batchnorm_flop_jit, norm_flop_counter, elementwise_flop_counter)"
        ),
        "sources": [f"{FVCORE}/flop_count.py", f"{FVCORE}/jit_handles.py"],
        "published": {
            "resnet50": (
                "4.09 G, by a user of an fvcore version that skipped aten::batch_norm and "
                "aten::adaptive_avg_pool2d (its log lists them), sovrasov/flops-counter.pytorch issue #94"
            )
        },
        "notes": (
            "fvcore does not switch the model to eval mode: a freshly built torchvision model is in "
            "training mode, where batch norm counts 5 per element (convention 'fvcore_train')"
        ),
    },
    "ptflops": {
        "tool": "ptflops get_model_complexity_info, 'pytorch' backend (module hooks)",
        "unit": "MACs ('GMac'); the per-image average (the total is divided by the batch)",
        "counts": {
            "Conv2d": "MACs + 1 per output element if the layer has a bias",
            "Linear": "MACs + out_features if the layer has a bias",
            "BatchNorm2d": "1 per input element, 2 with affine",
            "ReLU, ReLU6 (not Tanh, Sigmoid)": "1 per output element",
            "MaxPool2d, AvgPool2d, adaptive pools": "1 per input element",
            "residual add (ResNet's in-place `out += identity`), Dropout": "not counted",
        },
        "verified": "read in the source: ptflops/pytorch_ops.py (MODULES_MAPPING and its hooks)",
        "sources": [
            f"{PTFLOPS}/blob/master/ptflops/pytorch_ops.py",
            f"{PTFLOPS}/blob/master/README.md",
            f"{PTFLOPS}/issues/94",
        ],
        "published": {
            "resnet50": "4.12 GMac (README table for torchvision models; also issue #94)",
            "alexnet": "0.72",
            "vgg11": "7.63",
            "vgg16": "15.5",
            "resnet18": "1.82",
            "resnet34": "3.68",
            "squeezenet1_0": "0.83",
        },
        "notes": (
            "the 'aten' backend (convention 'ptflops_aten') came with 'pytorch' as the default; later "
            "versions default to 'aten' (ptflops/flops_counter.py; the PyPI page of 0.7.4: 'The default "
            "backend is aten'), so the number you get depends on the version. Since 0.7.1 the pytorch "
            "backend also counts some torch.nn.functional calls (CHANGELOG). The README table predates both"
        ),
    },
    "ptflops_aten": {
        "tool": "ptflops get_model_complexity_info, 'aten' backend (the default in later versions)",
        "unit": "MACs",
        "counts": {
            "Conv2d": "MACs + 1 per output element if the layer has a bias (conv_flop_count)",
            "Linear (aten.addmm)": "batch x in x out, no bias",
            "everything else": "not counted",
        },
        "verified": "read in the source: ptflops/aten_ops.py (ATEN_OPS_MAPPING); default backend from PyPI",
        "sources": [f"{PTFLOPS}/blob/master/ptflops/aten_ops.py", "https://pypi.org/project/ptflops/"],
        "published": {},
    },
    "thop": {
        "tool": "thop profile (Lyken17/pytorch-OpCounter; maintained fork ultralytics/thop)",
        "unit": "'MACs' in the README; one per multiply-add for conv and linear layers",
        "counts": {
            "Conv2d": "output elements x (C_in/groups) x K_h x K_w: MACs, no bias",
            "Linear": "in_features x output elements: MACs, no bias",
            "BatchNorm2d": "2 per input element, doubled with affine: 4",
            "AvgPool2d": "1 per output element",
            "AdaptiveAvgPool2d": "((H_in/H_out) (W_in/W_out) + 1) per output element",
            "ReLU, ReLU6, MaxPool2d, Dropout": "zero",
            "Tanh, Sigmoid, residual add": "no rule: zero",
        },
        "verified": (
            "read in the source: thop/profile.py (register_hooks), thop/vision/basic_hooks.py "
            "(count_convNd, count_normalization, count_adap_avgpool, count_linear) and "
            "thop/vision/calc_func.py (calculate_norm returns 2 x elements); profile() calls model.eval()"
        ),
        "sources": [
            f"{THOP}/blob/master/thop/vision/basic_hooks.py",
            f"{THOP}/blob/master/thop/vision/calc_func.py",
            "https://github.com/ultralytics/thop/blob/main/thop/profile.py",
            f"{THOP}/blob/master/README.md",
        ],
        "published": {
            "resnet50": "4.14 G in the README table, made with earlier rules that we could not pin down",
            "mobilenet_v2": "0.33 G (README)",
        },
        "notes": (
            "the rules changed over time: an older thop/count_hooks.py counted ReLU (1 per element), max "
            "pooling (K^2 per output), batch norm 4 per element and a linear layer as 2 in - 1 per output"
        ),
    },
    "torchinfo": {
        "tool": "torchinfo summary, 'Total mult-adds'",
        "unit": "mult-adds",
        "counts": {
            "Conv2d": "(weights + biases) x N x H_out x W_out: MACs + bias adds",
            "other layers with parameters (Linear, BatchNorm2d)": "N x parameters: Linear MACs + bias, BN 2 C",
            "layers without parameters (activations, pooling, add)": "zero",
        },
        "verified": "read in the source: torchinfo/layer_info.py (LayerInfo.calculate_macs), model_statistics.py",
        "sources": [f"{TORCHINFO}/layer_info.py", f"{TORCHINFO}/model_statistics.py"],
        "published": {
            "alexnet": (
                "717.27 M for a 3x227x227 input (TylerYep/torchinfo issue #350); our rule gives the same"
            )
        },
        "notes": (
            "its 'Forward/backward pass size' is 2 x the output bytes of the layers that have parameters "
            "only (activations and pooling outputs are not included)"
        ),
    },
}
"""Per tool: what it reports, what it counts per layer type, how we checked it, where, published numbers."""


def _elements(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


def _has_bias(row: LayerRow) -> bool:
    return bool(getattr(row.spec, "bias", False))


def _conv_bias(row: LayerRow, batch: int) -> int:
    return batch * _elements(row.output_shape) if _has_bias(row) else 0


def _fvcore(row: LayerRow, batch: int, bn_ops: int) -> int:
    if row.layer_type in ("Conv2d", "Linear"):
        return row.macs
    if row.layer_type == "BatchNorm2d":
        return bn_ops * batch * _elements(row.input_shape)
    if row.layer_type == "AdaptiveAvgPool2d":
        return batch * _elements(row.input_shape)
    return 0


def _ptflops(row: LayerRow, batch: int) -> int:
    kind = row.layer_type
    if kind == "Conv2d":
        return row.macs + _conv_bias(row, batch)
    if kind == "Linear":
        return row.macs + (batch * row.output_shape[0] if _has_bias(row) else 0)
    if kind == "BatchNorm2d":
        return 2 * batch * _elements(row.input_shape)
    if kind in ("ReLU", "ReLU6"):
        return batch * _elements(row.output_shape)
    if kind in ("MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d"):
        return batch * _elements(row.input_shape)
    return 0


def _ptflops_aten(row: LayerRow, batch: int) -> int:
    if row.layer_type == "Conv2d":
        return row.macs + _conv_bias(row, batch)
    return row.macs if row.layer_type == "Linear" else 0


def _thop(row: LayerRow, batch: int) -> int:
    kind, outputs = row.layer_type, batch * _elements(row.output_shape)
    if kind in ("Conv2d", "Linear"):
        return row.macs
    if kind == "BatchNorm2d":
        return 4 * batch * _elements(row.input_shape)
    if kind == "AvgPool2d":
        return outputs
    if kind == "AdaptiveAvgPool2d":  # thop: int((H_in/H_out * W_in/W_out + 1) * outputs)
        (_, h, w), (_, h_out, w_out) = row.input_shape, row.output_shape
        return math.floor((Fraction(h, h_out) * Fraction(w, w_out) + 1) * outputs)
    return 0


def _torchinfo(row: LayerRow, batch: int) -> int:
    if row.layer_type == "Conv2d":
        return row.params * batch * _elements(row.output_shape[1:])
    if row.layer_type in ("Linear", "BatchNorm2d"):
        return row.params * batch
    return 0


_RULES: dict[str, Callable[[LayerRow, int], int]] = {
    "macs": lambda row, batch: row.macs,
    "flops": lambda row, batch: row.flops,
    "torchvision": lambda row, batch: row.macs,
    "fvcore": lambda row, batch: _fvcore(row, batch, 2),
    "fvcore_train": lambda row, batch: _fvcore(row, batch, 5),
    "ptflops": _ptflops,
    "ptflops_aten": _ptflops_aten,
    "thop": _thop,
    "torchinfo": _torchinfo,
}

CONVENTIONS: tuple[str, ...] = tuple(_RULES)
"""Names `count_as` knows: ours (``macs``, ``flops``) and the tools' (keys of `PEER_TOOL_CONVENTIONS`,
plus ``fvcore_train``, fvcore on a model left in training mode)."""


def count_as(rows: Iterable[LayerRow], convention: str, batch: int = 1) -> int:
    """The total that ``convention`` gives for these rows (walked for ``batch`` samples).

    ``macs``: MACs of conv and linear layers (= ``torchvision``); ``flops``: the
    course's multiplies + adds + divides of every layer; the others: the rules of
    `PEER_TOOL_CONVENTIONS`, applied to our rows (computed, not run). For the
    whole batch, also for ``ptflops``, which itself prints the per-image value.
    """
    if convention not in _RULES:
        raise ValueError(f"convention must be one of {', '.join(CONVENTIONS)}, got {convention!r}")
    rule = _RULES[convention]
    return sum(rule(row, batch) for row in rows)
