"""Python project manifests: pyproject.toml (PEP 621, PEP 735, Poetry, PDM, Hatch),
setup.cfg, setup.py (read, never run), Pipfile, conda environment files, and the
poetry.lock / uv.lock lock files."""

from __future__ import annotations

import ast
import configparser
import re
import tomllib
from collections.abc import Iterable
from typing import Any

import yaml
from packaging.requirements import InvalidRequirement
from packaging.utils import canonicalize_name

from radar.usage.model import Dependency, FileResult, Problem
from radar.usage.requirements import parse_requirement, requirement_lines
from radar.usage.yamlnodes import (
    load_nodes,
    mapping_child_lines,
    node_lines,
    plain,
    sequence_items,
)

_BARE_VERSION = re.compile(r"^=?=?\s*v?\d+(\.\d+)*([a-z]+\d*)?(\.post\d+)?(\+[\w.]+)?$", re.I)


class Lines:
    """Finds the line a value was written on (tomllib and configparser give none)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.whole: dict[str, int] = {}
        for number, line in enumerate(self.lines, start=1):
            self.whole.setdefault(line.strip(), number)

    def of(self, needle: str) -> int | None:
        """The first line that is ``needle`` (fast, lock files) or contains it."""
        exact = self.whole.get(needle)
        if exact is not None:
            return exact
        for number, line in enumerate(self.lines, start=1):
            if needle in line:
                return number
        return None


def _pep508_list(
    values: Iterable[Any], file: str, lines: Lines, result: FileResult, skip: set[str]
) -> None:
    for value in values:
        if not isinstance(value, str):
            continue  # PEP 735 {include-group = ...}
        try:
            dependency = parse_requirement(value, file, lines.of(value))
        except InvalidRequirement as exc:
            result.problems.append(Problem(file, f"{value!r}: {exc}"))
            continue
        if dependency.package not in skip:
            result.dependencies.append(dependency)


def _mapping(value: Any) -> dict[str, Any]:
    """A TOML table, or an empty one when the file has something else there."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _table(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def parse_pyproject(text: str, file: str) -> FileResult:
    data = tomllib.loads(text)
    result = FileResult()
    lines = Lines(text)
    project = _mapping(data.get("project"))
    own = {str(canonicalize_name(str(project["name"])))} if project.get("name") else set()
    poetry = _mapping(_table(data, "tool", "poetry"))
    if poetry.get("name"):
        own.add(str(canonicalize_name(str(poetry["name"]))))
    _pep508_list(_list(project.get("dependencies")), file, lines, result, own)
    groups = [
        *_mapping(project.get("optional-dependencies")).values(),
        *_mapping(data.get("dependency-groups")).values(),
        *_mapping(_table(data, "tool", "pdm", "dev-dependencies")).values(),
        *(
            _mapping(env).get("dependencies")
            for env in _mapping(_table(data, "tool", "hatch", "envs")).values()
        ),
    ]
    for group in groups:
        _pep508_list(_list(group), file, lines, result, own)
    _poetry_tables(poetry, file, lines, result, own)
    return result


def _poetry_tables(
    poetry: dict[str, Any], file: str, lines: Lines, result: FileResult, own: set[str]
) -> None:
    tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    tables += [_mapping(g).get("dependencies") for g in _mapping(poetry.get("group")).values()]
    for table in tables:
        if isinstance(table, dict):
            for name, value in table.items():
                if name.lower() == "python" or canonicalize_name(name) in own:
                    continue
                dependency = _keyed_dependency(name, value, file, lines)
                if dependency is not None:
                    result.dependencies.append(dependency)


def _keyed_dependency(name: str, value: Any, file: str, lines: Lines) -> Dependency | None:
    """``name = "^1.2"`` or ``name = {version = ..., git = ..., path = ...}`` (Poetry, Pipfile)."""
    spec = ""
    if isinstance(value, str):
        spec = value.strip()
    elif isinstance(value, dict):
        if "path" in value and str(value["path"]).strip() in (".", "./"):
            return None  # the project itself
        spec = str(
            value.get("version") or value.get("git") or value.get("url") or value.get("path") or ""
        )
    elif isinstance(value, list):  # Poetry multiple-constraint dependency
        spec = ", ".join(str(v.get("version", "")) for v in value if isinstance(v, dict))
    if spec == "*":
        spec = ""
    pinned = None
    if spec and _BARE_VERSION.match(spec) and not spec.startswith(("^", "~", ">", "<", "!")):
        pinned = spec.lstrip("=").strip()
    return Dependency(
        file=file,
        line=lines.of(name),
        ecosystem="pypi",
        package=str(canonicalize_name(name)),
        spec=spec,
        pinned=pinned,
    )


def parse_pipfile(text: str, file: str) -> FileResult:
    data = tomllib.loads(text)
    result = FileResult()
    lines = Lines(text)
    for section in ("packages", "dev-packages"):
        table = data.get(section)
        if isinstance(table, dict):
            for name, value in table.items():
                dependency = _keyed_dependency(name, value, file, lines)
                if dependency is not None:
                    if dependency.spec.startswith("=="):
                        dependency = Dependency(
                            **{**dependency.__dict__, "pinned": dependency.spec[2:]}
                        )
                    result.dependencies.append(dependency)
    return result


