"""The FAISS index in data/: item vectors keyed by item id, kept in step with the database.

Vectors live in the database (``embeddings``: item id, model fingerprint, text hash,
vector) so the FAISS file is purely derived: it can be verified against the
database and rebuilt without re-embedding. The file is written atomically (temp
file, then rename) and read memory-mapped, so a search process starts in a
millisecond and a crash mid-write leaves the previous index usable.

A fetch does not rewrite the main file: new and re-embedded vectors go to a small
delta index beside it, and vectors the main file holds but should no longer answer
with (deleted items) are listed in the meta. Both are searched together; the delta
is merged into the main file once it outgrows ``delta_limit`` or on ``radar index
compact``. The meta is the commit point: it names the delta file by generation, and
every file is in place before the meta that names it, so a kill at any moment leaves
a consistent pair (an item the delta holds is never answered from the main file).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from radar.errors import IndexMismatch
from radar.store import Store, to_iso, utc_now
from radar.workspace import Workspace

if TYPE_CHECKING:
    import faiss
    from faiss import Index as FaissIndex

    from radar.embed import Embedder, ModelInfo

EMBED_BATCH = 256
"""Items embedded and committed together: a kill loses at most one batch of work."""

FLAT_MAX = 50_000
"""Up to this many vectors the index is exact (a flat inner-product scan, memory-mapped).
Beyond it, an inverted-file index (IVF): a flat scan costs about 0.2 ms per 1,000
vectors on one core (20 ms at 100k, 200 ms at 1M), and the warm-search budget is
30 ms with the query embedding and the lexical side included; IVF answers in about
2 ms at 1M (bench/search_speed.py)."""
FLAT_AGAIN = FLAT_MAX // 2
"""An IVF index that shrinks below this goes back to flat (hysteresis: no flapping)."""
RETRAIN_GROWTH = 4
"""An IVF index whose size has grown this many times since its centroids were trained
is rebuilt with more lists, on stored vectors (nothing is re-embedded)."""
TARGET_RECALL = 0.99
"""Recall@10 against exact search that the IVF probe count is calibrated for at build
time, using stored vectors as queries. Those are easier than real queries, which sit
farther from any item: on SciFact's real vectors (bench/ivf_recall.py), 0.97 on stored
vectors meant 0.93 for the 1,109 real claims, 0.99 meant 0.97. We promise 0.95."""
NPROBES = (8, 16, 24, 32, 48, 64, 96, 128, 192, 256)
DELTA_MIN = 2_000
"""A delta index (plus removed ids) may always grow to this many vectors before a merge."""
DELTA_SHARE = 0.05
"""... or to this share of the main index. A fetch rewrites the delta (1.5 KiB per
384-d vector), a merge rewrites the main file: at 1M items and 1,000 new items a fetch,
the delta stays under 75 MB and the 1.5 GB main file is rewritten every 50 fetches."""

Progress = Callable[[int, int], None]


@dataclass
class IndexMeta:
    """Stored beside the index: which vector space it holds and how it was built."""

    model: str
    dim: int
    fingerprint: str
    kind: str = "flat"
    count: int = 0
    built_at: str | None = None
    nlist: int = 0
    """IVF only: how many lists (centroids)."""
    nprobe: int = 0
    """IVF only: how many lists a query visits, calibrated for TARGET_RECALL."""
    trained_on: int = 0
    """IVF only: how many vectors the index held when its centroids were trained."""
    recall_at_10: float | None = None
    """IVF only: recall@10 against exact search measured at build time."""
    backend: str = ""
    """Which embedder backends made the vectors it holds (``onnx-int8``, ``onnx``, ``st``),
    joined by ``+`` when a workspace was embedded with more than one; ``unknown`` stands for
    vectors from before radar recorded it. Not part of the fingerprint: their vectors are
    comparable, so moving a workspace to a CPU or setting with another backend re-embeds
    nothing."""
    delta_file: str | None = None
    """The delta index beside the main file (its name carries a generation), if any."""
    delta_count: int = 0
    removed: list[int] = field(default_factory=list)
    """Ids the main file holds that no search should return (their items are gone)."""
    text_marks: bool = False
    """The store marks items whose text changed (a trigger empties their vector's text hash), so a
    sync finds what to embed in SQL. An index from before then gets one full comparison of
    every item's text hash first."""


@dataclass
class SyncStats:
    embedded: int = 0
    removed: int = 0
    total: int = 0
    backend: str = ""


@dataclass
class VerifyReport:
    """How the index differs from the database. Empty lists mean in step."""

    model: str
    fingerprint: str
    index_fingerprint: str | None
    items: int = 0
    indexed: int = 0
    missing: list[int] = field(default_factory=list)
    """Items with no current vector in the index."""
    extra: list[int] = field(default_factory=list)
    """Index ids the database no longer has."""
    stale: list[int] = field(default_factory=list)
    """Items whose text changed since they were embedded, or embedded by another model."""

    @property
    def ok(self) -> bool:
        return (
            self.index_fingerprint == self.fingerprint
            and not self.missing
            and not self.extra
            and not self.stale
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def _faiss() -> Any:
    import faiss

    # One query at a time: OpenMP threads cost more than they give (50 ms vs 10 ms at 100k).
    faiss.omp_set_num_threads(1)
    return faiss


# --- the file ---------------------------------------------------------------------------


def read_meta(workspace: Workspace) -> IndexMeta | None:
    try:
        data = json.loads(workspace.index_meta_path.read_text(encoding="utf-8"))
        return IndexMeta(**data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        raise IndexMismatch(
            f"{workspace.index_meta_path} is unreadable ({exc}); run `radar index rebuild`"
        ) from None


def _delta_name(workspace: Workspace, generation: int) -> str:
    return f"{workspace.index_path.stem}.delta-{generation}.faiss"


def _delta_generation(name: str | None) -> int:
    if not name:
        return 0
    try:
        return int(name.rsplit("-", 1)[1].split(".")[0])
    except (IndexError, ValueError):
        return 0


def remove_stale_temp_files(workspace: Workspace, keep_delta: str | None = None) -> int:
    """Delete temp files a killed index write left behind, and delta files no meta names
    (callers hold the workspace lock)."""
    removed = 0
    for pattern in (
        f".{workspace.index_path.name}.*.tmp",
        f".{workspace.index_meta_path.name}.*.tmp",
        f".{workspace.index_path.stem}.delta-*.tmp",
    ):
        for leftover in workspace.data_dir.glob(pattern):
            leftover.unlink(missing_ok=True)
            removed += 1
    for delta in workspace.data_dir.glob(f"{workspace.index_path.stem}.delta-*.faiss"):
        if delta.name != keep_delta:
            delta.unlink(missing_ok=True)
            removed += 1
    return removed


def _atomic_replace(final: Path, write: Callable[[str], object]) -> None:
    fd, temp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    try:
        write(temp)
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, final)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _write_meta(workspace: Workspace, meta: IndexMeta) -> None:
    text = json.dumps(asdict(meta), indent=2) + "\n"
    _atomic_replace(workspace.index_meta_path, lambda temp: Path(temp).write_text(text, "utf-8"))


def save_index(workspace: Workspace, index: faiss.Index, meta: IndexMeta) -> None:
    """Write a whole index then its meta, each atomically; the meta names the vectors'
    space. Any delta is folded into ``index`` by the caller, so the meta names none."""
    faiss = _faiss()
    workspace.ensure_data_dir()
    # The delta the meta on disk names stays until the new meta no longer names it.
    try:
        on_disk = read_meta(workspace)
    except IndexMismatch:
        on_disk = None
    remove_stale_temp_files(workspace, keep_delta=on_disk.delta_file if on_disk else None)
    meta.count = int(index.ntotal)
    meta.built_at = to_iso(utc_now())
    meta.delta_file, meta.delta_count, meta.removed = None, 0, []
    _atomic_replace(workspace.index_path, lambda temp: faiss.write_index(index, temp))
    _write_meta(workspace, meta)
    remove_stale_temp_files(workspace)


def save_delta(
    workspace: Workspace, delta: faiss.Index, removed: list[int], meta: IndexMeta, count: int
) -> None:
    """Write a new delta generation, then the meta that names it, then drop the old one."""
    faiss = _faiss()
    old = meta.delta_file
    name = _delta_name(workspace, _delta_generation(old) + 1)
    remove_stale_temp_files(workspace, keep_delta=old)
    _atomic_replace(workspace.data_dir / name, lambda temp: faiss.write_index(delta, temp))
    meta.delta_file, meta.delta_count, meta.removed = name, int(delta.ntotal), sorted(removed)
    meta.count = count
    meta.built_at = to_iso(utc_now())
    _write_meta(workspace, meta)
    remove_stale_temp_files(workspace, keep_delta=name)


def load_index(workspace: Workspace, *, writable: bool = False) -> faiss.Index | None:
    """The index, memory-mapped for reading (or fully loaded to modify); None if absent."""
    if not workspace.index_path.exists():
        return None
    faiss = _faiss()
    flags = 0 if writable else faiss.IO_FLAG_MMAP_IFC
    try:
        return cast("FaissIndex", faiss.read_index(str(workspace.index_path), flags))
    except RuntimeError as exc:
        raise IndexMismatch(
            f"{workspace.index_path} is unreadable ({str(exc).splitlines()[0][:200]}); "
            "run `radar index rebuild`"
        ) from None


class VectorIndex:
    """The main index and its delta, searched as one: an id the delta holds or the meta
    lists as removed is never answered from the main file."""

    def __init__(
        self, main: faiss.Index, delta: faiss.Index | None = None, removed: list[int] | None = None
    ) -> None:
        self.main = main
        self.delta = delta
        self.delta_ids = index_ids(delta)
        masked = np.union1d(np.asarray(removed or [], dtype=np.int64), self.delta_ids)
        self.masked = masked
        self._mask_selector: Any = None
        if len(masked):
            faiss = _faiss()
            batch = faiss.IDSelectorBatch(masked)
            # The Not selector points at the batch one: keep both alive together.
            self._mask_selector = (faiss.IDSelectorNot(batch), batch)

    @property
    def d(self) -> int:
        return int(self.main.d)

    @property
    def ntotal(self) -> int:
        """Vectors held (an upper bound: an id masked in the main file counts twice)."""
        return int(self.main.ntotal) + (0 if self.delta is None else int(self.delta.ntotal))

    def ids(self) -> np.ndarray:
        main_ids = index_ids(self.main)
        live = main_ids[~np.isin(main_ids, self.masked)] if len(self.masked) else main_ids
        return np.concatenate([live, self.delta_ids]) if len(self.delta_ids) else live

    def search(
        self, query: np.ndarray, k: int, allowed_ids: list[int] | None
    ) -> list[tuple[int, float]]:
        total = self.ntotal
        hits = _search_one(self.main, query, k, allowed_ids, self._mask_selector, total)
        if self.delta is not None and self.delta.ntotal:
            hits += _search_one(self.delta, query, k, allowed_ids, None, total)
            hits.sort(key=lambda hit: -hit[1])
        return hits[:k]


def open_index(workspace: Workspace) -> VectorIndex | None:
    """The main index memory-mapped with its delta, as the meta names them; None if absent."""
    for _attempt in range(3):
        meta = read_meta(workspace)
        main = load_index(workspace)
        if main is None:
            return None
        if meta is None or not meta.delta_file:
            return VectorIndex(main)
        try:
            delta = _read(workspace.data_dir / meta.delta_file, mmap=False)
        except FileNotFoundError:
            continue  # a fetch replaced the delta between reading the meta and the file
        return VectorIndex(main, delta, meta.removed)
    raise IndexMismatch(
        f"{workspace.index_meta_path} names a delta index that is missing; "
        "run `radar index rebuild`"
    )


def _read(path: Path, *, mmap: bool) -> faiss.Index:
    faiss = _faiss()
    if not path.exists():
        raise FileNotFoundError(path)
    try:
        return cast(
            "FaissIndex", faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC if mmap else 0)
        )
    except RuntimeError as exc:
        raise IndexMismatch(
            f"{path} is unreadable ({str(exc).splitlines()[0][:200]}); run `radar index rebuild`"
        ) from None


def new_delta(main: faiss.Index) -> faiss.Index:
    """An empty delta for ``main``: flat beside a flat index; beside an IVF index, an IVF
    index sharing its centroids and probe count, so the delta costs what the main costs."""
    faiss = _faiss()
    if not _is_ivf(main):
        return new_index(main.d)
    ivf: Any = main
    centroids = ivf.quantizer.reconstruct_n(0, ivf.nlist)
    quantizer = faiss.IndexFlatIP(main.d)
    quantizer.add(centroids)
    delta = faiss.IndexIVFFlat(quantizer, main.d, ivf.nlist, faiss.METRIC_INNER_PRODUCT)
    delta.is_trained = True
    delta.nprobe = ivf.nprobe
    delta.own_fields = True
    quantizer.this.disown()
    return cast("FaissIndex", delta)


def new_index(dim: int) -> faiss.Index:
    faiss = _faiss()
    return cast("FaissIndex", faiss.IndexIDMap(faiss.IndexFlatIP(dim)))


def choose_kind(count: int, current: str | None = None) -> str:
    """flat or ivf for an index of `count` vectors (with hysteresis around FLAT_MAX)."""
    if current == "ivf" and count >= FLAT_AGAIN:
        return "ivf"
    return "ivf" if count > FLAT_MAX else "flat"


def _is_ivf(index: faiss.Index) -> bool:
    return hasattr(index, "nprobe") and hasattr(index, "invlists")


def build_index(dim: int, ids: np.ndarray, vectors: np.ndarray, meta: IndexMeta) -> faiss.Index:
    """A new index of the kind the size calls for, holding `vectors`; fills `meta`."""
    meta.kind = choose_kind(len(ids))
    meta.nlist = meta.nprobe = meta.trained_on = 0
    meta.recall_at_10 = None
    if meta.kind == "flat":
        flat = new_index(dim)
        if len(ids):
            flat.add_with_ids(vectors, ids)
        return flat
    faiss = _faiss()
    # About 4 sqrt(n) lists rounded down to a power of two: 1,024 at 200k, 2,048 at 1M.
    nlist = 1 << max(8, int(np.log2(4 * np.sqrt(len(ids)))))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(len(ids))
    sample = rng.choice(len(ids), size=min(len(ids), 40 * nlist), replace=False)
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    try:
        index.train(np.ascontiguousarray(vectors[np.sort(sample)]))
        index.add_with_ids(vectors, ids)
        meta.nprobe, meta.recall_at_10 = _calibrate(index, ids, vectors, rng)
    finally:
        faiss.omp_set_num_threads(1)
    index.nprobe = meta.nprobe
    meta.nlist, meta.trained_on = nlist, len(ids)
    return cast("FaissIndex", index)


def _calibrate(
    index: Any, ids: np.ndarray, vectors: np.ndarray, rng: np.random.Generator
) -> tuple[int, float]:
    """The smallest probe count whose recall@10 against exact search reaches TARGET_RECALL,
    on stored vectors used as queries (each query's own item left out of both lists)."""
    faiss = _faiss()
    picks = rng.choice(len(ids), size=min(len(ids), 256), replace=False)
    queries = np.ascontiguousarray(vectors[picks])
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth_rows = exact.search(queries, 11)
    truth = [
        [i for i in ids[row[row >= 0]] if i != ids[pick]][:10]
        for row, pick in zip(truth_rows, picks, strict=True)
    ]
    recall = 0.0
    for nprobe in NPROBES:
        if nprobe > index.nlist:
            break
        index.nprobe = nprobe
        _, found = index.search(queries, 11)
        hits = sum(
            len(set(want) & {i for i in got if i != ids[pick]})
            for want, got, pick in zip(truth, found, picks, strict=True)
        )
        recall = hits / max(1, sum(len(want) for want in truth))
        if recall >= TARGET_RECALL:
            return nprobe, round(recall, 4)
    return min(index.nlist, NPROBES[-1]), round(recall, 4)


def index_ids(index: Any) -> np.ndarray:
    if index is None or index.ntotal == 0:
        return np.empty(0, dtype=np.int64)
    faiss = _faiss()
    if not _is_ivf(index):
        ids: np.ndarray = faiss.vector_to_array(index.id_map).astype(np.int64)
        return ids
    invlists = index.invlists
    parts = []
    for list_no in range(index.nlist):
        size = invlists.list_size(list_no)
        if size:
            pointer = invlists.get_ids(list_no)
            parts.append(faiss.rev_swig_ptr(pointer, size).copy())
            invlists.release_ids(list_no, pointer)
    return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)


