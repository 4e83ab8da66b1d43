"""Ecosystem-qualified package names (``pypi:torch``, ``image:vllm/vllm-openai``).

A technology names the packages that mean "this technology runs here"; the usage scan
(radar.usage) reports packages in the same form. Both sides go through
:func:`normalise_package`, so names compare the way each ecosystem compares them:
PyPI per PEP 503, images without tag or digest and without Docker Hub's implied
``docker.io/library/`` prefix.
"""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name

from radar.errors import RadarError

ECOSYSTEMS: tuple[str, ...] = ("pypi", "conda", "npm", "image")


class PackageNameError(RadarError):
    """A package name that is not ``ECOSYSTEM:NAME`` with a known ecosystem."""


_NPM_NAME = re.compile(r"^(?:@[a-z0-9][\w.\-~]*/)?[a-z0-9][\w.\-~]*$")


def image_name(reference: str) -> str:
    """An image reference without tag or digest, lower-cased, Docker Hub prefix dropped:
    ``docker.io/library/python:3.11@sha256:..`` gives ``python``."""
    name = reference.strip().split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:  # a tag, not a registry port
        name = name[:colon]
    name = name.lower()
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    if name.startswith("library/") and name.count("/") == 1:
        name = name[len("library/") :]
    return name


def normalise_name(ecosystem: str, name: str) -> str:
    """The comparable form of a name within its ecosystem."""
    name = name.strip()
    if ecosystem == "pypi":
        return str(canonicalize_name(name))
    if ecosystem == "conda":
        return name.split("::")[-1].lower()
    if ecosystem == "image":
        return image_name(name)
    return name.lower()


def normalise_package(text: str) -> str:
    """``ECOSYSTEM:NAME`` in comparable form; PackageNameError says what is wrong."""
    ecosystem, sep, name = text.strip().partition(":")
    ecosystem = ecosystem.strip().lower()
    if not sep or not name.strip():
        raise PackageNameError(
            f"package {text!r} needs an ecosystem: write it as ECOSYSTEM:NAME "
            f"(ecosystems: {', '.join(ECOSYSTEMS)}), e.g. pypi:torch"
        )
    if ecosystem not in ECOSYSTEMS:
        raise PackageNameError(
            f"package {text!r}: unknown ecosystem {ecosystem!r} "
            f"(ecosystems: {', '.join(ECOSYSTEMS)})"
        )
    normalised = normalise_name(ecosystem, name)
    if not normalised or any(ch.isspace() for ch in normalised):
        raise PackageNameError(f"package {text!r}: {name.strip()!r} is not a package name")
    if ecosystem == "npm" and not _NPM_NAME.match(normalised):
        raise PackageNameError(f"package {text!r}: {name.strip()!r} is not an npm package name")
    return f"{ecosystem}:{normalised}"


_PACKAGE_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")


def suggest_packages(names: list[str], current: list[str], seen: set[str] | None) -> list[str]:
    """Package names a technology's names and aliases suggest, minus those it has.

    Without scan data (``seen`` None or empty), ``pypi:<alias>`` for each name that is
    a valid package name. With scan data, only packages really seen, in any
    ecosystem, whose name (or an image's last path part) equals a name or alias."""
    tokens = {str(canonicalize_name(n)) for n in names if _PACKAGE_TOKEN.match(n.strip())}
    found: list[str] = []
    if seen:
        for package in sorted(seen):
            ecosystem, _, name = package.partition(":")
            last = name.rsplit("/", 1)[-1]
            if str(canonicalize_name(last)) in tokens or str(canonicalize_name(name)) in tokens:
                found.append(package)
    else:
        found = [f"pypi:{token}" for token in sorted(tokens)]
    return [package for package in found if package not in current]