def parse_setup_cfg(text: str, file: str) -> FileResult:
    config = configparser.ConfigParser(interpolation=None, strict=False)
    config.read_string(text, source=file)
    result = FileResult()
    lines = Lines(text)
    values: list[str] = []
    if config.has_option("options", "install_requires"):
        values.append(config.get("options", "install_requires"))
    if config.has_section("options.extras_require"):
        values.extend(value for _, value in config.items("options.extras_require"))
    requirements = [
        entry.strip()
        for value in values
        for entry in value.splitlines()
        if entry.strip() and not entry.strip().startswith("#")
    ]
    _pep508_list(requirements, file, lines, result, set())
    return result


def parse_setup_py(text: str, file: str) -> FileResult:
    """``install_requires`` and ``extras_require`` written as literals (or names bound to
    literals at module level) in the ``setup(...)`` call. The file is never executed."""
    tree = ast.parse(text, filename=file)
    bound: dict[str, ast.expr] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            bound[node.targets[0].id] = node.value
    result = FileResult()
    lines = Lines(text)
    for call in ast.walk(tree):
        if not (isinstance(call, ast.Call) and _call_name(call.func) == "setup"):
            continue
        for keyword in call.keywords:
            if keyword.arg not in ("install_requires", "extras_require"):
                continue
            try:
                literal = _literal(keyword.value, bound, depth=0)
            except ValueError:
                result.problems.append(
                    Problem(
                        file,
                        f"line {keyword.value.lineno}: {keyword.arg} is computed, "
                        "not a literal; not read",
                    )
                )
                continue
            entries = literal.values() if isinstance(literal, dict) else [literal]
            for entry in entries:
                items = [entry] if isinstance(entry, str) else list(entry or [])
                _pep508_list(items, file, lines, result, set())
    return result


def _literal(node: ast.expr, bound: dict[str, ast.expr], depth: int) -> Any:
    """ast.literal_eval that also follows names bound to literals at module level."""
    if depth > 10:
        raise ValueError("names bound too deeply")
    if isinstance(node, ast.Name) and node.id in bound:
        return _literal(bound[node.id], bound, depth + 1)
    if isinstance(node, ast.List | ast.Tuple):
        return [_literal(element, bound, depth + 1) for element in node.elts]
    if isinstance(node, ast.Dict):
        return {
            ast.literal_eval(key) if key is not None else None: _literal(value, bound, depth + 1)
            for key, value in zip(node.keys, node.values, strict=True)
        }
    return ast.literal_eval(node)


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


_CONDA_SPEC = re.compile(r"^([A-Za-z0-9_.\-]+(?:::[A-Za-z0-9_.\-]+)?)\s*(.*)$")


def parse_conda_environment(text: str, file: str) -> FileResult:
    result = FileResult()
    for document in load_nodes(text):
        data = plain(document)
        if not isinstance(data, dict):
            continue
        dependencies = data.get("dependencies") or []
        lines = node_lines(document, "dependencies")
        for index, entry in enumerate(dependencies if isinstance(dependencies, list) else []):
            line = lines[index] if index < len(lines) else None
            if isinstance(entry, dict) and isinstance(entry.get("pip"), list):
                items = sequence_items(document, "dependencies")
                pip_lines = mapping_child_lines(items[index], "pip") if index < len(items) else None
                pip = requirement_lines(
                    [str(v) for v in entry["pip"]], file, line, line_numbers=pip_lines
                )
                result.dependencies.extend(pip.dependencies)
                result.problems.extend(pip.problems)
            elif isinstance(entry, str):
                dependency = _conda_dependency(entry, file, line)
                if dependency is not None:
                    result.dependencies.append(dependency)
    return result


def _conda_dependency(entry: str, file: str, line: int | None) -> Dependency | None:
    """``pytorch=1.12``, ``numpy>=1.20``, ``conda-forge::faiss-cpu==1.7.4=py310_0``."""
    match = _CONDA_SPEC.match(entry.strip())
    if match is None:
        return None
    name = match.group(1).split("::")[-1].lower()
    spec = match.group(2).strip()
    version = spec.lstrip("=").split("=")[0].strip()
    exact = spec.startswith("==") or (spec.startswith("=") and "*" not in version)
    pinned = version if exact and version and not any(c in version for c in "<>,|*") else None
    return Dependency(
        file=file, line=line, ecosystem="conda", package=name, spec=spec, pinned=pinned
    )


def parse_poetry_lock(text: str, file: str) -> FileResult:
    return _lock_packages(text, file, skip_root=False)


def parse_uv_lock(text: str, file: str) -> FileResult:
    return _lock_packages(text, file, skip_root=True)


def _lock_packages(text: str, file: str, *, skip_root: bool) -> FileResult:
    data = tomllib.loads(text)
    result = FileResult()
    lines = Lines(text)
    for package in data.get("package") or []:
        if not isinstance(package, dict) or "name" not in package:
            continue
        source = package.get("source") or {}
        if skip_root and isinstance(source, dict) and ("editable" in source or "virtual" in source):
            continue  # the project itself (or a workspace member)
        version = str(package.get("version") or "")
        result.dependencies.append(
            Dependency(
                file=file,
                line=lines.of(f'name = "{package["name"]}"'),
                ecosystem="pypi",
                package=str(canonicalize_name(str(package["name"]))),
                spec=f"=={version}" if version else "",
                pinned=version or None,
                direct=False,
            )
        )
    return result


YAML_ERRORS = (yaml.YAMLError,)
