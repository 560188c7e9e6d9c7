"""Per-layer cost tables of the classic CNNs, from the formulas alone: ``summarize("resnet50")``.

`summarize` walks a network spec (`course_lib.architectures`) from its input
shape and costs every layer with the exact formulas of `course_lib.complexity`
(rules in `course_lib.summary.rows`), never by running it. The `Summary` holds
one row per layer (name, type, output shape, parameters, MACs, FLOPs,
activation elements) and the totals ``params``, ``macs``, ``flops``,
``activations``; it renders as text, Markdown, CSV and HTML (a notebook shows
the HTML table), and estimates memory in bytes. The same table is behind the
command line ``python -m course_lib summary vgg16``. Derived in
notebooks/06_cnn_time_and_space.ipynb and used in notebooks/07_designing_efficient_cnns.ipynb.

Conventions
-----------
``macs``  multiply-accumulates of conv and linear layers only: torchvision's
          convention, whose "GFLOPS" column is these MACs in billions (the
          totals reproduce torchvision's parameter counts exactly and its
          "GFLOPS" to the 3 decimals of its metadata, tests/test_summary_published.py).
``flops`` the course's FLOPs = multiplies + adds + divides of every layer: conv
          and linear products with their bias adds (about 2 x MACs), batch norm
          at inference (scale and shift folded: 1 multiply + 1 add per element),
          average pooling (window - 1 adds + 1 divide per output), residual adds
          (1 per element). Max pooling compares and activations apply functions:
          neither is a FLOP (``activation_applications`` counts the latter).

What other tools count (`PEER_TOOL_CONVENTIONS`, `count_as`; each rule read in
the tool's source; the numbers are computed by us from our rows for ResNet-50,
3x224x224, batch 1, the tools were not run):

==================  ==============================================  ===========
tool                counts (one per multiply-add unless stated)     ResNet-50
==================  ==============================================  ===========
torchvision _ops    conv + linear MACs, no bias                     4.089 G
fvcore (eval)       conv + linear MACs, BN 2/element, adaptive      4.112 G
                    avg pool 1/input element; skips ReLU, max pool,
                    adds (train mode: BN 5/element -> 4.145 G)
ptflops (pytorch    conv + linear MACs + biases, BN 2/element,      4.122 G
backend)            ReLU 1/element, pools 1/input element
ptflops (aten)      conv (+ bias) and matmul MACs only              4.089 G
thop                conv + linear MACs, BN 4/element, adaptive      4.134 G
                    avg pool (window + 1)/output; ReLU, max pool 0
torchinfo           conv (weights + biases) x output positions,     4.089 G
                    linear and BN: batch x parameters
course ``flops``    every multiply, add and divide                  8.195 G
==================  ==============================================  ===========

Published by the tools' users and authors: fvcore 4.09 G (an older version that
skipped batch norm, ptflops issue #94), ptflops 4.12 GMac (its README table,
whose seven torchvision rows our ptflops rule reproduces), thop 4.14 G (its
README, made with earlier rules). None counts ResNet's residual adds.
"""

from course_lib.summary.conventions import CONVENTIONS, PEER_TOOL_CONVENTIONS, count_as
from course_lib.summary.report import Summary, summarize
from course_lib.summary.rows import LayerRow, format_shape, walk

__all__ = [
    "CONVENTIONS",
    "PEER_TOOL_CONVENTIONS",
    "LayerRow",
    "Summary",
    "count_as",
    "format_shape",
    "summarize",
    "walk",
]
