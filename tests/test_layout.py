"""The package's layout is its pipeline: every import points down, and nothing imports in a cycle.

Stages, lowest first; a module may import its own stage and those below it. The product
(`provenance/__init__.py`) sits above every stage, and only the command line, a thin face over it,
imports it. A function-local import of the
package's own modules hides a cycle or an upward import, so only the listed ones (each
deferring a heavy optional dependency) are allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "provenance"
STAGES = [
    ("_kernels", "arrays", "errors", "model", "settings", "version"),  # plain data, the rules and helpers every stage shares
    ("text",),
    ("ingest",),
    ("fingerprint",),
    ("candidates",),
    ("verify",),
    ("origin",),
    ("index",),
    ("engines",),
    ("report",),
    ("cli",),
]
RANK = {name: rank for rank, names in enumerate(STAGES) for name in names}


def _modules() -> dict[str, Path]:
    """Every module of the package: its Python files, and its C extensions by their source file."""
    out = {}
    for path in sorted([*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.c")]):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported provenance module, whether the import is inside a function) for one file."""
    if path.suffix != ".py":
        return []  # a C extension imports nothing of the package
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.If) and ast.unparse(child.test) == "TYPE_CHECKING":
                continue  # never imported at run time
            if isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("provenance"):
                found.extend((f"{child.module}.{a.name}", local) for a in child.names)
            elif isinstance(child, ast.Import):
                found.extend((a.name, local) for a in child.names if a.name.startswith("provenance"))
            visit(child, inner)

    visit(tree, False)
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module an imported name belongs to (`provenance.a.b.name` -> `provenance.a.b`)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _stage(module: str) -> int | None:
    parts = module.split(".")
    return RANK.get(parts[1]) if len(parts) > 1 else None


def _graph() -> dict[str, list[tuple[str, bool]]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        edges = []
        for imported, local in _imports(path):
            target = _resolve(imported, modules)
            if target and target != name:
                edges.append((target, local))
        graph[name] = edges
    return graph


def test_every_module_belongs_to_a_stage():
    unplaced = [m for m in _modules() if m != "provenance" and _stage(m) is None]
    assert not unplaced, f"modules outside the pipeline's stages: {unplaced}"


def test_imports_point_down_the_pipeline():
    upward = []
    for module, edges in _graph().items():
        here = _stage(module)
        if here is None:
            continue  # the product, provenance/__init__.py
        for target, _ in edges:
            there = _stage(target)
            if target == "provenance" and here == RANK["cli"]:
                continue  # the faces call the product's API, whose names load on first use
            if there is None or there > here:
                upward.append(f"{module} imports {target}")
    assert not upward, "imports that point up the pipeline:\n" + "\n".join(upward)


def test_no_import_cycle():
    graph = {m: sorted({t for t, _ in edges}) for m, edges in _graph().items()}
    state: dict[str, int] = {}
    cycles = []

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            # a package's __init__ importing its own modules is not a cycle through them
            if node.startswith(nxt + "."):
                continue
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]) if nxt in path else f"{node} -> {nxt}")
            elif nxt not in state:
                walk(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_no_function_local_import_of_the_package():
    local = [f"{m} imports {t} inside a function" for m, edges in _graph().items() for t, is_local in edges if is_local]
    assert not local, "\n".join(local)
