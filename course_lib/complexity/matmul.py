"""The cost of one matrix product, as exact integers.

C = A B with A of shape m x n and B of shape n x p: each of the m p entries
c_ij = sum_k a_ik b_kj is a dot product of length n, with n multiplies and
n - 1 adds, so the product costs m n p multiplies (= MACs), m (n - 1) p adds
and 2 m n p - m p FLOPs. Derived in notebooks/01_matrix_multiplication.ipynb
(the same formulas as `course_lib.symbolic.matmul_cost`, here for integers).
"""

from __future__ import annotations

from course_lib.complexity.cost import Cost
from course_lib.validation import require_int


def matmul_cost(m: int, n: int, p: int) -> Cost:
    """Cost of (m x n)(n x p): m n p multiplies and MACs, m (n - 1) p adds (sizes at least 1)."""
    m, n, p = require_int("m", m), require_int("n", n), require_int("p", p)
    return Cost(multiplies=m * n * p, adds=m * (n - 1) * p, macs=m * n * p)
