"""Convolution layers and whole CNNs as sympy expressions and cost dicts.

Derived in notebooks/05_convolution_layer.ipynb and 06_cnn_time_and_space.ipynb.
The per-layer time M^2 K^2 C_in C_out and the time and space sums over layers of
the CNN article (the Zhihu article "Complexity analysis of convolutional neural
networks", https://zhuanlan.zhihu.com/p/31575074), corrected: the floor in the
output size, stride / padding / dilation, non-square inputs and kernels, groups,
and the bias terms the article leaves out.
Same conventions as `course_lib.complexity.conv`: one dot product of length
L = (C_in/G) K_h K_w per output element (L multiplies = MACs, L - 1 adds, + 1 add
for a bias). A cost is a dict with the keys of `course_lib.symbolic.core.COST_KINDS`.
"""

from __future__ import annotations

import sympy as sp

from course_lib.symbolic.core import cost_dict, dot_product_cost, plus, product_cost, scaled, summed
from course_lib.validation import parse_int_list, require_int

M, K, C_in, C_out = sp.symbols("M K C_in C_out", positive=True, integer=True)
"""The CNN article's symbols: output side M, kernel side K, input and output channels C_in, C_out."""

H, W, H_out, W_out, K_h, K_w = sp.symbols("H W H_out W_out K_h K_w", positive=True, integer=True)
"""Non-square sizes: input H x W, output H_out x W_out, kernel K_h x K_w."""

conv_stride, conv_dilation, conv_groups, conv_batch = sp.symbols("s d G N", positive=True, integer=True)
"""Stride s, dilation d, groups G and batch N of a convolution."""

conv_padding = sp.Symbol("P", nonnegative=True, integer=True)
"""Zero padding P on each side (the CNN article's P; zero is allowed)."""

layer, depth = sp.symbols("l D", positive=True, integer=True)
"""CNN layer index l (1..D) and depth D (the CNN article's notation)."""

feature_side = sp.Function("M", positive=True, integer=True)
"""``feature_side(l)`` is M_l, the side of layer l's (square) output feature map."""

kernel_side = sp.Function("K", positive=True, integer=True)
"""``kernel_side(l)`` is K_l, the side of layer l's (square) kernel."""

channels = sp.Function("C", positive=True, integer=True)
"""``channels(l)`` is C_l, the output channels of layer l; ``channels(0)`` the input's channels."""


def conv_output_size_expr(
    size: sp.Expr = H,
    kernel: sp.Expr = K,
    padding: sp.Expr = conv_padding,
    stride: sp.Expr = conv_stride,
    dilation: sp.Expr = conv_dilation,
) -> sp.Expr:
    """floor((size + 2 padding - dilation (kernel - 1) - 1) / stride) + 1: outputs along one dimension.

    The number of starts 0, s, 2s, ... at which the dilated kernel, which spans
    d (K - 1) + 1 cells, lies inside the padded input of size + 2P cells. The CNN article
    writes (X - K + 2P)/S + 1 without the floor (and without dilation). Only
    meaningful when the kernel fits, d (K - 1) + 1 <= size + 2P. Derived in
    notebooks/05_convolution_layer.ipynb.
    """
    return sp.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1


def conv2d_forward_cost_expr(
    c_in: sp.Expr = C_in,
    c_out: sp.Expr = C_out,
    h_out: sp.Expr = H_out,
    w_out: sp.Expr = W_out,
    k_h: sp.Expr = K_h,
    k_w: sp.Expr = K_w,
    groups: sp.Expr = 1,
    batch: sp.Expr = 1,
    bias: bool = True,
) -> dict[str, sp.Expr]:
    """Forward cost of a convolution: E = N C_out H_out W_out dot products of length L = (C_in/G) K_h K_w.

    multiplies = MACs = E L, adds = E (L - 1) (+ E with ``bias``), flops = the sum.
    With H_out = W_out = M, K_h = K_w = K, G = N = 1 the MACs are the CNN article's
    M^2 K^2 C_in C_out. Pass `conv_output_size_expr` for ``h_out`` / ``w_out`` to
    get the cost in terms of the input size. Derived in notebooks/05_convolution_layer.ipynb.
    """
    outputs = conv2d_output_elements_expr(c_out, h_out, w_out, batch)
    per_output = dot_product_cost(c_in / groups * k_h * k_w)
    adds = outputs * per_output["adds"] + (outputs if bias else 0)
    products = outputs * per_output["multiplies"]
    return cost_dict(multiplies=products, adds=adds, macs=products)


