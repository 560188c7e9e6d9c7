"""Exit 0 when this Python's major.minor is the one the lock file was made with.

The lock's first lines carry ``# python: X.Y`` (written by write_lock.py).
"""

import sys
from pathlib import Path

lock = Path(sys.argv[1])
wanted = next(
    (line.split(":", 1)[1].strip() for line in lock.read_text().splitlines() if line.startswith("# python:")),
    None,
)
here = f"{sys.version_info.major}.{sys.version_info.minor}"
sys.exit(0 if wanted == here else 1)
