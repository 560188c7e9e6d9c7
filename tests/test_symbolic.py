"""The sympy helpers: big-O and leading terms, checked against limits worked by hand."""

import pytest
import sympy as sp

from course_lib import symbolic
from course_lib.symbolic import m, n, p


def test_matmul_cost_is_a_sum_of_dot_products():
    i, j = sp.symbols("i j", integer=True, positive=True)
    by_entries = sp.Sum(sp.Sum(n, (j, 1, p)), (i, 1, m)).doit()
    cost = symbolic.matmul_cost()
    assert sp.simplify(cost["multiplies"] - by_entries) == 0
    assert sp.simplify(cost["adds"] - m * (n - 1) * p) == 0
    assert sp.simplify(cost["flops"] - (2 * m * n * p - m * p)) == 0


def test_leading_term_keeps_the_coefficient():
    assert symbolic.leading_term(2 * n**3 - n**2 + 7, n) == 2 * n**3
    assert symbolic.leading_term(n**4 + n**2, n) == n**4
    # the dominant term for n -> oo of m*n*p with m = p = n
    flops = symbolic.matmul_cost()["flops"].subs({m: n, p: n})
    assert symbolic.leading_term(flops, n) == 2 * n**3
    # agrees with the limit definition: expr / leading -> 1
    assert sp.limit(flops / symbolic.leading_term(flops, n), n, sp.oo) == 1


def test_big_o_drops_constants_and_lower_order_terms():
    assert symbolic.big_o(3 * n**4 + n**2, n) == sp.O(n**4, (n, sp.oo))
    assert symbolic.big_o(m * n * p + m * p) == sp.O(m * n * p, (m, sp.oo), (n, sp.oo), (p, sp.oo))


def test_layer_sum_of_a_constant_layer_cost():
    k, layers = sp.symbols("k L", positive=True, integer=True)
    assert symbolic.layer_sum(n**2, k, 1, layers) == layers * n**2
    assert symbolic.layer_sum(k, k, 1, layers) == layers * (layers + 1) / 2


def test_helpers_reject_expressions_without_the_variable():
    with pytest.raises(ValueError, match="does not occur"):
        symbolic.leading_term(m**2, n)
    with pytest.raises(ValueError, match="no free symbols"):
        symbolic.big_o(sp.Integer(5))


PRE_SPLIT_NAMES = """
m n p dot_product_cost matmul_cost layer_sum big_o leading_term k L B n_in n_out width DENSE_COST_KINDS
dense_forward_cost_expr activation_forward_cost_expr activation_backward_cost_expr dense_backward_costs_expr
dense_backward_cost_expr layer_forward_cost_expr layer_backward_cost_expr sgd_update_cost_expr
mse_loss_cost_expr softmax_cross_entropy_cost_expr mlp_forward_cost_expr mlp_backward_cost_expr
mlp_sgd_update_cost_expr mlp_training_step_cost_expr seed_forward_multiplies_expr seed_activation_count_expr
substitute_widths uniform_widths M K C_in C_out H W H_out W_out K_h K_w conv_stride conv_dilation conv_groups
conv_batch conv_padding layer depth feature_side kernel_side channels conv_output_size_expr
conv2d_forward_cost_expr conv2d_params_expr conv2d_output_elements_expr conv2d_im2col_elements_expr
cnn_forward_cost_expr cnn_params_expr cnn_feature_map_expr cnn_space_expr substitute_cnn
""".split()


def test_every_name_of_the_single_module_is_still_exported():
    # course_lib.symbolic was one module before it was split by layer kind; notebooks import these names
    missing = [
        name for name in PRE_SPLIT_NAMES if name not in symbolic.__all__ or not hasattr(symbolic, name)
    ]
    assert missing == []
    assert all(hasattr(symbolic, name) for name in symbolic.__all__)
    assert len(set(symbolic.__all__)) == len(symbolic.__all__)
