"""AlexNet exactly as torchvision's ``alexnet()`` builds it.

torchvision follows Krizhevsky's one-GPU variant ("One weird trick for
parallelizing convolutional neural networks", arXiv:1404.5997, 2014), not the
two-GPU network of the 2012 paper: 64-192-384-256-256 filters, no local
response normalisation, and an adaptive average pool to 6x6 before the
classifier (the identity for a 224x224 input, whose last pool is already 6x6).
"""

from __future__ import annotations

from course_lib.architectures.layers import (
    AdaptiveAvgPool2d,
    Conv2d,
    Dropout,
    Flatten,
    Linear,
    MaxPool2d,
    ReLU,
)
from course_lib.architectures.network import Network


def alexnet(num_classes: int = 1000) -> Network:
    """torchvision's AlexNet: 5 conv + 3 max-pool layers, then 3 dense layers."""
    features = (
        Conv2d(64, 11, stride=4, padding=2, in_channels=3, name="features.0"),
        ReLU(inplace=True, name="features.1"),
        MaxPool2d(3, stride=2, name="features.2"),
        Conv2d(192, 5, padding=2, in_channels=64, name="features.3"),
        ReLU(inplace=True, name="features.4"),
        MaxPool2d(3, stride=2, name="features.5"),
        Conv2d(384, 3, padding=1, in_channels=192, name="features.6"),
        ReLU(inplace=True, name="features.7"),
        Conv2d(256, 3, padding=1, in_channels=384, name="features.8"),
        ReLU(inplace=True, name="features.9"),
        Conv2d(256, 3, padding=1, in_channels=256, name="features.10"),
        ReLU(inplace=True, name="features.11"),
        MaxPool2d(3, stride=2, name="features.12"),
    )
    classifier = (
        Dropout(0.5, name="classifier.0"),
        Linear(4096, in_features=256 * 6 * 6, name="classifier.1"),
        ReLU(inplace=True, name="classifier.2"),
        Dropout(0.5, name="classifier.3"),
        Linear(4096, in_features=4096, name="classifier.4"),
        ReLU(inplace=True, name="classifier.5"),
        Linear(num_classes, in_features=4096, name="classifier.6"),
    )
    return Network(
        name="alexnet",
        input_shape=(3, 224, 224),
        layers=(*features, AdaptiveAvgPool2d((6, 6), name="avgpool"), Flatten(name="flatten"), *classifier),
        num_classes=num_classes,
        description="torchvision alexnet(): the one-GPU AlexNet of Krizhevsky (2014), arXiv:1404.5997",
    )
