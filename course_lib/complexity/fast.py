"""Exact operation counts of the fast algorithms of notebook 08, as Python ints.

The formulas of the derive -> count -> time method for Strassen's matrix
product, Winograd's minimal filtering and FFT convolution. Like the rest of
`course_lib.complexity` they never import the implementations
(`course_lib.fast`, ``ops``, ``conv``): the tests run the implementations under
``count_ops`` and require the counted numbers to equal these exactly. Derived in
notebooks/08_fast_algorithms.ipynb (the sympy forms are in
`course_lib.symbolic.fast`).

Strassen (n x n by n x n, recursion while the size exceeds ``cutoff``; an odd
size is padded with a zero row and column; n_0 = n, n_{i+1} = ceil(n_i / 2),
n_L the first size <= cutoff):

    multiplies = MACs = 7^L n_L^3
    adds = 7^L n_L^2 (n_L - 1) + 18 sum_{i=1..L} 7^(i-1) n_i^2

For n = 2^k, n_L = 2^j this is 7^L n_L^3 and 7^L n_L^2 (n_L + 5) - 6 n^2: with
``cutoff = 1``, 7^k = n^log2(7) multiplies and 6 (7^k - 4^k) adds. The direct
block recursion (`recursive_matmul_cost`) has 8 products and 4 block additions
per level, which gives back n^3 and n^2 (n - 1) when nothing is padded.
"""

from __future__ import annotations

from course_lib.complexity.cost import Cost
from course_lib.validation import require_int

__all__ = [
    "STRASSEN_BLOCK_ADDS",
    "STRASSEN_PRODUCTS",
    "recursion_sizes",
    "recursive_matmul_cost",
    "strassen_cost",
]

STRASSEN_PRODUCTS = 7
"""Half-size products per level of Strassen's recursion (8 for the direct block product)."""

STRASSEN_BLOCK_ADDS = 18
"""Half-size block additions/subtractions per level of Strassen's recursion: 10 before, 8 after."""


def recursion_sizes(n: int, cutoff: int) -> list[int]:
    """The block sizes n_0 = n, n_1, ..., n_L of a 2 x 2 recursion that stops at ``cutoff``.

    n_{i+1} = ceil(n_i / 2) (an odd size is padded to the next even one), and the
    list ends at the first size <= ``cutoff``, where one ordinary product takes over.
    """
    n = require_int("n", n)
    cutoff = require_int("cutoff", cutoff)
    sizes = [n]
    while sizes[-1] > cutoff:
        sizes.append((sizes[-1] + 1) // 2)
    return sizes


def _recursion_cost(n: int, cutoff: int, products: int, block_adds: int) -> Cost:
    sizes = recursion_sizes(n, cutoff)
    levels, base = len(sizes) - 1, sizes[-1]
    leaves = products**levels
    adds = leaves * base * base * (base - 1)
    adds += block_adds * sum(products ** (i - 1) * sizes[i] ** 2 for i in range(1, levels + 1))
    multiplies = leaves * base**3
    return Cost(multiplies=multiplies, adds=adds, macs=multiplies)


def strassen_cost(n: int, cutoff: int = 64) -> Cost:
    """Operations of `course_lib.fast.strassen_matmul` on two n x n matrices.

    7^L n_L^3 multiplies (= MACs, all in the base-case products) and
    7^L n_L^2 (n_L - 1) + 18 sum_{i=1..L} 7^(i-1) n_i^2 adds (sizes from
    `recursion_sizes`). Derived in notebooks/08_fast_algorithms.ipynb.
    """
    return _recursion_cost(n, cutoff, STRASSEN_PRODUCTS, STRASSEN_BLOCK_ADDS)


def recursive_matmul_cost(n: int, cutoff: int = 64) -> Cost:
    """Operations of `course_lib.fast.recursive_matmul` (8 products and 4 block adds per level).

    8^L n_L^3 multiplies and 8^L n_L^2 (n_L - 1) + 4 sum_{i=1..L} 8^(i-1) n_i^2 adds:
    n^3 and n^2 (n - 1), an ordinary product's counts, when no level pads.
    """
    return _recursion_cost(n, cutoff, 8, 4)
