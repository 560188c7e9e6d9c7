"""Joules per inference from counted operations and bytes moved, with Horowitz's energy per operation.

The table is M. Horowitz, "Computing's energy problem (and what we can do
about it)", ISSCC 2014, pp. 10-14: energies of a 45 nm process at 0.9 V, in
picojoules. Newer processes spend less on everything, but the *ratios* (a
DRAM access costs hundreds of arithmetic operations) have held. Derived in
notebooks/10_memory_precision_energy.ipynb.

========================  ==========  ==================================
operation                 energy      note
========================  ==========  ==================================
8-bit integer add         0.03 pJ
32-bit integer add        0.1 pJ
16-bit float add          0.4 pJ
32-bit float add          0.9 pJ
8-bit integer multiply    0.2 pJ
32-bit integer multiply   3.1 pJ
16-bit float multiply     1.1 pJ
32-bit float multiply     3.7 pJ
8 kB SRAM read, 64 bits   10 pJ       a small cache
1 MB SRAM read, 64 bits   100 pJ      a large cache
DRAM, 32 bits             640 pJ      the table gives 1.3-2.6 nJ per 64 bits;
                                      half its low end, as Han et al. (2016) quote it
========================  ==========  ==================================

How a precision computes (`MAC_FORMATS`): float32 multiplies and adds in
float32; float16 multiplies in float16 and accumulates in float32 (mixed
precision, Micikevicius et al. 2018); int8 multiplies 8-bit codes and
accumulates in int32 (Jacob et al. 2018). bfloat16 is not in Horowitz's
table: it is charged float16's multiply, an upper estimate (its 8-bit
significand makes the multiplier smaller). float64 is not in the table either
and is refused. A divide is charged as a multiply; activation applications
(comparisons, table look-ups) are not charged.

DRAM traffic, the stated assumption (`dram_bytes`): every parameter is read
once per batch (the batch shares it), the input is read once, and every
feature map a layer stores (the output of a dense, convolution or pooling
layer, its activation fused into it) is written to DRAM once and read back
once by the next layer, all at s bytes per element. Caches on the chip would
keep some maps, so this is an upper estimate of the traffic;
``activations_in_dram=False`` gives the lower one (only parameters, the input
and the final output cross).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from course_lib.architectures import Network
from course_lib.complexity import DTYPE_BYTES, Cost, mlp_forward_cost, mlp_params
from course_lib.summary import summarize
from course_lib.validation import require_bool, require_choice, require_int

__all__ = [
    "ENERGY_PJ",
    "MAC_FORMATS",
    "MEMORY_PJ",
    "PRECISIONS",
    "PROCESS",
    "SOURCE",
    "Energy",
    "cnn_energy",
    "energy",
    "mlp_energy",
]

SOURCE = 'M. Horowitz, "Computing\'s energy problem (and what we can do about it)", ISSCC 2014, pp. 10-14'
"""Where the energies come from."""

PROCESS = "45 nm, 0.9 V"
"""The process node and supply voltage of the table."""

ENERGY_PJ = {
    ("add", "int8"): 0.03,
    ("add", "int32"): 0.1,
    ("add", "float16"): 0.4,
    ("add", "float32"): 0.9,
    ("multiply", "int8"): 0.2,
    ("multiply", "int32"): 3.1,
    ("multiply", "float16"): 1.1,
    ("multiply", "float32"): 3.7,
}
"""Picojoules per arithmetic operation (Horowitz 2014, 45 nm)."""

MEMORY_PJ = {"sram_8kB_64bit": 10.0, "sram_1MB_64bit": 100.0, "dram_32bit": 640.0}
"""Picojoules per memory access of the stated width (Horowitz 2014, 45 nm; DRAM as Han et al. 2016 quote it)."""

MAC_FORMATS = {
    "float32": ("float32", "float32"),
    "float16": ("float16", "float32"),
    "bfloat16": ("float16", "float32"),
    "int8": ("int8", "int32"),
}
"""(format of the multiply, format of the accumulating add) of each precision."""

PRECISIONS = tuple(MAC_FORMATS)
"""The precisions an energy can be estimated for."""


@dataclass(frozen=True)
class Energy:
    """Energy of one batch: arithmetic and DRAM traffic, in joules; ``per_inference`` divides by the batch."""

    precision: str
    batch: int
    multiplies: int
    adds: int
    dram_bytes: int
    arithmetic_joules: float
    dram_joules: float

    @property
    def joules(self) -> float:
        """Arithmetic + DRAM, for the whole batch."""
        return self.arithmetic_joules + self.dram_joules

    @property
    def per_inference(self) -> float:
        """Joules per sample."""
        return self.joules / self.batch

    @property
    def memory_share(self) -> float:
        """The fraction of the energy spent moving data to and from DRAM."""
        return self.dram_joules / self.joules


def energy(cost: Cost, dram_bytes: int, precision: str = "float32", batch: int = 1) -> Energy:
    """Energy of ``cost`` (multiplies, adds and divides) plus ``dram_bytes`` of DRAM traffic.

    Arithmetic: (multiplies + divides) x E_multiply + adds x E_add, in the
    formats of `MAC_FORMATS`; DRAM: dram_bytes x 640 pJ / 4 bytes.
    """
    precision = require_choice("precision", precision, PRECISIONS)
    mul_format, add_format = MAC_FORMATS[precision]
    multiplies = cost.multiplies + cost.divides
    picojoules = multiplies * ENERGY_PJ["multiply", mul_format] + cost.adds * ENERGY_PJ["add", add_format]
    dram_bytes = require_int("dram_bytes", dram_bytes, 0)
    return Energy(
        precision,
        require_int("batch", batch),
        multiplies,
        cost.adds,
        dram_bytes,
        picojoules * 1e-12,
        dram_bytes * MEMORY_PJ["dram_32bit"] / 4 * 1e-12,
    )


def dram_bytes(
    params: int,
    input_elements: int,
    map_elements: int,
    output_elements: int,
    size: int,
    activations_in_dram: bool,
) -> int:
    """s (P + input + 2 x stored maps), or s (P + input + output) with the maps kept on the chip."""
    if activations_in_dram:
        return size * (params + input_elements + 2 * map_elements)
    return size * (params + input_elements + output_elements)


def mlp_energy(
    widths: Sequence[int], batch: int = 1, precision: str = "float32", *, activations_in_dram: bool = True
) -> Energy:
    """Energy of one forward pass of an MLP on a batch: `mlp_forward_cost` and the traffic of the module docstring.

    Stored maps: every layer's output, B n(k) for k = 1..L.
    """
    precision = require_choice("precision", precision, PRECISIONS)
    batch = require_int("batch", batch)
    size = DTYPE_BYTES[precision]
    traffic = dram_bytes(
        mlp_params(widths),
        batch * widths[0],
        batch * sum(widths[1:]),
        batch * widths[-1],
        size,
        require_bool("activations_in_dram", activations_in_dram),
    )
    return energy(mlp_forward_cost(widths, batch), traffic, precision, batch)


STORED_MAPS = ("Conv2d", "Linear", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "BatchNorm2d")
"""Layer types whose output `cnn_energy` counts as a stored feature map (activations are fused into them)."""


def cnn_energy(
    network: str | Network, batch: int = 1, precision: str = "float32", *, activations_in_dram: bool = True
) -> Energy:
    """Energy of one forward pass of a CNN of `course_lib.architectures`, from `course_lib.summary`'s counts.

    Arithmetic: the summary's multiplies, adds and divides. Stored maps: the
    outputs of the layer types in `STORED_MAPS` (a residual add's output too,
    for ResNets: it is the next block's input).
    """
    precision = require_choice("precision", precision, PRECISIONS)
    table = summarize(network, batch=require_int("batch", batch))
    maps = sum(batch * math.prod(row.output_shape) for row in table.rows if row.layer_type in STORED_MAPS)
    traffic = dram_bytes(
        table.params,
        batch * math.prod(table.input_shape),
        maps,
        batch * math.prod(table.output_shape),
        DTYPE_BYTES[precision],
        require_bool("activations_in_dram", activations_in_dram),
    )
    return energy(table.cost, traffic, precision, batch)
