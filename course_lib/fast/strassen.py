"""Strassen's matrix product (7 block products instead of 8), written on `course_lib.ops`.

Split each n x n operand into four h x h blocks (h = n/2). The direct block
product needs 8 block products and 4 block additions; Strassen (1969) needs 7
products and 18 block additions or subtractions:

    M1 = (A11 + A22)(B11 + B22)     C11 = M1 + M4 - M5 + M7
    M2 = (A21 + A22) B11            C12 = M3 + M5
    M3 = A11 (B12 - B22)            C21 = M2 + M4
    M4 = A22 (B21 - B11)            C22 = M1 - M2 + M3 + M6
    M5 = (A11 + A12) B22
    M6 = (A21 - A11)(B11 + B12)
    M7 = (A12 - A22)(B21 + B22)

applied recursively until the blocks are at most ``cutoff`` wide, where one
`ops.matmul` (n^3 multiplies, n^2 (n - 1) adds) takes over. An odd size above
the cutoff is padded with one zero row and column first (a copy, no
arithmetic; the products with the padded zeros are counted, as the course
counts a convolution's padding). So, with n_0 = n and n_{i+1} = ceil(n_i / 2)
down to the first n_L <= cutoff,

    multiplies = 7^L n_L^3,
    adds       = 7^L n_L^2 (n_L - 1) + 18 sum_{i=1..L} 7^(i-1) n_i^2,

which for n = 2^k and a cutoff n_0 = 2^j is 7^L n_0^3 multiplies and
7^L n_0^2 (n_0 + 5) - 6 n^2 adds (L = k - j): O(n^log2(7)) = O(n^2.807).
`recursive_matmul` is the direct 2 x 2 block recursion with the same cutoff
(8 products, 4 block additions per level): exactly n^3 multiplies and
n^2 (n - 1) adds, the counts of one ordinary product. The closed forms are in
`course_lib.complexity.fast`; derived in notebooks/08_fast_algorithms.ipynb.
"""

from __future__ import annotations

import numpy as np

from course_lib import ops
from course_lib.validation import as_float_array, require_int

__all__ = ["recursive_matmul", "strassen_matmul"]