def conv2d_backward_costs_expr(
    c_in: sp.Expr = C_in,
    c_out: sp.Expr = C_out,
    h_out: sp.Expr = H_out,
    w_out: sp.Expr = W_out,
    k_h: sp.Expr = K_h,
    k_w: sp.Expr = K_w,
    groups: sp.Expr = 1,
    batch: sp.Expr = 1,
    bias: bool = True,
    need_dx: bool = True,
) -> dict[str, dict[str, sp.Expr]]:
    """The three gradients of a convolution as products of the im2col route, ``{"dx", "dW", "db"}``.

    With P = N H_out W_out output positions and L = (C_in/G) K_h K_w, each of the
    G groups does two matrix products with its C_out/G filters:

    * dW: dout (C_out/G x P) times the columns transposed (P x L), so
      E L multiplies (= MACs) and C_out L (P - 1) adds in all (E = N C_out H_out W_out);
    * db: C_out sums of P numbers, C_out (P - 1) adds (zero without ``bias``);
    * dx: the filters transposed (L x C_out/G) times dout (C_out/G x P) give the
      column gradients, then col2im adds each of the G L P column entries into a
      zero-initialised dx: E L multiplies (= MACs) and E L adds (zero without ``need_dx``).

    The same conventions as `course_lib.complexity.conv2d_backward_costs`.
    Derived in notebooks/06_cnn_time_and_space.ipynb.
    """
    positions = batch * h_out * w_out
    length = c_in / groups * k_h * k_w
    per_group = c_out / groups
    d_w = scaled(product_cost(per_group, positions, length), groups)
    d_b = cost_dict(adds=c_out * (positions - 1)) if bias else cost_dict()
    col2im = cost_dict(adds=groups * length * positions)
    d_x = plus(scaled(product_cost(length, per_group, positions), groups), col2im) if need_dx else cost_dict()
    return {"dx": d_x, "dW": d_w, "db": d_b}


conv2d_backward_cost_expr = summed(
    conv2d_backward_costs_expr,
    "conv2d_backward_cost_expr",
    """dx + dW + db of a convolution: `conv2d_backward_costs_expr` (same arguments) summed.

    2 E L multiplies, about twice the forward. Derived in notebooks/06_cnn_time_and_space.ipynb.
    """,
)


def conv2d_params_expr(
    c_in: sp.Expr = C_in,
    c_out: sp.Expr = C_out,
    k_h: sp.Expr = K_h,
    k_w: sp.Expr = K_w,
    groups: sp.Expr = 1,
    bias: bool = True,
) -> sp.Expr:
    """Parameters of a convolution: C_out (C_in/G) K_h K_w weights + C_out biases (with ``bias``)."""
    return sp.expand(c_out * c_in / groups * k_h * k_w + (c_out if bias else 0))


def conv2d_output_elements_expr(
    c_out: sp.Expr = C_out, h_out: sp.Expr = H_out, w_out: sp.Expr = W_out, batch: sp.Expr = 1
) -> sp.Expr:
    """Elements of the output feature map: N C_out H_out W_out (the CNN article's M^2 C_out per layer)."""
    return batch * c_out * h_out * w_out


def conv2d_im2col_elements_expr(
    c_in: sp.Expr = C_in,
    h_out: sp.Expr = H_out,
    w_out: sp.Expr = W_out,
    k_h: sp.Expr = K_h,
    k_w: sp.Expr = K_w,
    batch: sp.Expr = 1,
) -> sp.Expr:
    """Elements of the im2col buffer: N (C_in K_h K_w) x (H_out W_out), about K_h K_w / s^2 times the input.

    Derived in notebooks/05_convolution_layer.ipynb.
    """
    return batch * c_in * k_h * k_w * h_out * w_out


