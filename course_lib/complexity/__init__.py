"""Cost formulas as exact-integer Python functions: one submodule per kind of layer.

``dense`` holds dense layers and MLPs (forward, backward, SGD update, training
step, losses, parameters); every formula returns a `Cost` (multiplies, adds,
divides, activations, MACs, and ``flops``). Nothing here imports the
implementations (``ops``, ``counting``, ``mlp``, ``conv``): tests set these
formulas beside counted runs of the real code.
"""

from course_lib.complexity.cost import KINDS, Cost
from course_lib.complexity.dense import (
    LOSSES,
    activation_backward_cost,
    activation_forward_cost,
    backward_forward_ratio,
    dense_backward_cost,
    dense_backward_costs,
    dense_forward_cost,
    dense_params,
    layer_backward_cost,
    layer_forward_cost,
    loss_cost,
    mlp_backward_cost,
    mlp_backward_costs_per_layer,
    mlp_forward_cost,
    mlp_forward_costs_per_layer,
    mlp_params,
    mlp_sgd_update_cost,
    mlp_training_step_cost,
    mse_loss_cost,
    sgd_update_cost,
    softmax_cross_entropy_cost,
)

__all__ = [
    "KINDS",
    "LOSSES",
    "Cost",
    "activation_backward_cost",
    "activation_forward_cost",
    "backward_forward_ratio",
    "dense_backward_cost",
    "dense_backward_costs",
    "dense_forward_cost",
    "dense_params",
    "layer_backward_cost",
    "layer_forward_cost",
    "loss_cost",
    "mlp_backward_cost",
    "mlp_backward_costs_per_layer",
    "mlp_forward_cost",
    "mlp_forward_costs_per_layer",
    "mlp_params",
    "mlp_sgd_update_cost",
    "mlp_training_step_cost",
    "mse_loss_cost",
    "sgd_update_cost",
    "softmax_cross_entropy_cost",
]
