"""Cost formulas as sympy expressions, and helpers to read off their growth.

These are the *derive* step of the course's derive -> count -> time method: the
notebooks build each cost symbolically, simplify it, and take its leading term
or big-O here, never by hand. This module deliberately does not import the
implementations (`ops`, `counting`, ...): a formula that called the code it
checks would check nothing.
"""

from __future__ import annotations

import sympy as sp

m, n, p = sp.symbols("m n p", positive=True, integer=True)
"""Default matrix-product sizes: (m x n) times (n x p)."""


def dot_product_cost(length: sp.Expr = n) -> dict[str, sp.Expr]:
    """A dot product of ``length`` terms: ``length`` multiplies and ``length - 1`` adds.

    Derived in notebooks/00_start_here.ipynb.
    """
    return {"multiplies": length, "adds": length - 1}


def matmul_cost(rows: sp.Expr = m, inner: sp.Expr = n, cols: sp.Expr = p) -> dict[str, sp.Expr]:
    """Cost of a (rows x inner)(inner x cols) product, one dot product per output entry.

    Returns multiplies = rows*inner*cols, adds = rows*(inner-1)*cols,
    macs = rows*inner*cols and flops = multiplies + adds. Derived in
    notebooks/01_matrix_multiplication.ipynb.
    """
    per_entry = dot_product_cost(inner)
    entries = rows * cols
    cost = {kind: sp.expand(entries * count) for kind, count in per_entry.items()}
    cost["macs"] = cost["multiplies"]
    cost["flops"] = sp.expand(cost["multiplies"] + cost["adds"])
    return cost


def layer_sum(per_layer: sp.Expr, index: sp.Symbol, first: sp.Expr, last: sp.Expr) -> sp.Expr:
    """``Sum(per_layer, (index, first, last))``, evaluated and simplified where sympy can."""
    return sp.simplify(sp.Sum(per_layer, (index, first, last)).doit())


def big_o(expr: sp.Expr, *variables: sp.Symbol) -> sp.Order:
    """Big-O of ``expr`` as every one of ``variables`` grows to infinity, as sympy computes it.

    With no variables given, all free symbols of ``expr`` grow.
    """
    variables = variables or tuple(sorted(expr.free_symbols, key=str))
    if not variables:
        raise ValueError(f"expr {expr} has no free symbols to grow")
    return sp.Order(expr, *[(v, sp.oo) for v in variables])


def leading_term(expr: sp.Expr, variable: sp.Symbol) -> sp.Expr:
    """The dominant term of ``expr`` as ``variable`` -> infinity, coefficient included.

    Computed by substituting variable = 1/t and taking sympy's leading term as
    t -> 0, so ``leading_term(2*n**3 - n**2, n) == 2*n**3``.
    """
    if variable not in expr.free_symbols:
        raise ValueError(f"variable {variable} does not occur in {expr}")
    t = sp.Dummy("t", positive=True)
    return sp.expand(expr.subs(variable, 1 / t)).as_leading_term(t).subs(t, 1 / variable)


# ---------------------------------------------------------------------------
# Dense layers and MLPs: forward, backward, update, training step
# (notebooks/02_forward_propagation.ipynb, 03_backpropagation.ipynb,
# 04_gradient_descent.ipynb). The same conventions as
# `course_lib.complexity.dense`, built here from `matmul_cost` and sums over
# layers. A cost is a dict with the keys multiplies, adds, divides,
# activations, macs and flops (= multiplies + adds + divides).
# ---------------------------------------------------------------------------

k, L, B = sp.symbols("k L B", positive=True, integer=True)
"""Layer index k (1..L), number of layers L, batch size B."""

n_in, n_out = sp.symbols("n_in n_out", positive=True, integer=True)
"""Input and output widths of one dense layer."""

width = sp.Function("n", positive=True, integer=True)
"""Symbolic widths: ``width(k)`` is n(k), the number of neurons of layer k (n(0) inputs)."""

DENSE_COST_KINDS = ("multiplies", "adds", "divides", "activations", "macs", "flops")
"""Keys of every dense cost dict (those of ``OpCounter.as_dict()``)."""


