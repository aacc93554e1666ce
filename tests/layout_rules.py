"""The package's layout rules, read from the modules' import statements (tests/test_layout.py).

Each stage of the pipeline is a subpackage; these rules keep the arrows between them pointing
one way. Imports under ``if TYPE_CHECKING:`` are left out (they never run); late imports
inside functions count like any other.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "dxportal"
# Small root modules with one job each; every stage may use them.
LEAVES = {
    "config", "cache", "rendering", "slugs", "messages", "addresses", "workers", "gc_pause",
    "catalogs", "atomic", "progress", "commands", "watching",
}  # fmt: skip
WEB_FRAMEWORKS = {"flask", "flask_babel", "flask_frozen", "werkzeug", "jinja2", "whoosh"}
REQUEST_STATE = {"current_app", "g", "request", "session"}
MAX_LINES = 500


@dataclass(frozen=True)
class Import:
    """One imported module (absolute), and the names taken from it."""

    source: Path
    line: int
    module: str
    names: tuple[str, ...]


@dataclass
class Module:
    name: str
    path: Path
    imports: list[Import]
    lines: int


def read_package(package_dir: Path) -> dict[str, Module]:
    """Every module of the package under ``package_dir`` with the imports it makes."""
    modules: dict[str, Module] = {}
    names = {module_name(package_dir, path) for path in package_dir.rglob("*.py")}
    for path in sorted(package_dir.rglob("*.py")):
        name = module_name(package_dir, path)
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        imports = list(imports_of(tree, name, path, names))
        modules[name] = Module(name, path, imports, len(text.splitlines()))
    return modules


def module_name(package_dir: Path, path: Path) -> str:
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(tree: ast.Module, current: str, path: Path, known: set[str]):
    is_package = path.name == "__init__.py"
    for node in walk_running(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(path, node.lineno, alias.name, ())
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = current.split(".") if is_package else current.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            plain = []
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                if submodule in known:  # from package import module
                    yield Import(path, node.lineno, submodule, ())
                else:
                    plain.append(alias.name)
            if plain:
                yield Import(path, node.lineno, module, tuple(plain))


def walk_running(tree: ast.AST):
    """ast.walk without the bodies of ``if TYPE_CHECKING:`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and is_type_checking(child.test):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def stage_of(module: str) -> str:
    """'content', 'web', 'search.preview', … or 'leaf', 'root' (create_app), 'cli'."""
    parts = module.split(".")
    if len(parts) == 1:
        return "root"
    if len(parts) == 2 and parts[1] in LEAVES:
        return "leaf"
    if len(parts) == 2 and parts[1] == "cli":
        return "cli"
    if parts[1] == "search" and len(parts) > 2 and parts[2] in ("preview", "static"):
        return f"search.{parts[2]}"
    return parts[1]


def rule_broken(importer: str, imported: Import) -> str | None:
    """Why ``importer`` may not make this import, or None."""
    stage = stage_of(importer)
    target = imported.module
    top = target.split(".")[0]
    if top == PACKAGE:
        target_stage = stage_of(target)
        if target_stage == "cli":
            return "nothing imports the command line (dxportal.cli)"
        if stage == "leaf" and target_stage not in ("leaf",):
            return "a root leaf module imports only other leaves"
        if stage == "content" and target_stage not in ("content", "leaf"):
            return "content/ imports only content/ and the root leaves"
        if stage == "programme" and target_stage not in ("programme", "content", "leaf"):
            return "programme/ imports only programme/, content/ and the root leaves"
        if stage == "web" and (
            target_stage in ("build", "editor", "search.preview", "search.static")
        ):
            return "web/ never imports build/, editor/ or search internals"
        if {stage, target_stage} == {"search.preview", "search.static"}:
            return "search/preview/ and search/static/ never import each other"
        if stage == "deploy" and target_stage not in ("deploy", "leaf"):
            return "deploy/ imports only deploy/ and the root leaves: give it a folder and settings"
        if stage == "build" and target_stage == "editor":
            return "build/ never imports the editor"
        if stage not in ("root", "cli") and target == PACKAGE:
            return "only the package root uses create_app's module (editor gets the factory)"
        return None
    if stage in ("content", "leaf", "deploy") and top in WEB_FRAMEWORKS:
        return f"{stage_label(stage)} never imports {top} (web frameworks and Whoosh)"
    if stage == "programme" and top == "flask" and REQUEST_STATE & set(imported.names):
        return "programme/ never reads current_app, g, request or session: pass what it needs"
    return None


def stage_label(stage: str) -> str:
    return "a root leaf module" if stage == "leaf" else f"{stage}/"


def violations(package_dir: Path) -> list[str]:
    """Every broken rule, as 'path:line: module imports X: why', plus oversized modules."""
    found = []
    modules = read_package(package_dir)
    for module in modules.values():
        for imported in module.imports:
            why = rule_broken(module.name, imported)
            if why:
                where = display(package_dir, imported.source)
                what = imported.module + (
                    f" ({', '.join(imported.names)})" if imported.names else ""
                )
                found.append(f"{where}:{imported.line}: {module.name} imports {what}: {why}")
        if module.lines > MAX_LINES:
            where = display(package_dir, module.path)
            found.append(f"{where}: {module.lines} lines (at most {MAX_LINES})")
    return found


def display(package_dir: Path, path: Path) -> str:
    return str(path.relative_to(package_dir.parent.parent))


def import_graph(modules: dict[str, Module]) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (a package counts for its __init__)."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for module in modules.values():
        for imported in module.imports:
            target = imported.module
            while target and target not in modules:  # a name from a module: climb to it
                target = target.rpartition(".")[0]
            if target and target != module.name:
                graph[module.name].add(target)
    return graph


def cycles(package_dir: Path) -> list[list[str]]:
    """Import cycles between modules (strongly connected components of two or more)."""
    graph = import_graph(read_package(package_dir))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found
