"""Every value's count of a high-cardinality facet (the agency: about 250,000 values nationally).

tantivy ranks a terms aggregation's values per segment and refuses more than 65,000 buckets.
``Totals`` counts every value among the reports of a filter (or all of them), in slices of the
code range that each stay under the bucket limit; kept per committed state, it answers the top
values of that filter, and of a query adding words found in nearly every report once the few
reports they miss are taken off (``Totals.without``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tantivy
from tantivy import FieldType, Occur
from tantivy import Query as TQ

SLICE_VALUES = 40_000  # values aimed at per slice of the code range (tantivy's limit: 65,000 buckets)
MAX_BUCKETS = 60_000
CODE_MIN, CODE_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class Totals:
    """Every value's count over the whole index: codes by count, most frequent first."""

    codes: np.ndarray  # int64
    counts: np.ndarray  # int64, descending

    @classmethod
    def count(cls, searcher: tantivy.Searcher, schema: tantivy.Schema, field: str, within: TQ | None) -> Totals:
        """Every value's count among the documents ``within`` matches (None: all of them)."""
        within = within or TQ.all_query()
        estimate = searcher.cardinality(within, field) if searcher.num_docs else 0
        slices = max(1, int(estimate * 1.2 / SLICE_VALUES) + 1)
        step = (CODE_MAX - CODE_MIN) // slices
        bounds = [(CODE_MIN + i * step, CODE_MIN + (i + 1) * step - 1) for i in range(slices)]
        bounds[-1] = (bounds[-1][0], CODE_MAX)
        found: dict[int, int] = {}
        while bounds:
            low, high = bounds.pop()
            part = TQ.boolean_query(
                [(Occur.Must, within), (Occur.Must, TQ.range_query(schema, field, FieldType.Integer, low, high))]
            )
            spec = {"v": {"terms": {"field": field, "size": MAX_BUCKETS, "segment_size": MAX_BUCKETS}}}
            result = searcher.aggregate(part, spec)["v"]
            if result.get("sum_other_doc_count") or result.get("doc_count_error_upper_bound"):
                middle = low + (high - low) // 2  # more values than one slice holds: halve it
                bounds += [(low, middle), (middle + 1, high)]
                continue
            found.update((bucket["key"], bucket["doc_count"]) for bucket in result["buckets"])
        codes = np.fromiter(found.keys(), dtype=np.int64, count=len(found))
        counts = np.fromiter(found.values(), dtype=np.int64, count=len(found))
        order = np.lexsort((codes, -counts))
        return cls(codes[order], counts[order])

    def top(self, size: int) -> dict[int, int]:
        return dict(zip(self.codes[:size].tolist(), self.counts[:size].tolist(), strict=True))

    def without(self, removed: dict[int, int], size: int) -> dict[int, int]:
        """The top ``size`` values once ``removed`` counts are taken off (most frequent first)."""
        if not removed:
            return self.top(size)
        reach = min(len(self.codes), size + len(removed))  # at most len(removed) of these drop
        top = dict(zip(self.codes[:reach].tolist(), self.counts[:reach].tolist(), strict=True))
        ranked = sorted(less(top, removed).items(), key=lambda kv: (-kv[1], kv[0]))
        return dict(ranked[:size])


def less(counts: dict[int, int], removed: dict[int, int]) -> dict[int, int]:
    """``counts`` less ``removed``, values left at zero (or below) dropped."""
    left = dict(counts)
    for code, count in removed.items():
        left[code] = left.get(code, 0) - count
    return {code: count for code, count in left.items() if count > 0}