def _cost(
    multiplies: sp.Expr = 0,
    adds: sp.Expr = 0,
    divides: sp.Expr = 0,
    activations: sp.Expr = 0,
    macs: sp.Expr = 0,
) -> dict[str, sp.Expr]:
    parts = {
        "multiplies": multiplies,
        "adds": adds,
        "divides": divides,
        "activations": activations,
        "macs": macs,
    }
    cost = {kind: sp.expand(sp.sympify(value)) for kind, value in parts.items()}
    cost["flops"] = sp.expand(cost["multiplies"] + cost["adds"] + cost["divides"])
    return cost


def _plus(*costs: dict[str, sp.Expr]) -> dict[str, sp.Expr]:
    return {kind: sp.expand(sum((c[kind] for c in costs), sp.Integer(0))) for kind in DENSE_COST_KINDS}


def _product(rows: sp.Expr, inner: sp.Expr, cols: sp.Expr) -> dict[str, sp.Expr]:
    """A matrix product as a cost dict, from `matmul_cost`."""
    mm = matmul_cost(rows, inner, cols)
    return _cost(multiplies=mm["multiplies"], adds=mm["adds"], macs=mm["macs"])


def dense_forward_cost_expr(
    n_in: sp.Expr = n_in, n_out: sp.Expr = n_out, batch: sp.Expr = B, bias_unit: bool = False
) -> dict[str, sp.Expr]:
    """z = x W + b: the product (B x n_in)(n_in x n_out) plus B*n_out bias adds.

    With the seed's bias unit, the product (B x (n_in+1))((n_in+1) x n_out)
    alone. Derived in notebooks/02_forward_propagation.ipynb.
    """
    if bias_unit:
        return _product(batch, n_in + 1, n_out)
    return _plus(_product(batch, n_in, n_out), _cost(adds=batch * n_out))


def activation_forward_cost_expr(n: sp.Expr = n_out, batch: sp.Expr = B) -> dict[str, sp.Expr]:
    """a = g(z): B*n activations."""
    return _cost(activations=batch * n)


def activation_backward_cost_expr(n: sp.Expr = n_out, batch: sp.Expr = B) -> dict[str, sp.Expr]:
    """dz = da * g'(z): B*n activations (g') and B*n multiplies."""
    return _cost(activations=batch * n, multiplies=batch * n)


def dense_backward_costs_expr(
    n_in: sp.Expr = n_in, n_out: sp.Expr = n_out, batch: sp.Expr = B, bias_unit: bool = False
) -> dict[str, dict[str, sp.Expr]]:
    """The gradients separately: dW = x^T dz, db = sum over the batch, dx = dz W^T.

    dW is the product (n_in x B)(B x n_out); db is n_out sums of B numbers
    ((B-1)*n_out adds), or with a bias unit the product (n_out x B)(B x 1);
    dx is the product (B x n_out)(n_out x n_in). Derived in
    notebooks/03_backpropagation.ipynb.
    """
    db = _product(n_out, batch, 1) if bias_unit else _cost(adds=(batch - 1) * n_out)
    return {"dx": _product(batch, n_out, n_in), "dW": _product(n_in, batch, n_out), "db": db}


def dense_backward_cost_expr(
    n_in: sp.Expr = n_in,
    n_out: sp.Expr = n_out,
    batch: sp.Expr = B,
    need_dx: bool = True,
    bias_unit: bool = False,
) -> dict[str, sp.Expr]:
    """dW + db (+ dx unless ``need_dx`` is False, as in the first layer)."""
    parts = dense_backward_costs_expr(n_in, n_out, batch, bias_unit)
    return _plus(parts["dW"], parts["db"], *([parts["dx"]] if need_dx else []))


def layer_forward_cost_expr(
    n_in: sp.Expr = n_in, n_out: sp.Expr = n_out, batch: sp.Expr = B
) -> dict[str, sp.Expr]:
    """Dense forward + activation of one layer."""
    return _plus(dense_forward_cost_expr(n_in, n_out, batch), activation_forward_cost_expr(n_out, batch))


def layer_backward_cost_expr(
    n_in: sp.Expr = n_in, n_out: sp.Expr = n_out, batch: sp.Expr = B, need_dx: bool = True
) -> dict[str, sp.Expr]:
    """Activation backward + dense backward of one layer."""
    return _plus(
        activation_backward_cost_expr(n_out, batch), dense_backward_cost_expr(n_in, n_out, batch, need_dx)
    )


