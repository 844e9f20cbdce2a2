"""Connected components of a graph given as edge index arrays (label propagation, vectorised)."""

from __future__ import annotations

import numpy as np


def component_labels(size: int, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """For nodes 0..size-1, the smallest node index in each node's component.

    Min-label propagation over the edges with pointer jumping: each round halves path lengths,
    so long reply chains converge in a logarithmic number of rounds.
    """
    labels = np.arange(size, dtype=np.int64)
    if size == 0 or len(sources) == 0:
        return labels
    while True:
        smaller = np.minimum(labels[sources], labels[targets])
        updated = labels.copy()
        np.minimum.at(updated, sources, smaller)
        np.minimum.at(updated, targets, smaller)
        while True:  # pointer jumping: point every node at its label's label
            jumped = updated[updated]
            if np.array_equal(jumped, updated):
                break
            updated = jumped
        if np.array_equal(updated, labels):
            return labels
        labels = updated