def check_model(workspace: Workspace, info: ModelInfo) -> IndexMeta | None:
    """Raise IndexMismatch when the index was built for a different model or recipe."""
    meta = read_meta(workspace)
    if meta is not None and meta.fingerprint != info.fingerprint and meta.model == info.name:
        raise IndexMismatch(
            f"the search index holds {meta.model!r} vectors made by an older version of "
            "radar's embedding recipe; the next `radar fetch` re-embeds them, or run "
            "`radar index rebuild` now"
        )
    if meta is not None and meta.fingerprint != info.fingerprint:
        raise IndexMismatch(
            f"the search index was built with model {meta.model!r} ({meta.dim}-d) but "
            f"feeds.yaml asks for {info.name!r} ({info.dim}-d); run `radar index rebuild`"
        )
    return meta


# --- keeping it in step -------------------------------------------------------------------


def _pending(store: Store, fingerprint: str) -> Iterator[tuple[int, str, str]]:
    """(item id, text, hash) for every item whose current text has no current vector."""
    from radar.embed import item_text, text_hash

    for row in store.embedding_states():
        text = item_text(row.title, row.summary, row.content)
        digest = text_hash(text)
        if row.text_hash != digest or row.fingerprint != fingerprint:
            yield row.id, text, digest


def _texts(store: Store, item_ids: list[int]) -> list[tuple[int, str, str]]:
    """(item id, text, hash) for these items, in this order."""
    from radar.embed import item_text, text_hash

    texts = {i: item_text(*fields) for i, fields in store.item_texts(item_ids).items()}
    # An item deleted meanwhile is skipped; the index sync drops it.
    return [(i, texts[i], text_hash(texts[i])) for i in item_ids if i in texts]


