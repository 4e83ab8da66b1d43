"""Containers and deployment: Dockerfiles (``FROM`` images and ``pip install`` lines, via
dockerfile-parse), YAML that names images (docker-compose, Kubernetes, KServe, Ray,
Helm values with ``repository``/``tag`` split), and npm's package.json."""

from __future__ import annotations

import io
import json
import re
import shlex
from typing import Any

import yaml
from dockerfile_parse import DockerfileParser
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from radar.techradar.packages import image_name
from radar.usage.model import Dependency, FileResult
from radar.usage.requirements import OPTIONS_WITH_VALUE, loose_requirement, requirement_lines
from radar.usage.yamlnodes import TemplateNotYaml, load_nodes, plain

_IMAGE_REF = re.compile(
    r"^[a-z0-9][a-z0-9._\-]*(?::\d+)?(?:/[a-z0-9][a-z0-9._\-]*)*(?::[\w.\-]+)?(?:@sha256:[0-9a-f]+)?$"
)
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_PIP_INSTALL = re.compile(r"(?:^|\s)(?:python[\d.]*\s+-m\s+)?(?:uv\s+)?pip[\d.]*\s+install\s+(.*)$")
_VERSION_TAG = re.compile(r"^v?\d")
"""Tags that name a version (``2.6.0-cuda12.4``, ``v0.6.1``), unlike ``latest-gpu``."""
_SHELL_SPLIT = re.compile(r"&&|\|\||;|\|")


def image_dependency(reference: str, file: str, line: int | None) -> Dependency | None:
    """An image reference (``nvcr.io/nvidia/tritonserver:24.01-py3``) as a dependency;
    None for references that are not literal images (templated, empty, ``scratch``)."""
    reference = reference.strip().strip("\"'")
    if not reference or reference == "scratch" or "$" in reference or "{" in reference:
        return None
    if not _IMAGE_REF.match(
        reference.split("@")[0].lower() if "@" not in reference else reference.lower()
    ):
        return None
    name = image_name(reference)
    tag = ""
    without_digest = reference.split("@", 1)[0]
    if without_digest.rfind(":") > without_digest.rfind("/"):
        tag = without_digest.rsplit(":", 1)[1]
    digest = reference.split("@", 1)[1] if "@" in reference else ""
    spec = tag or digest
    pinned = tag if _VERSION_TAG.match(tag) else None
    return Dependency(
        file=file, line=line, ecosystem="image", package=name, spec=spec, pinned=pinned
    )


