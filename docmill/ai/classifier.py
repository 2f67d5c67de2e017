"""Offline classification: embedding similarity to the categories and to documents the user already filed.

Each category is embedded as a search query ("Finance / Invoices: bills and receipts") and the document as
a passage, so the e5 query/passage pairing does the matching. The documents the user filed vote for their
category, weighted by their similarity to the new document (nearest neighbours). The two distributions are
mixed, trusting the neighbours more the more of them there are. It only ever picks an existing category.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DESCRIPTION_TEMPERATURE = 0.015  # e5 similarities sit in a narrow band; a 0.02 gap is a clear preference
NEIGHBOUR_TEMPERATURE = 0.02
NEIGHBOURS = 10
MAX_NEIGHBOUR_WEIGHT = 0.65


@dataclass(frozen=True)
class CategoryProfile:
    id: int
    path: str
    description: str | None

    def query_text(self) -> str:
        name = " / ".join(part.strip() for part in self.path.split("/"))
        return f"{name}: {self.description}" if self.description else name


@dataclass(frozen=True)
class Neighbour:
    document_id: int
    category_id: int
    similarity: float
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CategoryChoice:
    category_id: int
    path: str
    confidence: float
    reason: str


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = (scores - scores.max()) / temperature
    e = np.exp(z)
    return e / e.sum()


def rank_categories(
    categories: Sequence[CategoryProfile],
    description_similarity: Sequence[float],
    neighbours: Sequence[Neighbour],
    *,
    excluded_ids: Sequence[int] = (),
) -> list[CategoryChoice]:
    """Categories best first, with a confidence each (they sum to at most 1); excluded ones left out."""
    keep = [i for i, c in enumerate(categories) if c.id not in set(excluded_ids)]
    if not keep:
        return []
    cats = [categories[i] for i in keep]
    sims = np.asarray([description_similarity[i] for i in keep], dtype=np.float64)
    p_desc = _softmax(sims, DESCRIPTION_TEMPERATURE)

    index = {c.id: i for i, c in enumerate(cats)}
    usable = [n for n in neighbours[:NEIGHBOURS] if n.category_id in index]
    p_knn = np.zeros(len(cats))
    neighbour_weight = 0.0
    if usable:
        nsims = np.asarray([n.similarity for n in usable])
        weights = np.exp((nsims - nsims.max()) / NEIGHBOUR_TEMPERATURE)
        for n, w in zip(usable, weights, strict=True):
            p_knn[index[n.category_id]] += w
        p_knn /= p_knn.sum()
        neighbour_weight = MAX_NEIGHBOUR_WEIGHT * min(1.0, len(usable) / 5)
    combined = (1 - neighbour_weight) * p_desc + neighbour_weight * p_knn

    order = np.argsort(-combined, kind="stable")
    out = []
    for i in order:
        c = cats[int(i)]
        voters = [n for n in usable if n.category_id == c.id]
        reason = f"description similarity {sims[i]:.3f}"
        if voters:
            ids = ", ".join(f"#{n.document_id}" for n in voters[:3])
            reason += f"; {len(voters)} similar filed document{'s' if len(voters) > 1 else ''} ({ids})"
        out.append(CategoryChoice(c.id, c.path, float(combined[i]), reason))
    return out
