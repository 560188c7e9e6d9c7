"""course_lib: the companion package of the course on the computational complexity of neural networks.

The core (``ops``, ``counting``, ``symbolic``, ``timing``) imports only numpy,
sympy and the standard library; ``plotting`` and ``widgets`` add matplotlib and
ipywidgets and are imported explicitly.
"""

from course_lib.counting import OpCounter, count_ops

__all__ = ["OpCounter", "count_ops"]
__version__ = "0.1.0"
