from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from feedserver import FeedServer, running_server  # noqa: E402

from radar.workspace import Workspace  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"


def shared_corpus(name: str) -> Path:
    """A folder of ../shared/corpora, or skip the test when it is absent."""
    path = SHARED / "corpora" / name
    if not path.is_dir():
        pytest.skip(f"shared corpus {path} not present")
    return path


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """An empty workspace in tmp_path (feeds.yaml with no feeds), chosen via RADAR_HOME."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "feeds.yaml").write_text("feeds: []\n", encoding="utf-8")
    monkeypatch.setenv("RADAR_HOME", str(root))
    return Workspace(root)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with running_server() as feed_server:
        yield feed_server


class Cli:
    """Runs radar's real CLI in-process, as a user would type it."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def __call__(self, *args: str, ok: bool = True):  # type: ignore[no-untyped-def]
        from click.testing import CliRunner

        from radar.cli import cli

        result = CliRunner().invoke(
            cli, ["--workspace", str(self.workspace.root), *args], catch_exceptions=False
        )
        if ok and result.exit_code != 0:
            raise AssertionError(
                f"radar {' '.join(args)} exited {result.exit_code}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result


@pytest.fixture
def radar(workspace: Workspace) -> Cli:
    return Cli(workspace)


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ONNX export cache for the whole session, so the model is exported once (and
    never into the user's own cache, where radar keeps it by default)."""
    import os

    cache = tmp_path_factory.mktemp("model-cache")
    os.environ["RADAR_MODEL_CACHE"] = str(cache)
    return cache
