"""The shared argument checks: what each accepts, what it rejects, and that every message names the argument.

The accepted values are compared with an independent conversion (Python's
``int``/``float``, numpy's own dtype rules); the rejected ones must raise
ValueError whose message starts with the argument's name.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_lib import validation
from course_lib.validation import (
    INT64_MAX,
    array_nbytes,
    as_float_array,
    check_allocation,
    check_batch,
    check_finite,
    check_instance,
    check_ndim,
    check_shape,
    format_bytes,
    parse_int_list,
    require_bool,
    require_choice,
    require_int,
    require_plain_conv,
    require_real,
)

NUMPY_INTS = (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64)
NOT_INTEGERS = st.one_of(
    st.booleans(),
    st.sampled_from([np.True_, np.False_, np.array(True), np.array([3]), np.array(3.0)]),
    st.floats(allow_nan=True),
    st.text(max_size=4),
    st.none(),
    st.lists(st.integers(), max_size=2),
    st.complex_numbers(),
)


def rejects(function, name, *args, **kwargs) -> str:
    """The message of the ValueError ``function(name, *args)`` raises; it must begin with ``name``."""
    with pytest.raises(ValueError) as caught:
        function(name, *args, **kwargs)
    message = str(caught.value)
    assert message.startswith(name), message
    return message


# ---------------------------------------------------------------- require_int


@given(
    value=st.integers(min_value=-(2**70), max_value=2**70), kind=st.sampled_from((int, *NUMPY_INTS, "0-d"))
)
def test_require_int_accepts_every_integer_type_in_range_and_returns_a_python_int(value, kind):
    if kind == "0-d":
        assume(-(2**63) <= value < 2**63)
        given_value = np.array(value)
    elif kind is int:
        given_value = value
    else:
        info = np.iinfo(kind)
        assume(info.min <= value <= info.max)
        given_value = kind(value)
    result = require_int("n", given_value, low=None)
    assert result == value and type(result) is int


@given(value=st.integers(-1000, 1000), low=st.integers(-50, 50), span=st.integers(0, 100) | st.none())
def test_require_int_bounds_are_inclusive(value, low, span):
    high = None if span is None else low + span
    inside = value >= low and (high is None or value <= high)
    if inside:
        assert require_int("size", value, low, high) == value
    else:
        message = rejects(require_int, "size", value, low, high)
        wanted = (
            {1: "positive", 0: "non-negative"}.get(low, str(low)) if high is None else f"{low} and {high}"
        )
        assert message.endswith(f", got {value}") and wanted in message


@given(value=NOT_INTEGERS)
def test_require_int_rejects_everything_that_is_not_an_integer(value):
    rejects(require_int, "stride", value)


@pytest.mark.parametrize(
    ("value", "low", "high", "message"),
    [
        (0, 1, None, "size must be a positive integer, got 0"),
        (-1, 0, None, "size must be a non-negative integer, got -1"),
        (1, 2, None, "size must be an integer >= 2, got 1"),
        (9, 1, 8, "size must be an integer between 1 and 8, got 9"),
        (True, 1, None, "size must be a positive integer, got True"),
        (2.0, 1, None, "size must be a positive integer, got 2.0"),
        ("3", 1, None, "size must be a positive integer, got '3'"),
    ],
)
def test_require_int_messages(value, low, high, message):
    with pytest.raises(ValueError) as caught:
        require_int("size", value, low, high)
    assert str(caught.value) == message


# ---------------------------------------------------------------- require_bool


@pytest.mark.parametrize("value", [True, False, np.True_, np.False_])
def test_require_bool_accepts_bools(value):
    assert require_bool("bias", value) is bool(value)


@given(value=st.one_of(st.integers(), st.text(max_size=4), st.floats(), st.none(), st.just(np.array([True]))))
@example(value="no")
@example(value=0)
@example(value=1)
def test_require_bool_rejects_truthy_and_falsy_non_bools(value):
    assert "True or False" in rejects(require_bool, "need_dx", value)


# ---------------------------------------------------------------- require_real


@given(
    value=st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**6), 10**6),
    low=st.floats(-100, 100) | st.none(),
    high=st.floats(-100, 100) | st.none(),
    low_open=st.booleans(),
    high_open=st.booleans(),
)
def test_require_real_agrees_with_the_plain_comparisons(value, low, high, low_open, high_open):
    number = float(value)
    inside = math.isfinite(number)
    inside &= low is None or (number > low if low_open else number >= low)
    inside &= high is None or (number < high if high_open else number <= high)
    kwargs = {"low_open": low_open, "high_open": high_open}
    if inside:
        result = require_real("lr", value, low, high, **kwargs)
        assert result == number and type(result) is float
    else:
        rejects(require_real, "lr", value, low, high, **kwargs)


@pytest.mark.parametrize("value", [np.float32(0.5), np.float16(0.5), np.int64(2), np.array(0.5)])
def test_require_real_accepts_numpy_numbers(value):
    assert require_real("lr", value) == float(value)


@pytest.mark.parametrize("value", [True, np.True_, "0.1", None, 1j, [0.1], np.array([0.1])])
def test_require_real_rejects_non_numbers(value):
    assert "finite real number" in rejects(require_real, "lr", value)


def test_require_real_message_states_open_and_closed_bounds():
    message = rejects(require_real, "lr", 0.0, 0, 1, low_open=True)
    assert "> 0 and <= 1" in message


# ---------------------------------------------------------------- require_choice


def test_require_choice_returns_the_matching_choice_and_lists_them_all_otherwise():
    assert require_choice("loss", "mse", ("mse", "cross_entropy")) == "mse"
    assert require_choice("loss", np.str_("mse"), ("mse",)) == "mse"
    message = rejects(require_choice, "dtype", "banana", ("float32", "float64"))
    assert "'float32', 'float64'" in message and "'banana'" in message


@pytest.mark.parametrize("value", [True, 1.5, [1], np.array([1, 2]), None, object()])
def test_require_choice_rejects_bools_for_numbers_and_unhashable_values(value):
    rejects(require_choice, "levels", value, (1, 2, 3))


# ---------------------------------------------------------------- parse_int_list


@given(numbers=st.lists(st.integers(1, 10**6), min_size=1, max_size=8), data=st.data())
def test_parse_int_list_reads_any_spacing_and_comma_layout(numbers, data):
    separators = [data.draw(st.sampled_from([",", " ", ", ", " ,", " , ", "  ", "\t"])) for _ in numbers[1:]]
    text = str(numbers[0]) + "".join(sep + str(n) for sep, n in zip(separators, numbers[1:], strict=True))
    padding = data.draw(st.sampled_from(["", " ", "  "]))
    assert parse_int_list("widths", padding + text + padding) == tuple(numbers)


@given(
    numbers=st.lists(st.integers(1, 10**6), min_size=1, max_size=8),
    kind=st.sampled_from([list, tuple, "array"]),
)
def test_parse_int_list_accepts_lists_tuples_and_integer_arrays(numbers, kind):
    value = np.array(numbers) if kind == "array" else kind(numbers)
    result = parse_int_list("widths", value)
    assert result == tuple(numbers) and all(type(n) is int for n in result)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("784,,10", "empty entry"),
        ("784,256,", "empty entry"),
        (",784", "empty entry"),
        ("", "is empty"),
        ("   ", "is empty"),
        ("3,²,224", "'²', not a whole number"),
        ("3,٣,224", "not a whole number"),
        ("2.5", "'2.5', not a whole number"),
        ("1e3", "not a whole number"),
        ("0x10", "not a whole number"),
        ("3,0,224", "widths[1] is 0"),
        ("3,-5,224", "widths[1] is -5"),
        ("3,99999999999999999999,224", "too large"),
        ("3," + "9" * 5000 + ",224", "too large"),
        ("9223372036854775808", "too large"),
    ],
)
def test_parse_int_list_refuses_bad_text_clearly(text, fragment):
    message = rejects(parse_int_list, "widths", text)
    assert fragment in message
    assert "_" not in message.split(";")[0].removeprefix("widths")  # never a private name


def test_parse_int_list_bounds_and_lengths():
    assert parse_int_list("input", "3,224,224", min_len=3, max_len=3) == (3, 224, 224)
    assert "exactly 3 integers" in rejects(parse_int_list, "input", "3,224", min_len=3, max_len=3)
    assert "2 to 9 integers" in rejects(parse_int_list, "widths", "784", min_len=2, max_len=9)
    assert "widths[1] is 5000" in rejects(parse_int_list, "widths", "1,5000", high=4096)
    assert parse_int_list("seeds", "0 -1", low=None) == (0, -1)
    assert parse_int_list("n", str(INT64_MAX)) == (INT64_MAX,)


@pytest.mark.parametrize(
    "value", [[1.0, 2], [True, 2], ["3", 4], np.array([[1, 2]]), np.array([1.5]), 3, None, b"1,2", {1, 2}]
)
def test_parse_int_list_refuses_non_integer_sequences(value):
    rejects(parse_int_list, "widths", value)


# ---------------------------------------------------------------- as_float_array

REAL_DTYPES = st.sampled_from(
    [np.bool_, np.int8, np.int32, np.int64, np.uint8, np.uint64, np.float16, np.float32, np.float64]
)


@given(array=hnp.arrays(REAL_DTYPES, hnp.array_shapes(min_dims=0, max_dims=3, max_side=3)))
def test_as_float_array_one_dtype_rule(array):
    result = as_float_array("x", array)
    if array.dtype.kind == "f":
        assert result.dtype == array.dtype and result is array  # kept, not copied
    else:
        assert result.dtype == np.float64
    np.testing.assert_array_equal(result, array.astype(result.dtype))


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (np.ones(2, dtype=complex), "complex"),
        ([["a"]], "text"),
        (np.array([None]), "objects"),
        (None, "objects"),
        ([[1], [1, 2]], "could not read"),
        (np.array([b"1"]), "bytes"),
        (np.ones(2, dtype="datetime64[s]"), "datetime64"),
    ],
)
def test_as_float_array_rejects_non_real_dtypes(value, fragment):
    assert fragment in rejects(as_float_array, "W", value)


def test_as_float_array_ndim_and_cast():
    assert as_float_array("b", [1, 2], dtype=np.float32).dtype == np.float32
    assert "2-D" in rejects(as_float_array, "x", np.ones(3), ndim=2)


# ---------------------------------------------------------------- array shape checks


def test_shape_checks_name_the_argument():
    assert "NaN or infinite" in rejects(check_finite, "X", np.array([1.0, np.nan, np.inf]))
    check_finite("X", np.ones(3))
    assert "2-D batch" in rejects(check_batch, "X", np.ones(3))
    assert "empty batch" in rejects(check_batch, "X", np.ones((0, 3)))
    assert "(B, 4)" in rejects(check_batch, "X", np.ones((2, 3)), 4)
    assert "no features" in rejects(check_batch, "X", np.ones((2, 0)))
    check_batch("X", np.ones((2, 3)), 3)
    assert "(3,)" in rejects(check_shape, "b", np.ones(2), (3,))
    assert "4-D (N, C, H, W)" in rejects(check_ndim, "x", np.ones((2, 2)), 4, "(N, C, H, W)")
    assert "empty dimension" in rejects(check_ndim, "x", np.ones((1, 0, 2, 2)), 4, "(N, C, H, W)")
    assert "a DenseCache" in rejects(check_instance, "cache", None, tuple, "a DenseCache")


# ---------------------------------------------------------------- memory guard


def test_available_memory_reads_proc_meminfo():
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemAvailable:"))
    # Memory moves between the two reads; 1 GiB of slack is far below the sizes the guard refuses.
    assert abs(validation.available_memory() - kib * 1024) < 2**30


def test_available_memory_falls_back_to_sysconf(monkeypatch):
    def no_file(*args, **kwargs):
        raise OSError("no /proc")

    monkeypatch.setattr("builtins.open", no_file)
    assert validation.available_memory() > 0


def test_check_allocation_refuses_beyond_the_available_memory(monkeypatch):
    monkeypatch.setattr(validation, "available_memory", lambda: 8 * 2**30)
    check_allocation("padding", 8 * 2**30, "the padded input")
    message = rejects(check_allocation, "padding", 298 * 2**30, "the padded input (1, 1, 200001, 200001)")
    assert "298.0 GiB" in message and "8.0 GiB" in message and "padded input" in message


def test_check_allocation_never_reads_memory_for_small_buffers(monkeypatch):
    monkeypatch.setattr(validation, "available_memory", lambda: pytest.fail("read /proc/meminfo"))
    check_allocation("x", 2**20, "a small buffer")


@given(shape=st.lists(st.integers(0, 10**6), max_size=5), dtype=st.sampled_from(["f2", "f4", "f8", "i1"]))
def test_array_nbytes_is_exact(shape, dtype):
    assert array_nbytes(shape, dtype) == math.prod(shape) * np.dtype(dtype).itemsize


@pytest.mark.parametrize(
    ("nbytes", "text"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (3 * 2**30, "3.0 GiB"), (2**60, "1024.0 PiB")],
)
def test_format_bytes(nbytes, text):
    assert format_bytes(nbytes) == text


@pytest.mark.parametrize(
    "stride, dilation", [(1, 1), ((1, 1), 1), (1, [1, 1]), (np.int64(1), np.array([1, 1]))]
)
def test_require_plain_conv_accepts_stride_and_dilation_one_as_int_or_pair(stride, dilation):
    assert require_plain_conv("fft", stride, dilation, 1) is None


@pytest.mark.parametrize(
    "stride, dilation, groups, message",
    [
        (2, 1, 1, "winograd needs stride 1, got stride 2"),
        ((1, 2), 1, 1, r"winograd needs stride 1, got stride \(1, 2\)"),
        (1, 2, 1, "winograd needs dilation 1, got dilation 2"),
        (1, 1, 2, "winograd needs groups=1, got groups=2"),
        (0, 1, 1, "stride must be a positive integer, got 0"),
        (1, (1, 0), 1, r"dilation\[1\] must be a positive integer, got 0"),
    ],
)
def test_require_plain_conv_names_the_method_and_the_property(stride, dilation, groups, message):
    with pytest.raises(ValueError, match=message):
        require_plain_conv("winograd", stride, dilation, groups)
