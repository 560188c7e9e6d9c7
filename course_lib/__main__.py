"""``python -m course_lib``: a check that the package imports, and its version."""

import sys

import course_lib


def main(argv: list[str] | None = None) -> int:
    print(f"course_lib {course_lib.__version__} on Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
