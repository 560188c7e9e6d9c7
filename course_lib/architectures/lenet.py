"""LeNet-5 (LeCun, Bottou, Bengio and Haffner 1998), in its modern textbook form.

The paper's network differs in three ways that change the parameter count
(notebooks/06_cnn_time_and_space.ipynb explains them; the paper's per-layer
counts are ``published("lenet5")["paper_layers"]``):

* C3 is *partially* connected: each of its 16 maps reads only some of S2's 6
  maps (`C3_CONNECTIONS`, the paper's Table I), 60 map pairs instead of 96;
* S2 and S4 are trainable: each map's 2x2 sum is scaled by a learned weight,
  shifted by a learned bias and squashed (2 parameters per map);
* the output layer holds 10 Euclidean RBF units whose 84-element parameter
  vectors were set by hand, not a trained dense layer.

The specs here encode the common simplification: C1 6@5x5 on a 1x32x32
input, S2 2x2 average pooling, C3 16@5x5 connected to all 6 maps, S4 2x2
average pooling, C5 120@5x5, F6 84 units, a dense output of 10, tanh after
every layer but the last. Against the paper's 60,000 trainable parameters it
gains 36 x 25 = 900 weights in C3 (96 map pairs instead of 60), loses the 12 +
32 of S2 and S4, and gains 84 x 10 + 10 = 850 in the dense output: 61,706.
"""

from __future__ import annotations

from course_lib.architectures.layers import AvgPool2d, Conv2d, Flatten, Linear, Tanh
from course_lib.architectures.network import Network

C3_CONNECTIONS: tuple[tuple[int, ...], ...] = (
    (0, 1, 2),
    (1, 2, 3),
    (2, 3, 4),
    (3, 4, 5),
    (0, 4, 5),
    (0, 1, 5),
    (0, 1, 2, 3),
    (1, 2, 3, 4),
    (2, 3, 4, 5),
    (0, 3, 4, 5),
    (0, 1, 4, 5),
    (0, 1, 2, 5),
    (0, 1, 3, 4),
    (1, 2, 4, 5),
    (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)
"""For each of C3's 16 maps, the S2 maps it reads (LeCun et al. 1998, Table I)."""


def lenet5() -> Network:
    """LeNet-5, modern variant: tanh, average pooling, full C3, dense output (module docstring)."""
    layers = (
        Conv2d(6, 5, in_channels=1, name="C1"),
        Tanh(name="C1.act"),
        AvgPool2d(2, name="S2"),
        Conv2d(16, 5, in_channels=6, name="C3"),
        Tanh(name="C3.act"),
        AvgPool2d(2, name="S4"),
        Conv2d(120, 5, in_channels=16, name="C5"),
        Tanh(name="C5.act"),
        Flatten(name="flatten"),
        Linear(84, in_features=120, name="F6"),
        Tanh(name="F6.act"),
        Linear(10, in_features=84, name="output"),
    )
    return Network(
        name="lenet5",
        input_shape=(1, 32, 32),
        layers=layers,
        num_classes=10,
        description=(
            "LeNet-5 (LeCun et al. 1998), modern variant: full C3, untrained 2x2 average pooling, "
            "tanh, dense 10-way output instead of RBF units"
        ),
    )
