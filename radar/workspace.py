"""Where everything lives: the workspace root, feeds.yaml and data/.

The root is chosen by ``--workspace DIR``, else ``RADAR_HOME``, else the current
directory. Every other module asks a :class:`Workspace` for its paths.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from radar.errors import WorkspaceError

ENV_VAR = "RADAR_HOME"
MODEL_CACHE_VAR = "RADAR_MODEL_CACHE"
FEEDS_FILE = "feeds.yaml"
DATA_DIR = "data"


@dataclass(frozen=True)
class Workspace:
    """A folder holding ``feeds.yaml`` and ``data/``."""

    root: Path

    @property
    def feeds_path(self) -> Path:
        return self.root / FEEDS_FILE

    @property
    def data_dir(self) -> Path:
        return self.root / DATA_DIR

    @property
    def db_path(self) -> Path:
        return self.data_dir / "radar.db"

    @property
    def index_path(self) -> Path:
        return self.data_dir / "items.faiss"

    @property
    def index_meta_path(self) -> Path:
        return self.data_dir / "items.faiss.json"

    @property
    def models_dir(self) -> Path:
        """ONNX exports of embedding models, shared by every workspace of a user so the
        export happens once per machine: $RADAR_MODEL_CACHE if set, else data/models
        when an older radar left exports there, else the user cache
        ($XDG_CACHE_HOME/radar/models, by default ~/.cache/radar/models)."""
        shared = os.environ.get(MODEL_CACHE_VAR)
        if shared:
            return Path(shared).expanduser()
        legacy = self.data_dir / "models"
        if legacy.is_dir():
            return legacy
        return user_cache_dir() / "models"

    @property
    def techradar_path(self) -> Path:
        return self.data_dir / "techradar.yaml"

    @property
    def library_path(self) -> Path:
        """The team library (data/library.yaml), committed and reviewed like the radar."""
        return self.data_dir / "library.yaml"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "radar.lock"

    def exists(self) -> bool:
        return self.feeds_path.is_file()

    def require(self) -> Workspace:
        """Raise a clear error unless this folder is a workspace."""
        if not self.root.is_dir():
            raise WorkspaceError(f"workspace folder {self.root} does not exist")
        if not self.feeds_path.is_file():
            raise WorkspaceError(
                f"{self.root} is not a radar workspace (no {FEEDS_FILE}); "
                "run `radar init` there or pass --workspace DIR"
            )
        return self

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


def user_cache_dir() -> Path:
    """radar's folder in the user's cache: $XDG_CACHE_HOME/radar, else ~/.cache/radar."""
    base = os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return Path(base).expanduser() / "radar"


def resolve(explicit: str | os.PathLike[str] | None = None) -> Workspace:
    """Pick the workspace root: explicit argument, then $RADAR_HOME, then cwd."""
    if explicit:
        root = Path(explicit)
    elif os.environ.get(ENV_VAR):
        root = Path(os.environ[ENV_VAR])
    else:
        root = Path.cwd()
    return Workspace(root.expanduser().resolve())