def embed_pending(
    store: Store,
    embedder: Embedder,
    *,
    progress: Progress | None = None,
    compare_texts: bool = True,
) -> tuple[int, list[int]]:
    """Embed new and changed items into the embeddings table, a batch per transaction.

    With ``compare_texts`` every item's text is read and hashed against its vector's; without
    it, what to embed comes from the store alone (items with no current vector, or marked
    changed by the store's trigger), which costs what changed rather than the whole collection.
    Returns (how many were embedded, their ids).
    """
    # Only ids are kept for the whole run (texts are read again per batch), so a first
    # index of 100k long items does not hold every text in memory at once.
    fingerprint = embedder.info.fingerprint
    if compare_texts:
        pending = [item_id for item_id, _, _ in _pending(store, fingerprint)]
    else:
        pending = store.unembedded_ids(fingerprint)
    done: list[int] = []
    for start in range(0, len(pending), EMBED_BATCH):
        batch = _texts(store, pending[start : start + EMBED_BATCH])
        vectors = embedder.embed([text for _, text, _ in batch])
        store.save_item_vectors(
            [
                (item_id, embedder.info.fingerprint, digest, vector.astype(np.float32).tobytes())
                for (item_id, _, digest), vector in zip(batch, vectors, strict=True)
            ]
        )
        done.extend(item_id for item_id, _, _ in batch)
        if progress:
            progress(len(done), len(pending))
    return len(done), done