def _cnn_layer(per_layer: sp.Expr) -> sp.Expr:
    """A per-layer expression in M, K, C_in, C_out rewritten for layer l of a CNN."""
    return per_layer.subs(
        {M: feature_side(layer), K: kernel_side(layer), C_in: channels(layer - 1), C_out: channels(layer)},
        simultaneous=True,
    )


def cnn_forward_cost_expr(n_layers: sp.Expr = depth, bias: bool = True) -> dict[str, sp.Expr]:
    """Forward cost of D square conv layers, summed over l = 1..D (``sp.Sum``, unevaluated).

    Layer l: M_l^2 K_l^2 C_{l-1} C_l MACs (the CNN article's term) and as many adds with
    biases (M_l^2 C_l fewer without). Pooling and activations are left out here
    (notebook 06 adds them). Derived in notebooks/05_convolution_layer.ipynb.
    """
    per_layer = conv2d_forward_cost_expr(C_in, C_out, M, M, K, K, bias=bias)
    return {kind: sp.Sum(_cnn_layer(expr), (layer, 1, n_layers)) for kind, expr in per_layer.items()}


def cnn_params_expr(n_layers: sp.Expr = depth, bias: bool = True) -> sp.Expr:
    """Parameters of D square conv layers: sum_l (K_l^2 C_{l-1} C_l + C_l), the C_l only with ``bias``.

    The CNN article's first space sum, which omits the biases. Independent of the input size.
    """
    return sp.Sum(_cnn_layer(conv2d_params_expr(C_in, C_out, K, K, bias=bias)), (layer, 1, n_layers))


def cnn_feature_map_expr(n_layers: sp.Expr = depth) -> sp.Expr:
    """Elements of all output feature maps of one sample: sum_l M_l^2 C_l (the CNN article's second space sum)."""
    return sp.Sum(_cnn_layer(conv2d_output_elements_expr(C_out, M, M)), (layer, 1, n_layers))


def cnn_space_expr(n_layers: sp.Expr = depth, bias: bool = True) -> sp.Expr:
    """Space of inference in elements: parameters + every output feature map, sum_l (K_l^2 C_{l-1} C_l [+ C_l] + M_l^2 C_l).

    The CNN article's space formula, with the biases it leaves out (``bias=False`` gives the
    article's). Layers computed in place (a ReLU) need no feature map of their own and
    reused buffers need less; notebook 06 measures that.
    """
    return cnn_params_expr(n_layers, bias) + cnn_feature_map_expr(n_layers)


def substitute_cnn(
    expr: dict[str, sp.Expr] | sp.Expr, input_channels: int, layers: list[tuple[int, int, int]]
) -> dict[str, sp.Expr] | sp.Expr:
    """Evaluate a CNN sum for concrete layers: C_0 = ``input_channels``, ``layers`` = [(M_l, K_l, C_l), ...].

    Sets D = len(layers), expands the sums and substitutes every M_l, K_l and C_l;
    the result is a sympy Integer (or a dict of them).
    """
    if not layers:
        raise ValueError(f"layers must be a non-empty list of (M_l, K_l, C_l) triples, got {layers!r}")
    table = {channels(0): sp.Integer(require_int("input_channels", input_channels))}
    for index, entry in enumerate(layers, start=1):
        side, kernel, out_channels = parse_int_list(f"layers[{index - 1}]", entry, min_len=3, max_len=3)
        table[feature_side(index)] = sp.Integer(side)
        table[kernel_side(index)] = sp.Integer(kernel)
        table[channels(index)] = sp.Integer(out_channels)

    def evaluate(single: sp.Expr) -> sp.Expr:
        return sp.expand(sp.sympify(single).subs(depth, len(layers)).doit().subs(table))

    return {kind: evaluate(e) for kind, e in expr.items()} if isinstance(expr, dict) else evaluate(expr)
