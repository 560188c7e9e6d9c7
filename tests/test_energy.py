"""Energy per inference: Horowitz's 45 nm table, hand-worked energies, and the networks' splits."""

import math

import pytest

from course_lib.complexity import Cost, mlp_forward_cost
from course_lib.energy import ENERGY_PJ, MEMORY_PJ, PROCESS, SOURCE, cnn_energy, energy, mlp_energy
from course_lib.summary import summarize


def test_table_is_horowitz_2014():
    # Horowitz, ISSCC 2014, "Computing's energy problem", energy per operation at 45 nm, 0.9 V
    published = {
        ("add", "int8"): 0.03,
        ("add", "int32"): 0.1,
        ("add", "float16"): 0.4,
        ("add", "float32"): 0.9,
        ("multiply", "int8"): 0.2,
        ("multiply", "int32"): 3.1,
        ("multiply", "float16"): 1.1,
        ("multiply", "float32"): 3.7,
    }
    assert published == ENERGY_PJ
    assert "45 nm" in PROCESS and "ISSCC 2014" in SOURCE
    # the lesson of the table: one DRAM access costs as much as about 170 float32 multiplies
    assert 150 < MEMORY_PJ["dram_32bit"] / ENERGY_PJ["multiply", "float32"] < 200


def test_energy_by_hand():
    e = energy(Cost(multiplies=10, adds=10, macs=10), dram_bytes=8, precision="float32")
    assert e.arithmetic_joules == pytest.approx((10 * 3.7 + 10 * 0.9) * 1e-12)
    assert e.dram_joules == pytest.approx(2 * 640e-12)
    assert e.memory_share == pytest.approx(1280 / (1280 + 46))
    int8 = energy(Cost(multiplies=10, adds=10), 8, "int8")
    assert int8.arithmetic_joules == pytest.approx((10 * 0.2 + 10 * 0.1) * 1e-12)  # int32 accumulation


def test_mlp_energy_by_hand():
    # 2 -> 3, batch 1: 6 multiplies and 6 adds (bias included); traffic 4 (9 params + 2 inputs + 2 x 3 outputs) bytes
    e = mlp_energy([2, 3], 1, "float32")
    assert (e.multiplies, e.adds, e.dram_bytes) == (6, 6, 4 * 17)
    assert e.joules == pytest.approx(6 * 4.6e-12 + 68 * 160e-12)
    on_chip = mlp_energy([2, 3], 1, "float32", activations_in_dram=False)
    assert on_chip.dram_bytes == 4 * (9 + 2 + 3)


def test_batch_shares_the_weights():
    one, many = mlp_energy([784, 512, 10], 1), mlp_energy([784, 512, 10], 256)
    assert many.arithmetic_joules / 256 == pytest.approx(one.arithmetic_joules)
    assert many.per_inference < one.per_inference and many.memory_share < one.memory_share
    assert many.multiplies == mlp_forward_cost([784, 512, 10], 256).multiplies


@pytest.mark.parametrize("name", ["lenet5", "resnet18", "vgg16"])
def test_cnn_energy_from_the_summary(name):
    table = summarize(name)
    e32, e16, e8 = (cnn_energy(name, 1, p) for p in ("float32", "float16", "int8"))
    assert e32.multiplies == table.cost.multiplies + table.cost.divides and e32.adds == table.cost.adds
    assert e32.dram_bytes == 4 * e8.dram_bytes == 2 * e16.dram_bytes
    assert e8.joules < e16.joules < e32.joules
    # memory dominates at batch 1 for every one of these networks in float32
    assert e32.memory_share > 0.5
    assert e32.dram_bytes >= 4 * (table.params + math.prod(table.input_shape))


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: mlp_energy([3, 4], 1, "float64"), "precision"),
        (lambda: cnn_energy("lenet5", 0), "batch"),
        (lambda: energy(Cost(), -1), "dram_bytes"),
        (lambda: mlp_energy([3, 4], 1, activations_in_dram=1), "activations_in_dram"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