def _stored_vectors(
    store: Store, fingerprint: str, dim: int, only: list[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    rows = store.vectors_by_id(fingerprint, only)
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    vectors = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32)
    return ids, vectors.reshape(len(rows), dim)


def sync_index(
    store: Store,
    workspace: Workspace,
    embedder: Embedder,
    *,
    progress: Progress | None = None,
    rebuild: bool = False,
) -> SyncStats:
    """Embed what is new or changed and bring the index in step with the database.

    New and re-embedded vectors go to the delta index; the main file is rewritten only
    when the index is built, changes kind, or the delta outgrows ``delta_limit``."""
    info = embedder.info
    if not rebuild:
        check_model(workspace, info)
    previous = _readable_meta(workspace) if rebuild else read_meta(workspace)
    compare = rebuild or previous is None or not previous.text_marks
    embedded, changed_ids = embed_pending(store, embedder, progress=progress, compare_texts=compare)
    current = store.embedded_ids(info.fingerprint)
    old_meta = None if rebuild else previous
    stats = SyncStats(embedded=embedded, backend=getattr(embedder, "backend", ""))
    meta = IndexMeta(model=info.name, dim=info.dim, fingerprint=info.fingerprint, text_marks=True)
    meta.backend = _vector_backends(previous, info, stats.backend, embedded, len(current))
    opened = None
    if old_meta is not None and not _needs_rebuild(old_meta, len(current)):
        try:
            opened = open_index(workspace)
        except IndexMismatch:
            opened = None  # unreadable or incomplete: rebuilt below from stored vectors
    if old_meta is None or opened is None or opened.d != info.dim:
        # Built from the stored vectors: a change of index kind never re-embeds.
        ids, vectors = _stored_vectors(store, info.fingerprint, info.dim)
        index = build_index(info.dim, ids, vectors, meta)
        save_index(workspace, index, meta)
        stats.total = int(index.ntotal)
        return stats
    for name in ("kind", "nlist", "nprobe", "trained_on", "recall_at_10", "delta_file"):
        setattr(meta, name, getattr(old_meta, name))
    in_main = set(index_ids(opened.main).tolist())
    in_delta = set(opened.delta_ids.tolist())
    removed = set(old_meta.removed)
    live = (in_main - removed) | in_delta
    # Re-embedded items are dropped and added again with their new vector.
    gone = (live - current) | (set(changed_ids) & live)
    to_add = sorted(current - (live - gone))
    stats.total = len((live - gone) | set(to_add))
    if (
        not to_add
        and not gone
        and meta.backend == getattr(old_meta, "backend", None)
        and old_meta.text_marks
    ):
        return stats
    stats.removed = len(gone)
    delta_ids = (in_delta - gone) | set(to_add)
    removed = (removed | (gone & in_main)) - delta_ids
    if len(delta_ids) + len(removed) > delta_limit(int(opened.main.ntotal)):
        del opened
        _merge(store, workspace, meta, sorted(delta_ids), removed)
        return stats
    delta = opened.delta if opened.delta is not None else new_delta(opened.main)
    stale = sorted(in_delta & gone)
    if stale:
        delta.remove_ids(_faiss().IDSelectorBatch(np.asarray(stale, dtype=np.int64)))
    ids, vectors = _stored_vectors(store, info.fingerprint, info.dim, to_add)
    if len(ids):
        delta.add_with_ids(vectors, ids)
    save_delta(workspace, delta, sorted(removed), meta, stats.total)
    return stats


def delta_limit(main_count: int) -> int:
    """How many vectors the delta and the removed list may hold before a merge."""
    return max(DELTA_MIN, int(DELTA_SHARE * main_count))


def _merge(
    store: Store, workspace: Workspace, meta: IndexMeta, delta_ids: list[int], removed: set[int]
) -> None:
    """Fold the delta into the main file: drop removed and superseded ids, add the delta's
    vectors (read back from the database, where they are stored), write it atomically."""
    index = load_index(workspace, writable=True)
    if index is None:
        raise IndexMismatch(f"{workspace.index_path} is missing; run `radar index rebuild`")
    masked = sorted(removed | set(delta_ids))
    if masked:
        index.remove_ids(_faiss().IDSelectorBatch(np.asarray(masked, dtype=np.int64)))
    ids, vectors = _stored_vectors(store, meta.fingerprint, meta.dim, delta_ids)
    if len(ids):
        index.add_with_ids(vectors, ids)
    save_index(workspace, index, meta)


def compact_index(store: Store, workspace: Workspace) -> IndexMeta | None:
    """Merge the delta index into the main file now (``radar index compact``); the meta
    after, or None when there is no index. Nothing is embedded."""
    meta = read_meta(workspace)
    if meta is None or not workspace.index_path.exists():
        return None
    if not meta.delta_file and not meta.removed:
        return meta
    opened = open_index(workspace)
    delta_ids = [] if opened is None else opened.delta_ids.tolist()
    del opened
    _merge(store, workspace, meta, sorted(delta_ids), set(meta.removed))
    return meta


def _readable_meta(workspace: Workspace) -> IndexMeta | None:
    """The meta if it can be read; a rebuild replaces an unreadable one."""
    try:
        return read_meta(workspace)
    except IndexMismatch:
        return None


def _vector_backends(
    previous: IndexMeta | None, info: ModelInfo, backend: str, embedded: int, total: int
) -> str:
    """The backends that made the ``total`` stored vectors after ``embedded`` of them were
    embedded now by ``backend``: the earlier ones (from ``previous``) still count unless
    everything was embedded again."""
    earlier: set[str] = set()
    if embedded < total:
        if previous is not None and previous.fingerprint == info.fingerprint:
            earlier = set(filter(None, previous.backend.split("+")))
        earlier = earlier or {"unknown"}
    now = {backend or "unknown"} if embedded else set()
    return "+".join(sorted(earlier | now))


def _needs_rebuild(meta: IndexMeta, count: int) -> bool:
    """Whether an index of meta's kind no longer suits `count` vectors."""
    if choose_kind(count, meta.kind) != meta.kind:
        return True
    return meta.kind == "ivf" and count > RETRAIN_GROWTH * max(1, meta.trained_on)


def verify(store: Store, workspace: Workspace, info: ModelInfo) -> VerifyReport:
    """Compare index ids, stored vectors and current item texts."""
    meta = read_meta(workspace)
    index = open_index(workspace)
    present = set(index.ids().tolist()) if index is not None else set()
    items = set(store.all_item_ids())
    report = VerifyReport(
        model=info.name,
        fingerprint=info.fingerprint,
        index_fingerprint=meta.fingerprint if meta else None,
        items=len(items),
        indexed=len(present),
    )
    stale = {item_id for item_id, _, _ in _pending(store, info.fingerprint)}
    report.stale = sorted(stale & present)
    report.missing = sorted((items - present) | (stale - present))
    report.extra = sorted(present - items)
    return report


def search_vectors(
    workspace: Workspace,
    query: np.ndarray,
    k: int,
    allowed_ids: list[int] | None = None,
    *,
    index: VectorIndex | faiss.Index | None = None,
) -> list[tuple[int, float]]:
    """Nearest items by inner product (cosine on normalised vectors), best first."""
    if index is None:
        index = open_index(workspace)
    elif not isinstance(index, VectorIndex):
        index = VectorIndex(index)
    if index is None or index.ntotal == 0 or k <= 0:
        return []
    if allowed_ids is not None and not allowed_ids:
        return []
    return index.search(np.asarray(query, dtype=np.float32).reshape(1, -1), k, allowed_ids)


def _search_one(
    index: faiss.Index,
    query: np.ndarray,
    k: int,
    allowed_ids: list[int] | None,
    mask: Any,
    total: int,
) -> list[tuple[int, float]]:
    """One index's nearest ids; ``mask`` (a selector) excludes ids it holds but must not
    return; ``total`` is how many vectors main and delta hold together."""
    if index.ntotal == 0:
        return []
    faiss = _faiss()
    params = None
    keep: Any = None
    if allowed_ids is not None:
        # Locals keep every selector alive while faiss holds pointers to them.
        allowed = faiss.IDSelectorBatch(np.asarray(allowed_ids, dtype=np.int64))
        keep = allowed if mask is None else faiss.IDSelectorAnd(allowed, mask[0])
    elif mask is not None:
        keep = mask[0]
    if keep is not None:
        if _is_ivf(index):
            # A filter keeps a fraction of each list: visit proportionally more lists,
            # so a narrow filter still finds its k best (all lists = exact).
            ivf: Any = index
            share = 1.0 if allowed_ids is None else len(allowed_ids) / max(1, total)
            nprobe = min(ivf.nlist, int(np.ceil(ivf.nprobe / max(share, 1e-9))))
            params = faiss.SearchParametersIVF(sel=keep, nprobe=nprobe)
        else:
            params = faiss.SearchParameters(sel=keep)
    scores, ids = index.search(query, min(k, index.ntotal), params=params)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]


