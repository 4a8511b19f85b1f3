"""The project's import graph (every import statement, at module level or inside a function): no cycle, and no
stage of the pipeline imports a later one."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("xxgk", "crawler", "indexer")


def module_files() -> dict[str, Path]:
    files = {}
    for top in PACKAGES:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            files[".".join(parts)] = path
    return files


def imports(name: str, path: Path, modules: set[str]) -> set[str]:
    """Project modules ``name`` imports (``from package import module`` counts as the module)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, up level - 1
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *filter(None, [base])])
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):  # a package's own __init__
                found.add(target)
    return found


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` if there is any."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_import_graph_has_no_cycle():
    files = module_files()
    graph = {name: imports(name, path, set(files)) for name, path in files.items()}
    assert "crawler.distributed.worker" in graph["xxgk.commands.crawl"]  # the graph sees imports inside functions
    assert cycle(graph) is None


# The stages in order; a module may import its own stage and earlier ones. Its stage: the longest prefix that matches.
STAGES = (
    ("base", ("xxgk.model", "xxgk.schema", "xxgk.errors", "xxgk.simplified", "xxgk.explain")),
    ("extract", ("xxgk.extract", "xxgk.fetch")),
    ("parse", ("xxgk.parse",)),
    ("store", ("xxgk.store",)),
    ("ingest", ("xxgk.ingest", "xxgk.parsers")),
    ("crawl", ("crawler",)),
    ("index & data", ("indexer", "xxgk.data")),
    ("web", ("indexer.web",)),
    ("demo kit", ("xxgk.generate", "xxgk.portal")),
    ("commands", ("xxgk.commands", "xxgk.cli", "xxgk")),
)
# The command-line options are declared once for every main, the crawler's and the Redis worker's included.
MAINS = {("crawler.run", "xxgk.commands.options"), ("crawler.distributed.worker", "xxgk.commands.options")}


def stage(module: str) -> int:
    matches = [
        (len(p), rank)
        for rank, (_, prefixes) in enumerate(STAGES)
        for p in prefixes
        if module == p or module.startswith(p + ".")
    ]
    assert matches, f"{module} is in no stage"
    return max(matches)[1]


def test_no_stage_imports_a_later_one():
    files = module_files()
    later = [
        f"{name} ({STAGES[stage(name)][0]}) imports {target} ({STAGES[stage(target)][0]})"
        for name, path in files.items()
        for target in sorted(imports(name, path, set(files)))
        if stage(target) > stage(name) and (name, target) not in MAINS
    ]
    assert later == []


def test_test_modules_import_nothing_from_tests():
    """What tests share comes from ``conftest.py`` fixtures; a test module imports no other module of ``tests/``."""
    local = {p.stem for p in (ROOT / "tests").glob("*.py")} | {p.name for p in (ROOT / "tests").iterdir() if p.is_dir()}
    found = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.name}: {name}" for name in names if name.split(".")[0] in local]
    assert "support" in local and found == []
