"""The typed result of extraction: body text in reading order plus table grids."""

from __future__ import annotations

from dataclasses import dataclass, field

Grid = list[list[str | None]]  # None: a slot covered by a merged (spanning) cell


@dataclass
class Block:
    """One piece of the body in reading order: a run of text lines or a table grid."""

    text: str | None = None
    grid: Grid | None = None


@dataclass
class Document:
    """What an extractor read from one input."""

    source_type: str
    blocks: list[Block] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def tables(self) -> list[Grid]:
        return [b.grid for b in self.blocks if b.grid is not None]

    @property
    def text(self) -> str:
        """Full body; table rows rendered as tab-separated lines."""
        parts = []
        for block in self.blocks:
            if block.grid is not None:
                parts.append("\n".join("\t".join(c or "" for c in row) for row in block.grid))
            elif block.text:
                parts.append(block.text)
        return "\n".join(parts)
