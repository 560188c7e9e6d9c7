"""The im2col diagram: the shape written on it and every number in its matrix, against hand counts and loops."""

import numpy as np
import pytest

from course_lib.diagrams.im2col import column_matrix, draw_im2col_sweep
from tests.report_checks import by_gid


def cell_texts(fig, rows, cols):
    return np.array(
        [[int(by_gid(fig, f"cell-{r}-{c}").get_text()) for c in range(cols)] for r in range(rows)]
    )


def by_loops(height, width, channels, kernel, stride, padding, dilation, batch):
    """The expected matrix from the definition, with plain loops: cell numbers 1 .. H W, 0 for padding."""
    h_out = (height + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    w_out = (width + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    matrix = np.zeros((channels * kernel * kernel, batch * h_out * w_out), dtype=int)
    for n in range(batch):
        for ch in range(channels):
            for i in range(kernel):
                for j in range(kernel):
                    for r in range(h_out):
                        for c in range(w_out):
                            row = r * stride + i * dilation - padding  # in the unpadded input
                            col = c * stride + j * dilation - padding
                            inside = 0 <= row < height and 0 <= col < width
                            value = row * width + col + 1 if inside else 0
                            matrix[(ch * kernel + i) * kernel + j, (n * h_out + r) * w_out + c] = value
    return matrix


def test_hand_worked_default_diagram():
    # 2 channels of 5x5, 3x3 kernel, stride 2, padding 1: floor((5 + 2 - 2 - 1)/2) + 1 = 3 windows a side,
    # so 2 * 9 = 18 rows and 1 * 3 * 3 = 9 columns.
    fig = draw_im2col_sweep()
    assert by_gid(fig, "shape").get_text() == "(C K²) × (N H_out W_out)\n= (2·3²) × (1·3·3) = 18 × 9"
    cells = cell_texts(fig, 18, 9)
    # window 1 sits on the padded corner: a row of padding, then (pad, 1, 2), then (pad, 6, 7)
    assert cells[:9, 0].tolist() == [0, 0, 0, 0, 1, 2, 0, 6, 7]
    # the centre window starts at padded (2, 2): input rows 1-3, columns 1-3
    assert cells[:9, 4].tolist() == [7, 8, 9, 12, 13, 14, 17, 18, 19]
    assert np.array_equal(cells[9:], cells[:9])  # channel 2 is read by the same windows
    # windows start at padded 0, 2, 4 and span 3 cells: padded position 2 is in two of them per axis, 3 in one.
    # Input cell 7 (padded (2, 2)) is copied into 2 x 2 = 4 columns, cell 13 (padded (3, 3)) into 1, per channel.
    assert np.count_nonzero(cells == 7) == 2 * 4 and np.count_nonzero(cells == 13) == 2 * 1
    # 162 = 18 * 9 elements against 2 * 25 = 50 input values
    assert fig.axes[1].get_xlabel() == "one column per window: 162 elements, 3.24x the input's 50"
    for gid in ("window-1", "window-2", "window-4", "column-1", "column-2", "column-4"):
        by_gid(fig, gid)  # windows 1, 2 and the first of the second row, in both panels


@pytest.mark.parametrize(
    "setting",
    [
        (5, 5, 2, 3, 2, 1, 1, 1),
        (6, 6, 1, 3, 1, 1, 2, 1),
        (4, 6, 3, 2, 2, 0, 1, 2),
        (7, 5, 1, 5, 3, 2, 1, 3),
        (3, 3, 2, 1, 1, 0, 1, 2),
    ],
)
def test_matrix_equals_the_definition(setting):
    channels, kernel, batch = setting[2], setting[3], setting[7]  # (H, W, C, K, s, p, d, N)
    expected = by_loops(*setting)
    assert np.array_equal(column_matrix(*setting), expected)
    fig = draw_im2col_sweep(*setting)
    rows, cols = expected.shape
    assert np.array_equal(cell_texts(fig, rows, cols), expected)
    title = by_gid(fig, "shape").get_text()
    assert title.endswith(f"= {rows} × {cols}")
    assert rows == channels * kernel**2 and cols % batch == 0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"kernel": 6}, "kernel"),
        ({"channels": 0}, "channels"),
        ({"height": 9}, "height"),
        ({"stride": 1.5}, "stride"),
        ({"height": 8, "width": 8, "stride": 1, "batch": 3}, "batch"),  # 3 * 8 * 8 columns: too wide
        ({"height": 2, "width": 2, "kernel": 5, "padding": 0, "dilation": 1}, "kernel"),  # does not fit
    ],
)
def test_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        draw_im2col_sweep(**kwargs)