def _substitute(text: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        if name in values:
            return values[name]
        if match.group(2) is not None:
            return match.group(2)
        return match.group(0)

    return _VARIABLE.sub(replace, text)


def parse_dockerfile(text: str, file: str) -> FileResult:
    parser = DockerfileParser(fileobj=io.StringIO(text))
    result = FileResult()
    stages: set[str] = set()
    values: dict[str, str] = {}
    for instruction in parser.structure:
        kind = instruction["instruction"]
        value = str(instruction["value"])
        line = int(instruction["startline"]) + 1
        if kind in ("ARG", "ENV"):
            _remember(value, values)
        elif kind == "FROM":
            words = [w for w in value.split() if not w.startswith("--")]
            if not words:
                continue
            if len(words) >= 3 and words[1].lower() == "as":
                stages.add(words[2].lower())
            reference = _substitute(words[0], values)
            if reference.lower() in stages:
                continue
            dependency = image_dependency(reference, file, line)
            if dependency is not None:
                result.dependencies.append(dependency)
        elif kind == "RUN":
            result.dependencies.extend(_pip_installs(_substitute(value, values), file, line))
    return result


def wheel_dependency(path: str, file: str, line: int | None) -> list[Dependency]:
    """A wheel file name says its package and version (``flash_attn-2.7.4-...whl``)."""
    try:
        name, version, _build, _tags = parse_wheel_filename(path.rsplit("/", 1)[-1])
    except InvalidWheelFilename:
        return []
    return [
        Dependency(
            file=file,
            line=line,
            ecosystem="pypi",
            package=str(name),
            spec=f"=={version}",
            pinned=str(version),
        )
    ]


def _remember(value: str, values: dict[str, str]) -> None:
    try:
        words = shlex.split(value)
    except ValueError:
        return
    for word in words:
        name, sep, default = word.partition("=")
        if sep and name.isidentifier():
            values[name] = _substitute(default, values)


def _pip_installs(command: str, file: str, line: int) -> list[Dependency]:
    found: list[Dependency] = []
    for part in _SHELL_SPLIT.split(command):
        match = _PIP_INSTALL.search(part.strip())
        if match is None:
            continue
        try:
            words = shlex.split(match.group(1))
        except ValueError:
            words = match.group(1).split()
        skip_next = False
        for word in words:
            if skip_next:
                skip_next = False
                continue
            if word.startswith("-"):
                option = word.split("=", 1)[0]
                skip_next = "=" not in word and (
                    option in OPTIONS_WITH_VALUE
                    or option in ("-r", "--requirement", "-c", "--constraint", "-e", "--editable")
                )
                continue
            if word.startswith(("git+", "http://", "https://")):
                found.extend(requirement_lines([word], file, line).dependencies)
                continue
            if word.endswith(".whl"):
                found.extend(wheel_dependency(word, file, line))
                continue
            if word.startswith((".", "/", "~")) or word.endswith((".tar.gz", ".zip")):
                continue
            dependency = loose_requirement(word, file, line)
            if dependency is not None:
                found.append(dependency)
    return found


_IMAGE_KEYS = re.compile(r"(?i)^(?:.*[_\-])?image(?:name)?$|^.*Image(?:Name)?$")
_PIP_KEYS = {"pip"}
_MAYBE_INTERESTING = re.compile(r"(?i)image|^pip$|runtime_?env_?yaml")
"""A cheap first look at each key; the exact rules follow for the few that pass."""
_EMBEDDED_ENV_KEYS = {"runtimeEnvYAML", "runtime_env_yaml"}


class _ImageWalker:
    """Walks YAML nodes once each (aliases are shared, so bombs stay linear)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.result = FileResult()
        self.seen: set[int] = set()

    def walk(self, node: yaml.Node) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            if id(current) in self.seen:
                continue
            self.seen.add(id(current))
            if isinstance(current, yaml.MappingNode):
                self._mapping(current)
                stack.extend(value for _, value in current.value)
            elif isinstance(current, yaml.SequenceNode):
                stack.extend(current.value)

    def _mapping(self, node: yaml.MappingNode) -> None:
        scalars = {
            str(key.value): value
            for key, value in node.value
            if isinstance(key, yaml.ScalarNode) and _MAYBE_INTERESTING.search(str(key.value))
        }
        if not scalars:
            return
        tag = next(
            (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == "tag"), None
        )
        if tag is not None:
            scalars.setdefault("tag", tag)
        for key, value in scalars.items():
            if isinstance(value, yaml.ScalarNode) and _IMAGE_KEYS.match(key):
                self._image(value, scalars)
            elif key == "image" and isinstance(value, yaml.MappingNode):
                self._split_image(value)
            elif key in _PIP_KEYS and isinstance(value, yaml.SequenceNode):
                entries = [
                    str(child.value) for child in value.value if isinstance(child, yaml.ScalarNode)
                ]
                pip = requirement_lines(entries, self.file, value.start_mark.line + 1)
                self.result.dependencies.extend(pip.dependencies)
            elif key in _EMBEDDED_ENV_KEYS and isinstance(value, yaml.ScalarNode):
                self._embedded(value)

    def _image(self, value: yaml.ScalarNode, siblings: dict[str, yaml.Node]) -> None:
        reference = str(value.value)
        tag = siblings.get("tag")
        if (
            isinstance(tag, yaml.ScalarNode)
            and tag.value
            and ":" not in reference.rsplit("/", 1)[-1]
        ):
            reference = f"{reference}:{tag.value}"
        dependency = image_dependency(reference, self.file, value.start_mark.line + 1)
        if dependency is not None:
            self.result.dependencies.append(dependency)

    def _split_image(self, node: yaml.MappingNode) -> None:
        """Helm's ``image: {registry: .., repository: .., tag: ..}``."""
        parts = {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        repository = parts.get("repository") or parts.get("name")
        if not isinstance(repository, yaml.ScalarNode) or not repository.value:
            return
        reference = str(repository.value)
        registry = parts.get("registry")
        if isinstance(registry, yaml.ScalarNode) and registry.value:
            reference = f"{registry.value}/{reference}"
        tag = parts.get("tag")
        if isinstance(tag, yaml.ScalarNode) and tag.value:
            reference = f"{reference}:{tag.value}"
        dependency = image_dependency(reference, self.file, repository.start_mark.line + 1)
        if dependency is not None:
            self.result.dependencies.append(dependency)

    def _embedded(self, value: yaml.ScalarNode) -> None:
        """Ray's ``runtimeEnvYAML: |`` holds YAML in a string; its ``pip:`` list counts."""
        try:
            documents = load_nodes(str(value.value))
        except yaml.YAMLError:
            return
        for document in documents:
            data = plain(document)
            pip = data.get("pip") if isinstance(data, dict) else None
            if isinstance(pip, dict):
                pip = pip.get("packages")
            if isinstance(pip, list):
                found = requirement_lines(
                    [str(v) for v in pip], self.file, value.start_mark.line + 1
                )
                self.result.dependencies.extend(found.dependencies)


def parse_deploy_yaml(text: str, file: str) -> FileResult:
    walker = _ImageWalker(file)
    try:
        documents = load_nodes(text)
    except yaml.YAMLError:
        if "{{" in text:
            raise TemplateNotYaml(
                "a Helm/Go template, YAML only once rendered; images are read from the "
                "chart's values files"
            ) from None
        raise
    for document in documents:
        walker.walk(document)
    return walker.result


_JSON_KEY = re.compile(r'^\s*"([^"\\]+)"\s*:')
_EXACT_NPM = re.compile(r"^=?v?(\d+\.\d+\.\d+(?:[-+][\w.\-]+)?)$")


def parse_package_json(text: str, file: str) -> FileResult:
    data: Any = json.loads(text)
    result = FileResult()
    if not isinstance(data, dict):
        raise ValueError("top level is not an object")
    first_line: dict[str, int] = {}
    for number, text_line in enumerate(text.splitlines(), start=1):
        key = _JSON_KEY.match(text_line)
        if key is not None:
            first_line.setdefault(key.group(1), number)
    for section in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        table = data.get(section)
        if not isinstance(table, dict):
            continue
        for name, spec in table.items():
            spec_text = str(spec)
            exact = _EXACT_NPM.match(spec_text.strip())
            line = first_line.get(name)
            result.dependencies.append(
                Dependency(
                    file=file,
                    line=line,
                    ecosystem="npm",
                    package=name.lower(),
                    spec=spec_text,
                    pinned=exact.group(1) if exact else None,
                )
            )
    return result