def sgd_update_cost_expr(n_in: sp.Expr = n_in, n_out: sp.Expr = n_out) -> dict[str, sp.Expr]:
    """theta -= lr * grad for one layer's n_in*n_out + n_out parameters: one multiply and one add each."""
    params = n_in * n_out + n_out
    return _cost(multiplies=params, adds=params)


def mse_loss_cost_expr(n_out: sp.Expr = n_out, batch: sp.Expr = B) -> dict[str, sp.Expr]:
    """Mean squared error and its gradient over N = B*n_out: 2N multiplies, 2N - 1 adds, 2 divides."""
    N = batch * n_out
    return _cost(multiplies=2 * N, adds=2 * N - 1, divides=2)


def softmax_cross_entropy_cost_expr(n_classes: sp.Expr = n_out, batch: sp.Expr = B) -> dict[str, sp.Expr]:
    """Softmax cross-entropy and its gradient: 2BC + 2B - 1 adds, 2BC + 1 divides, BC + B activations."""
    C = n_classes
    return _cost(adds=2 * batch * C + 2 * batch - 1, divides=2 * batch * C + 1, activations=batch * C + batch)


def _over_layers(per_layer: dict[str, sp.Expr], first: sp.Expr, last: sp.Expr) -> dict[str, sp.Expr]:
    """Sum over k = first..last of a per-layer cost written with n_in -> n(k-1), n_out -> n(k)."""
    layer_k = {n_in: width(k - 1), n_out: width(k)}
    return {kind: sp.Sum(expr.subs(layer_k), (k, first, last)) for kind, expr in per_layer.items()}


def _sum_costs(*costs: dict[str, sp.Expr]) -> dict[str, sp.Expr]:
    return {kind: sp.Add(*(c[kind] for c in costs)) for kind in DENSE_COST_KINDS}


def mlp_forward_cost_expr(n_layers: sp.Expr = L, batch: sp.Expr = B) -> dict[str, sp.Expr]:
    """Forward pass of an MLP with widths n(0..L): sum over k = 1..L of layer k's cost.

    Multiplies sum_k B n(k-1) n(k): for one sample a matrix-vector product per
    layer, so L layers of n neurons cost L n^2, O(n^3) when L = n (not the
    seed's O(n^4), which is the cost of a batch of B = n samples). Derived in
    notebooks/02_forward_propagation.ipynb.
    """
    return _over_layers(layer_forward_cost_expr(n_in, n_out, batch), 1, n_layers)


def mlp_backward_cost_expr(n_layers: sp.Expr = L, batch: sp.Expr = B) -> dict[str, sp.Expr]:
    """Backward pass: sum over k = 1..L of activation backward + dW + db, plus dx for k = 2..L.

    Derived in notebooks/03_backpropagation.ipynb.
    """
    no_dx = layer_backward_cost_expr(n_in, n_out, batch, need_dx=False)
    dx = dense_backward_costs_expr(n_in, n_out, batch)["dx"]
    return _sum_costs(_over_layers(no_dx, 1, n_layers), _over_layers(dx, 2, n_layers))


def mlp_sgd_update_cost_expr(n_layers: sp.Expr = L) -> dict[str, sp.Expr]:
    """One SGD update of all sum_k (n(k-1) n(k) + n(k)) parameters."""
    return _over_layers(sgd_update_cost_expr(n_in, n_out), 1, n_layers)


def mlp_training_step_cost_expr(
    n_layers: sp.Expr = L, batch: sp.Expr = B, loss: str | None = "mse"
) -> dict[str, sp.Expr]:
    """Forward + loss on the n(L) outputs (``"mse"``, ``"softmax_cross_entropy"`` or None) + backward + update.

    Derived in notebooks/04_gradient_descent.ipynb.
    """
    losses = {"mse": mse_loss_cost_expr, "softmax_cross_entropy": softmax_cross_entropy_cost_expr}
    if loss is not None and loss not in losses:
        raise ValueError(f"loss must be one of {sorted(losses)} or None, got {loss!r}")
    loss_cost = losses[loss](width(n_layers), batch) if loss is not None else _cost()
    parts = (mlp_forward_cost_expr(n_layers, batch), loss_cost, mlp_backward_cost_expr(n_layers, batch))
    return _sum_costs(*parts, mlp_sgd_update_cost_expr(n_layers))