def _square_operands(a: object, b: object) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``b`` as n x n float arrays of their common dtype, or ValueError naming the argument."""
    checked = []
    for name, value in (("a", a), ("b", b)):
        x = as_float_array(name, value)
        if x.ndim != 2 or x.shape[0] != x.shape[1] or x.shape[0] == 0:
            raise ValueError(f"{name} must be a non-empty square n x n matrix, got shape {x.shape}")
        checked.append(x)
    if checked[0].shape != checked[1].shape:
        raise ValueError(
            f"a and b must have the same shape n x n, got {checked[0].shape} and {checked[1].shape}"
        )
    dtype = np.result_type(*checked)
    return checked[0].astype(dtype, copy=False), checked[1].astype(dtype, copy=False)


def _pad_even(x: np.ndarray) -> np.ndarray:
    """``x`` with one zero row and column appended if its size is odd (a copy, no arithmetic)."""
    n = x.shape[0]
    if n % 2 == 0:
        return x
    padded = np.zeros((n + 1, n + 1), dtype=x.dtype)
    padded[:n, :n] = x
    return padded


def _blocks(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    h = x.shape[0] // 2
    return x[:h, :h], x[:h, h:], x[h:, :h], x[h:, h:]


def _strassen(a: np.ndarray, b: np.ndarray, cutoff: int) -> np.ndarray:
    n = a.shape[0]
    if n <= cutoff:
        return ops.matmul(a, b)
    a, b = _pad_even(a), _pad_even(b)
    a11, a12, a21, a22 = _blocks(a)
    b11, b12, b21, b22 = _blocks(b)
    m1 = _strassen(ops.add(a11, a22), ops.add(b11, b22), cutoff)
    m2 = _strassen(ops.add(a21, a22), b11, cutoff)
    m3 = _strassen(a11, ops.subtract(b12, b22), cutoff)
    m4 = _strassen(a22, ops.subtract(b21, b11), cutoff)
    m5 = _strassen(ops.add(a11, a12), b22, cutoff)
    m6 = _strassen(ops.subtract(a21, a11), ops.add(b11, b12), cutoff)
    m7 = _strassen(ops.subtract(a12, a22), ops.add(b21, b22), cutoff)
    h = a.shape[0] // 2
    c = np.empty_like(a)
    c11, c12, c21, c22 = _blocks(c)
    ops.add(ops.subtract(ops.add(m1, m4), m5), m7, out=c11)
    ops.add(m3, m5, out=c12)
    ops.add(m2, m4, out=c21)
    ops.add(ops.add(ops.subtract(m1, m2), m3), m6, out=c22)
    return c[:n, :n] if 2 * h != n else c


def _recursive(a: np.ndarray, b: np.ndarray, cutoff: int) -> np.ndarray:
    n = a.shape[0]
    if n <= cutoff:
        return ops.matmul(a, b)
    a, b = _pad_even(a), _pad_even(b)
    a11, a12, a21, a22 = _blocks(a)
    b11, b12, b21, b22 = _blocks(b)
    c = np.empty_like(a)
    c11, c12, c21, c22 = _blocks(c)
    ops.add(_recursive(a11, b11, cutoff), _recursive(a12, b21, cutoff), out=c11)
    ops.add(_recursive(a11, b12, cutoff), _recursive(a12, b22, cutoff), out=c12)
    ops.add(_recursive(a21, b11, cutoff), _recursive(a22, b21, cutoff), out=c21)
    ops.add(_recursive(a21, b12, cutoff), _recursive(a22, b22, cutoff), out=c22)
    return c[:n, :n] if c.shape[0] != n else c


def strassen_matmul(a: np.ndarray, b: np.ndarray, cutoff: int = 64) -> np.ndarray:
    """The product ``a @ b`` of two n x n float matrices by Strassen's recursion.

    Parameters
    ----------
    a, b : (n, n) real arrays (integers become float64; the result has their common dtype).
    cutoff : positive int; blocks of size <= cutoff are multiplied by one `ops.matmul`.
        ``cutoff >= n`` is the ordinary product; ``cutoff = 1`` recurses to scalars.

    Returns
    -------
    (n, n) array equal to ``a @ b`` up to rounding (Strassen's rounding error grows
    faster with the recursion depth than the ordinary product's; notebook 08 measures it).

    Counts 7^L n_L^3 multiplies and 7^L n_L^2 (n_L - 1) + 18 sum_{i=1..L} 7^(i-1) n_i^2
    adds, where n_0 = n, n_{i+1} = ceil(n_i / 2) and n_L is the first size <= cutoff
    (odd sizes are padded with zeros, whose products are counted). Derived in
    notebooks/08_fast_algorithms.ipynb; closed form `course_lib.complexity.fast.strassen_cost`.
    """
    a, b = _square_operands(a, b)
    return _strassen(a, b, require_int("cutoff", cutoff))


def recursive_matmul(a: np.ndarray, b: np.ndarray, cutoff: int = 64) -> np.ndarray:
    """The product ``a @ b`` by the direct 2 x 2 block recursion (8 block products per level).

    The baseline Strassen improves on: the same padding and ``cutoff`` as
    `strassen_matmul`, but 8 half-size products and 4 block additions per level,
    so it counts exactly n_L-padded ordinary-product operations: 8^L n_L^3
    multiplies and 8^L n_L^2 (n_L - 1) + 4 sum_{i=1..L} 8^(i-1) n_i^2 adds, which is
    n^3 and n^2 (n - 1) when no padding occurs (n = 2^k n_L). Derived in
    notebooks/08_fast_algorithms.ipynb; closed form `course_lib.complexity.fast.recursive_matmul_cost`.
    """
    a, b = _square_operands(a, b)
    return _recursive(a, b, require_int("cutoff", cutoff))