def _made_under_an_older_recipe(meta: IndexMeta) -> bool:
    """Whether the index's vectors were made by the same model under another text or
    vectors recipe (the fingerprint a radar of today computes for it differs)."""
    from radar.embed import ModelInfo

    return meta.fingerprint != ModelInfo.for_model(meta.model, meta.dim).fingerprint


def update_index(
    store: Store,
    workspace: Workspace,
    model: str,
    *,
    progress: Progress | None = None,
    rebuild: bool = False,
    embedder: Embedder | None = None,
    on_prepare: Callable[[str], None] | None = None,
    embed_backend: str = "int8",
) -> SyncStats:
    """What `radar fetch` calls after ingesting: embed and index only what changed.

    The model is loaded only when there is something to embed or the index is missing
    while items exist; with no items at all there is nothing to index yet. When the
    model must first be prepared (its ONNX export made, ~15 s once per model cache),
    ``on_prepare`` is told the model's name before that starts. ``embed_backend`` is
    ``settings.embed_backend`` (int8 or fp32). An index made under an older text or
    vectors recipe (see :class:`radar.embed.ModelInfo`) is rebuilt, re-embedding everything.
    """
    meta = _readable_meta(workspace) if rebuild else read_meta(workspace)
    if meta is not None and meta.model != model and not rebuild:
        raise IndexMismatch(
            f"the search index was built with model {meta.model!r} but feeds.yaml asks for "
            f"{model!r}; run `radar index rebuild`"
        )
    if meta is not None and not rebuild and _made_under_an_older_recipe(meta):
        rebuild = True  # every vector is re-embedded once; old and new are never mixed
    if (
        embedder is None
        and not rebuild
        and meta is not None
        and workspace.index_path.exists()
        and next(_pending(store, meta.fingerprint), None) is None
        and meta.count == store.item_count()
    ):
        return SyncStats(total=meta.count, backend="none")
    if embedder is None and meta is None and store.item_count() == 0:
        return SyncStats(backend="none")  # nothing to embed: the model is not needed yet
    if embedder is None:
        from radar.embed import find_export, load_embedder

        if on_prepare is not None and find_export(workspace.models_dir, model) is None:
            on_prepare(model)
        embedder = load_embedder(
            model, cache_dir=workspace.models_dir, purpose="bulk", embed_backend=embed_backend
        )
    return sync_index(store, workspace, embedder, progress=progress, rebuild=rebuild)