def seed_forward_multiplies_expr(n_layers: sp.Expr = L) -> sp.Expr:
    """Seed 000's count of forward multiplications, kept to compare with (it is wrong).

    n_mul = sum_{k=2}^{L} n(k) n(k-1) n(k-2) + n(1) n(0) 1: it treats each
    activation vector a(k-1) as if it were an n(k-1) x n(k-2) matrix. For one
    sample the correct count is sum_k n(k) n(k-1) (a matrix-vector product
    per layer, `mlp_forward_cost_expr` with B = 1); the seed's n_layers * n^3,
    hence O(n^4) with n layers, is the cost of a batch of n samples. In the
    seed n(k) includes the bias unit. Examined in notebooks/02_forward_propagation.ipynb.
    """
    return sp.Sum(width(k) * width(k - 1) * width(k - 2), (k, 2, n_layers)) + width(1) * width(0) * 1


def seed_activation_count_expr(n_layers: sp.Expr = L) -> sp.Expr:
    """Seed 000's n_g = sum_{k=1}^{L} n(k): activation applications of one sample (this one is right)."""
    return sp.Sum(width(k), (k, 1, n_layers))


def substitute_widths(
    cost: dict[str, sp.Expr] | sp.Expr, widths: list[int], batch: int | None = None
) -> dict[str, sp.Expr] | sp.Expr:
    """Evaluate an MLP cost for concrete widths [n(0), ..., n(L)] (and batch B when given).

    Sets L = len(widths) - 1, expands the sums over layers and replaces each
    n(i) by widths[i]; with every symbol given the result is a sympy Integer.
    """
    if len(widths) < 2 or any(int(w) != w or w < 1 for w in widths):
        raise ValueError(f"widths must be at least 2 positive integers, got {widths}")
    values = {width(i): sp.Integer(int(w)) for i, w in enumerate(widths)}
    if batch is not None:
        if int(batch) != batch or batch < 1:
            raise ValueError(f"batch must be a positive integer, got {batch}")
        values[B] = sp.Integer(int(batch))

    def evaluate(expr: sp.Expr) -> sp.Expr:
        return sp.expand(sp.sympify(expr).subs(L, len(widths) - 1).doit().subs(values))

    return {kind: evaluate(expr) for kind, expr in cost.items()} if isinstance(cost, dict) else evaluate(cost)


def uniform_widths(cost: dict[str, sp.Expr] | sp.Expr, neurons: sp.Expr = n) -> dict[str, sp.Expr] | sp.Expr:
    """The uniform case: every n(k) = ``neurons`` (default the symbol n), sums over layers done in closed form.

    E.g. the forward multiplies become B L n^2; take `leading_term` / `big_o`
    of the result, after setting L = n or B = n if wanted.
    """

    def evaluate(expr: sp.Expr) -> sp.Expr:
        return sp.expand(sp.simplify(sp.sympify(expr).replace(width, sp.Lambda(k, neurons)).doit()))

    return {kind: evaluate(expr) for kind, expr in cost.items()} if isinstance(cost, dict) else evaluate(cost)


# ---------------------------------------------------------------------------
# Convolution layers and whole CNNs (notebooks/05_convolution_layer.ipynb,
# 06_cnn_time_and_space.ipynb). Seed 003's per-layer time M^2 K^2 C_in C_out
# and its time and space sums over layers, corrected: the floor in the output
# size, stride / padding / dilation, non-square inputs and kernels, groups,
# and the bias terms the seed leaves out. Same conventions as
# `course_lib.complexity.conv`: one dot product of length L = (C_in/G) K_h K_w
# per output element (L multiplies = MACs, L - 1 adds, + 1 add for a bias).
# A cost is a dict with the keys of `DENSE_COST_KINDS`.
# ---------------------------------------------------------------------------

M, K, C_in, C_out = sp.symbols("M K C_in C_out", positive=True, integer=True)
"""Seed 003's symbols: output side M, kernel side K, input and output channels C_in, C_out."""

