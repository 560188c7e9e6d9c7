"""The shared integer check: what it accepts, what it rejects, and that the message names the argument."""

import numpy as np
import pytest

from course_lib.validation import require_int


@pytest.mark.parametrize("value", [1, 7, np.int64(3), np.uint8(200)])
def test_accepts_integers_and_returns_python_ints(value):
    result = require_int("size", value)
    assert result == int(value)
    assert type(result) is int


@pytest.mark.parametrize(
    ("value", "minimum", "message"),
    [
        (0, 1, "size must be a positive integer, got 0"),
        (-1, 0, "size must be a non-negative integer, got -1"),
        (1, 2, "size must be an integer >= 2, got 1"),
        (True, 1, "size must be a positive integer, got True"),
        (2.0, 1, "size must be a positive integer, got 2.0"),
        ("3", 1, "size must be a positive integer, got '3'"),
    ],
)
def test_rejects_with_a_message_naming_the_argument(value, minimum, message):
    with pytest.raises(ValueError) as caught:
        require_int("size", value, minimum)
    assert str(caught.value) == message
