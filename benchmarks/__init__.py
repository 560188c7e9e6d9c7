"""Speed comparisons of course_lib against references measured in the same run (``make bench``).

Each comparison is one module (`conv_vs_torch`, `conv_vs_gemm`, `conv_naive`,
`mlp_vs_torch`, `mlp_vs_numpy`, `counter_overhead`); `harness` times and sets
threads, `report` renders the table, ``python -m benchmarks`` runs them all and
writes ``benchmarks/results.md``. Speed is reported here, never asserted in a test.
See benchmarks/README.md.
"""
