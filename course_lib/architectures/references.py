"""Published parameter and operation counts, as data, with where each comes from.

For the torchvision networks the numbers are the ``num_params`` and ``_ops``
entries of the weights' ``meta`` (e.g. ``ResNet50_Weights.IMAGENET1K_V1``),
shown in the classification table of https://pytorch.org/vision/stable/models.html
under the heading "GFLOPS" (rounded there to 2 decimals; the ``meta`` holds 3).
Despite the heading, ``_ops`` counts *multiply-accumulates*, in billions, of
the convolution and dense (matrix-product) operators only, for one 3x224x224
image: no BatchNorm, activation, pooling, residual add or bias. It was
computed with a ``__torch_dispatch__`` operator counter (pytorch/vision pull
request #6936) whose conv and matmul rules count one per multiply-add. The
course calls these numbers GMACs; FLOPs would be about twice as many.
tests/test_architectures_published.py recomputes every one from the specs.
Full list of sources: course_lib/architectures/SOURCES.md.
"""

from __future__ import annotations

import copy
from typing import Any

TORCHVISION_MODELS = "https://pytorch.org/vision/stable/models.html"
TORCHVISION_OPS_PR = "https://github.com/pytorch/vision/pull/6936"

_OPS_MEANING = (
    "torchvision meta '_ops' (docs column 'GFLOPS'): billions of multiply-accumulates of conv and "
    "linear layers for one 3x224x224 image"
)


def _torchvision(weights: str, module: str, params: int, gflops: float) -> dict[str, Any]:
    return {
        "params": params,
        "gflops": gflops,
        "gflops_decimals": 3,
        "gflops_means": _OPS_MEANING,
        "source": f"torchvision {weights}.meta: num_params, _ops",
        "url": f"https://github.com/pytorch/vision/blob/main/torchvision/models/{module}.py",
        "table": TORCHVISION_MODELS,
    }


PUBLISHED: dict[str, dict[str, Any]] = {
    "alexnet": _torchvision("AlexNet_Weights.IMAGENET1K_V1", "alexnet", 61_100_840, 0.714),
    "vgg11": _torchvision("VGG11_Weights.IMAGENET1K_V1", "vgg", 132_863_336, 7.609),
    "vgg16": _torchvision("VGG16_Weights.IMAGENET1K_V1", "vgg", 138_357_544, 15.47),
    "googlenet": _torchvision("GoogLeNet_Weights.IMAGENET1K_V1", "googlenet", 6_624_904, 1.498),
    "resnet18": _torchvision("ResNet18_Weights.IMAGENET1K_V1", "resnet", 11_689_512, 1.814),
    "resnet34": _torchvision("ResNet34_Weights.IMAGENET1K_V1", "resnet", 21_797_672, 3.664),
    "resnet50": _torchvision("ResNet50_Weights.IMAGENET1K_V1", "resnet", 25_557_032, 4.089),
    "resnet50_v1": {
        "params": None,
        "gflops": None,
        "gflops_decimals": None,
        "gflops_means": None,
        "paper_mult_adds_billions": 3.8,
        "note": (
            "He et al. give ResNet-50 '3.8 x 10^9' FLOPs and call them multiply-adds (Section 3.3); "
            "they print two figures, truncated, as for ResNet-34's 3.6 (3.664 G counted). The paper "
            "gives no parameter count; moving the stride changes no weight, so v1 has v1.5's "
            "25,557,032. torchvision's resnet50() is v1.5 (stride in the 3x3), 4.089 G"
        ),
        "source": (
            "K. He, X. Zhang, S. Ren, J. Sun, 'Deep Residual Learning for Image Recognition', CVPR 2016, "
            "Table 1 and Section 3.3"
        ),
        "url": "https://arxiv.org/abs/1512.03385",
    },
    "mobilenet_v2": _torchvision("MobileNet_V2_Weights.IMAGENET1K_V1", "mobilenetv2", 3_504_872, 0.301),
    "squeezenet1_0": _torchvision("SqueezeNet1_0_Weights.IMAGENET1K_V1", "squeezenet", 1_248_424, 0.819),
    "lenet5": {
        "params": 60_000,
        "gflops": None,
        "gflops_decimals": None,
        "gflops_means": None,
        "paper_layers": {
            "C1": {"params": 156, "connections": 122_304},
            "S2": {"params": 12, "connections": 5_880},
            "C3": {"params": 1_516, "connections": 151_600},
            "S4": {"params": 32, "connections": 2_000},
            "C5": {"params": 48_120, "connections": 48_120},
            "F6": {"params": 10_164, "connections": 10_164},
        },
        "note": (
            "trainable parameters of the paper's network, the sum of its per-layer figures; the RBF "
            "output's 84 x 10 hand-set parameters are not included. The specs encode the modern variant, "
            "whose count differs (see course_lib/architectures/lenet.py)"
        ),
        "source": (
            "Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, 'Gradient-based learning applied to document "
            "recognition', Proc. IEEE 86(11):2278-2324, 1998, Section II.B"
        ),
        "url": "https://doi.org/10.1109/5.726791",
    },
    "mobilenet_v1": {
        "params": 4_231_976,
        "gflops": None,
        "gflops_decimals": None,
        "gflops_means": None,
        "paper_params_millions": 4.2,
        "paper_mult_adds_millions": 569,
        "tf_slim_base_params": 3_185_088,
        "tf_slim_base_macs": 567_716_352,
        "note": (
            "params: 1.0-224 with BN scale and shift and the 1024 -> 1000 dense layer; = TF-slim's "
            "3,185,088 conv weights + 2 x 10,944 BN + 1,025,000 dense (derived; independent "
            "implementations report the same, e.g. osmr/imgclsmob). The paper rounds to 4.2 million "
            "parameters and 569 million mult-adds (Tables 4 and 8); TF-slim's per-layer table gives "
            "567,716,352 MACs for the conv layers alone, + 1,024,000 for the dense layer"
        ),
        "source": (
            "A. G. Howard et al., 'MobileNets: Efficient Convolutional Neural Networks for Mobile Vision "
            "Applications', arXiv:1704.04861, 2017; tensorflow/models research/slim/nets/mobilenet_v1.py"
        ),
        "url": "https://arxiv.org/abs/1704.04861",
    },
}
"""Published reference counts per network name (keys: params, gflops, gflops_decimals, source, url, ...)."""


def published(name: str) -> dict[str, Any]:
    """A copy of the published reference counts of network ``name`` (see `PUBLISHED`)."""
    if name not in PUBLISHED:
        raise ValueError(f"no published counts for {name!r}; known: {', '.join(sorted(PUBLISHED))}")
    return copy.deepcopy(PUBLISHED[name])