H, W, H_out, W_out, K_h, K_w = sp.symbols("H W H_out W_out K_h K_w", positive=True, integer=True)
"""Non-square sizes: input H x W, output H_out x W_out, kernel K_h x K_w."""

conv_stride, conv_dilation, conv_groups, conv_batch = sp.symbols("s d G N", positive=True, integer=True)
"""Stride s, dilation d, groups G and batch N of a convolution."""

conv_padding = sp.Symbol("P", nonnegative=True, integer=True)
"""Zero padding P on each side (the seed's P; zero is allowed)."""

layer, depth = sp.symbols("l D", positive=True, integer=True)
"""CNN layer index l (1..D) and depth D (seed 003's notation)."""

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
    d (K - 1) + 1 cells, lies inside the padded input of size + 2P cells. Seed 003
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
    With H_out = W_out = M, K_h = K_w = K, G = N = 1 the MACs are seed 003's
    M^2 K^2 C_in C_out. Pass `conv_output_size_expr` for ``h_out`` / ``w_out`` to
    get the cost in terms of the input size. Derived in notebooks/05_convolution_layer.ipynb.
    """
    outputs = batch * c_out * h_out * w_out
    per_output = dot_product_cost(c_in / groups * k_h * k_w)
    adds = outputs * per_output["adds"] + (outputs if bias else 0)
    products = outputs * per_output["multiplies"]
    return _cost(multiplies=products, adds=adds, macs=products)


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
    """Elements of the output feature map: N C_out H_out W_out (seed 003's M^2 C_out per layer)."""
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

    Layer l: M_l^2 K_l^2 C_{l-1} C_l MACs (seed 003's term) and as many adds with
    biases (M_l^2 C_l fewer without). Pooling and activations are left out here
    (notebook 06 adds them). Derived in notebooks/05_convolution_layer.ipynb.
    """
    per_layer = conv2d_forward_cost_expr(C_in, C_out, M, M, K, K, bias=bias)
    return {kind: sp.Sum(_cnn_layer(expr), (layer, 1, n_layers)) for kind, expr in per_layer.items()}


def cnn_params_expr(n_layers: sp.Expr = depth, bias: bool = True) -> sp.Expr:
    """Parameters of D square conv layers: sum_l (K_l^2 C_{l-1} C_l + C_l), the C_l only with ``bias``.

    Seed 003's first space sum, which omits the biases. Independent of the input size.
    """
    return sp.Sum(_cnn_layer(conv2d_params_expr(C_in, C_out, K, K, bias=bias)), (layer, 1, n_layers))


def cnn_feature_map_expr(n_layers: sp.Expr = depth) -> sp.Expr:
    """Elements of all output feature maps of one sample: sum_l M_l^2 C_l (seed 003's second space sum)."""
    return sp.Sum(_cnn_layer(conv2d_output_elements_expr(C_out, M, M)), (layer, 1, n_layers))


def cnn_space_expr(n_layers: sp.Expr = depth, bias: bool = True) -> sp.Expr:
    """Space of inference in elements: parameters + every output feature map, sum_l (K_l^2 C_{l-1} C_l [+ C_l] + M_l^2 C_l).

    Seed 003's space formula, with the biases it leaves out (``bias=False`` gives the
    seed's). Layers computed in place (a ReLU) need no feature map of their own and
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
    if not layers or any(len(entry) != 3 for entry in layers):
        raise ValueError(f"layers must be a non-empty list of (M_l, K_l, C_l) triples, got {layers!r}")
    values = [input_channels, *(v for entry in layers for v in entry)]
    if any(isinstance(v, bool) or int(v) != v or v < 1 for v in values):
        raise ValueError(f"input_channels and every M_l, K_l, C_l must be positive integers, got {layers!r}")
    table = {channels(0): sp.Integer(int(input_channels))}
    for index, (side, kernel, out_channels) in enumerate(layers, start=1):
        table[feature_side(index)] = sp.Integer(int(side))
        table[kernel_side(index)] = sp.Integer(int(kernel))
        table[channels(index)] = sp.Integer(int(out_channels))

    def evaluate(single: sp.Expr) -> sp.Expr:
        return sp.expand(sp.sympify(single).subs(depth, len(layers)).doit().subs(table))

    return {kind: evaluate(e) for kind, e in expr.items()} if isinstance(expr, dict) else evaluate(expr)
