"""Print the lock file: exact versions of everything installed, minus course_lib itself."""

import subprocess
import sys

frozen = subprocess.run(
    [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
    check=True,
    capture_output=True,
    text=True,
).stdout
pins = sorted((line for line in frozen.splitlines() if line and not line.startswith("-e")), key=str.lower)
print("# Exact versions that produced the stored notebook outputs. Regenerate with `make lock`.")
print(f"# python: {sys.version_info.major}.{sys.version_info.minor}")
print("\n".join(pins))
