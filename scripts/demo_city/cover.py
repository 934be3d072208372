"""Exact small set cover: the fewest toilet sites that bring every point of a street within a radius."""

from __future__ import annotations

import numpy as np


def best_cover(dmat: np.ndarray, base: np.ndarray, kmax: int, radius: float) -> tuple[int, ...]:
    """Fewest candidates (rows of ``dmat``, at most ``kmax``) that bring every street point (columns) within
    ``radius``, given the distances ``base`` to toilets already there; failing that, the ``kmax`` candidates
    that minimise the largest distance. Exhaustive (n <= ~50 candidates, k <= 3): exact and deterministic."""
    if float(base.max(initial=0.0)) <= radius or kmax < 1:
        return ()
    n = len(dmat)
    best: tuple[float, tuple[int, ...]] = (float("inf"), ())
    for k in range(1, kmax + 1):
        if k == 1:
            worst = np.minimum(dmat, base).max(axis=1)
            i = int(np.argmin(worst))
            cand = (float(worst[i]), (i,))
        elif k == 2:
            worst = np.minimum(np.minimum(dmat[:, None, :], dmat[None, :, :]), base).max(axis=2)
            i, j = np.unravel_index(int(np.argmin(worst)), worst.shape)
            cand = (float(worst[i, j]), (int(i), int(j)))
        else:
            cand = (float("inf"), ())
            for i in range(n):
                first = np.minimum(dmat[i], base)
                worst = np.minimum(np.minimum(first[None, None, :], dmat[:, None, :]), dmat[None, :, :]).max(axis=2)
                j, k2 = np.unravel_index(int(np.argmin(worst)), worst.shape)
                if float(worst[j, k2]) < cand[0]:
                    cand = (float(worst[j, k2]), (i, int(j), int(k2)))
        if cand[0] < best[0]:
            best = cand
        if best[0] <= radius:
            break
    return tuple(sorted(set(best[1])))
