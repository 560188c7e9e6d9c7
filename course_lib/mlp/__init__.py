"""A multilayer perceptron from scratch, written only with `course_lib.ops` so every operation is counted.

Submodules, one idea each:

* `layers`: ``dense_forward(x, W, b) -> (out, cache)``,
  ``dense_backward(dout, cache, need_dx=True) -> (dx, dW, db)``, and the
  bias-unit notation of the essay examined in notebook 02 (theta applied to [1, x]);
* `activations`: relu, sigmoid, tanh, identity with ``activation_forward`` /
  ``activation_backward``;
* `losses`: ``mse_loss`` and ``softmax_cross_entropy``, each ``-> (loss, dlogits)``;
* `network`: the `MLP` class (forward, backward, step, params, grads);
* `training`: ``gradient_descent``, ``sgd``, ``minibatch_sgd`` returning a `History`.

What each call counts is stated in its module's docstring and equals the
formulas of `course_lib.complexity.dense` exactly (derived in
notebooks/02_forward_propagation.ipynb, notebooks/03_backpropagation.ipynb and
notebooks/04_gradient_descent.ipynb).
"""

from course_lib.mlp.activations import (
    ACTIVATIONS,
    Activation,
    ActivationCache,
    activation_backward,
    activation_forward,
    get_activation,
)
from course_lib.mlp.layers import (
    BiasUnitCache,
    DenseCache,
    add_bias_unit,
    dense_backward,
    dense_backward_bias_unit,
    dense_forward,
    dense_forward_bias_unit,
    from_theta,
    to_theta,
)
from course_lib.mlp.losses import LOSSES, get_loss, mse_loss, softmax_cross_entropy
from course_lib.mlp.network import MLP, init_scale
from course_lib.mlp.training import History, gradient_descent, minibatch_sgd, sgd, training_step

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "MLP",
    "Activation",
    "ActivationCache",
    "BiasUnitCache",
    "DenseCache",
    "History",
    "activation_backward",
    "activation_forward",
    "add_bias_unit",
    "dense_backward",
    "dense_backward_bias_unit",
    "dense_forward",
    "dense_forward_bias_unit",
    "from_theta",
    "get_activation",
    "get_loss",
    "gradient_descent",
    "init_scale",
    "minibatch_sgd",
    "mse_loss",
    "sgd",
    "softmax_cross_entropy",
    "to_theta",
    "training_step",
]
