"""YAML read as nodes (PyYAML's composer, libyaml when present), so values keep their
line numbers and aliases stay shared: a "billion laughs" document is walked once per
distinct node, never expanded."""

from __future__ import annotations

from typing import Any

import yaml

# The base loader resolves no implicit tags: every scalar stays a string, which is what
# manifests need (a tag "1.10" must not become 1.1), and it composes 2-3x faster.
try:
    _Loader: Any = yaml.CBaseLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.BaseLoader

MAX_NODES = 200_000
"""Values a plain() conversion may produce before the document counts as hostile."""


class YamlTooLarge(ValueError):
    """A document that would expand into too many values (e.g. nested aliases)."""


class TemplateNotYaml(ValueError):
    """A Helm / Go template (``{{ ... }}``): YAML only once rendered."""


def load_nodes(text: str) -> list[yaml.Node]:
    """Every document's root node; yaml.YAMLError for malformed text."""
    return [node for node in yaml.compose_all(text, Loader=_Loader) if node is not None]


def plain(node: yaml.Node, budget: list[int] | None = None) -> Any:
    """The node as Python values (strings, lists, dicts); scalars stay strings except
    plain null. Raises YamlTooLarge past MAX_NODES values."""
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlTooLarge(f"expands to more than {MAX_NODES:,} values (nested aliases?)")
    if isinstance(node, yaml.MappingNode):
        return {
            _key(key): plain(value, budget)
            for key, value in node.value
            if isinstance(key, yaml.ScalarNode)
        }
    if isinstance(node, yaml.SequenceNode):
        return [plain(child, budget) for child in node.value]
    if isinstance(node, yaml.ScalarNode):
        if node.tag.endswith(":null") or (node.style is None and node.value in ("", "~", "null")):
            return None
        return node.value
    return None


def _key(node: yaml.ScalarNode) -> str:
    return str(node.value)


def _sequence_under(node: yaml.Node, key: str) -> yaml.SequenceNode | None:
    """The sequence value of ``key`` in a mapping node, if there is one."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value in node.value:
        matches = isinstance(key_node, yaml.ScalarNode) and key_node.value == key
        if matches and isinstance(value, yaml.SequenceNode):
            return value
    return None


def node_lines(document: yaml.Node, key: str) -> list[int]:
    """1-based line of each item of the sequence under ``key`` in a mapping document."""
    return [child.start_mark.line + 1 for child in sequence_items(document, key)]


def mapping_child_lines(item: yaml.Node, key: str) -> list[int]:
    """Lines of the sequence items under ``key`` of a mapping node (``- pip: [...]``)."""
    return node_lines(item, key)


def sequence_items(document: yaml.Node, key: str) -> list[yaml.Node]:
    """The item nodes of the sequence under ``key`` in a mapping document."""
    sequence = _sequence_under(document, key)
    return list(sequence.value) if sequence is not None else []
