"""`Network`: a whole architecture as data, the specs plus the input they expect."""

from __future__ import annotations

from dataclasses import dataclass

from course_lib.architectures.layers import Layer, _positive_int, _specs


@dataclass(frozen=True)
class Network:
    """A named stack of layer specs, walked like a `Sequential` from ``input_shape``.

    ``input_shape`` is ``(C, H, W)`` for one sample (no batch axis);
    ``num_classes`` is the length of the output vector; ``description``
    says which variant the specs encode and where it comes from.
    """

    name: str
    input_shape: tuple[int, int, int]
    layers: tuple[Layer, ...]
    num_classes: int
    description: str

    def __post_init__(self) -> None:
        owner = f"Network {self.name!r}"
        shape = tuple(self.input_shape)
        if len(shape) != 3:
            raise ValueError(f"{owner}: input_shape must be (C, H, W), got {self.input_shape!r}")
        for size in shape:
            _positive_int(size, "input_shape", owner)
        _positive_int(self.num_classes, "num_classes", owner)
        object.__setattr__(self, "input_shape", shape)
        object.__setattr__(self, "layers", _specs(self.layers, "layers", owner))
