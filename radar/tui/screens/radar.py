"""Screen 3, Radar: technologies by quadrant and ring, the radar picture, and the
selected technology's record, history and evidence. `a` add, `M` move, `e` edit."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Static

from radar.dates import item_day
from radar.session import Session
from radar.techradar import Technology, TechRadar, display_name, render_text
from radar.techradar.render import SELECTED_MARK
from radar.tui.messages import EvidenceLoaded, RadarLoaded, RadarSaved, WorkFailed
from radar.tui.screens.base import BaseScreen
from radar.tui.screens.modals import (
    AddRequest,
    AddTechScreen,
    EditRequest,
    EditTechScreen,
    MoveRequest,
    MoveTechScreen,
)
from radar.tui.text import one_line, plain
from radar.tui.widgets.flex_table import FlexTable

PICTURE_COLUMNS = 54
"""Text columns of the picture pane (the drawing itself is 53 wide); see #picture in the tcss."""


def picture_text(radar: TechRadar, today: Any, selected: str | None = None) -> Text:
    """`render_text` fitted to the pane: long lines wrapped, the drawing never; the
    selected technology is ◉ in the drawing and highlighted in the lists."""
    lines: list[str] = []
    drawn = render_text(radar, today=today, width=PICTURE_COLUMNS, selected=selected)
    for line in drawn.splitlines():
        if len(line) <= PICTURE_COLUMNS:
            lines.append(line)
        else:
            lines += textwrap.wrap(line, PICTURE_COLUMNS, subsequent_indent="  ")
    text = Text("\n".join(lines), no_wrap=True, overflow="crop")
    if selected:
        text.highlight_words([SELECTED_MARK], style="bold magenta")
        text.highlight_words([selected], style="reverse")
    return text


class TechTable(FlexTable):
    COLUMNS = (
        ("Quadrant", "quadrant", 10),
        ("Ring", "ring", 6),
        ("Technology", "name", None),
        (" ", "status", 1),
        ("30d", "mentions", 3),
    )
    USAGE_COLUMNS = (
        ("Use", "usage", 3),
        ("Verdict", "verdict", 9),
    )
    """Shown once a `radar usage scan` exists: repositories using it, radar vs. reality."""

    def show_radar(
        self,
        radar: TechRadar,
        mentions: dict[str, int],
        today: Any,
        select: str | None,
        usage: dict[str, tuple[int, str]] | None = None,
    ) -> None:
        self.COLUMNS = type(self).COLUMNS + (self.USAGE_COLUMNS if usage is not None else ())  # type: ignore[misc,assignment]
        rings = {ring: index for index, ring in enumerate(radar.rings)}
        quadrants = {quadrant: index for index, quadrant in enumerate(radar.quadrants)}
        techs = sorted(
            radar.active(),
            key=lambda t: (quadrants.get(t.quadrant, 99), rings.get(t.ring, 99), t.name.casefold()),
        )
        rows = [
            (
                tech.name,
                (
                    plain(display_name(tech.quadrant).split(" ")[0], "dim"),
                    plain(tech.ring),
                    plain(tech.name, "bold"),
                    Text(radar.status_of(tech, today=today).symbol, style="yellow"),
                    Text(str(mentions.get(tech.name, 0) or ""), justify="right"),
                    *(_usage_cells(usage.get(tech.name)) if usage is not None else ()),
                ),
            )
            for tech in techs
        ]
        self.set_rows(rows, keep=select or self.current_key())

    def current_name(self) -> str | None:
        return self.current_key()


VERDICT_LABELS = {
    "in_use_on_hold": ("held·used", "bold red"),
    "adopted_unused": ("unused", "yellow"),
    "behind_release": ("behind", "yellow"),
    "ok": ("ok", "green"),
    "no_packages": ("", "dim"),
}


def _usage_cells(found: tuple[int, str] | None) -> tuple[Text, Text]:
    repos, verdict = found or (0, "no_packages")
    label, style = VERDICT_LABELS.get(verdict, (verdict, ""))
    return Text(str(repos or ""), justify="right"), Text(label, style=style)


class EvidenceTable(FlexTable):
    COLUMNS = (
        ("Date", "date", 15),
        ("Why", "why", 8),
        ("Evidence from the news", "title", None),
    )
    BINDINGS = [Binding("enter", "select_cursor", "Read", show=True)]

    def show_evidence(self, evidence: dict[str, Any]) -> None:
        """One row per item, saying whether it is among the most recent, the most
        relevant, or both."""
        items: dict[str, dict[str, Any]] = {}
        groups: dict[str, list[str]] = {}
        for group in ("recent", "relevant"):
            for item in evidence.get(group) or []:
                key = str(int(item.get("id", 0)))
                items.setdefault(key, item)
                groups.setdefault(key, []).append(group)
        rows = [
            (
                key,
                (
                    Text(item_day(item.get("published"), item.get("first_seen")), style="dim"),
                    Text("both" if len(groups[key]) > 1 else groups[key][0], style="cyan"),
                    plain(str(item.get("title") or "")),
                ),
            )
            for key, item in items.items()
        ]
        self.set_rows(rows)

    def current_id(self) -> int | None:
        key = self.current_key()
        return None if key is None else int(key)


def record_text(radar: TechRadar, tech: Technology, today: Any) -> Text:
    """The technology's record and full history; the file is the team's, still shown literally."""
    status = "Retired" if tech.retired else radar.status_of(tech, today=today).value
    text = Text(end="")
    text.append(one_line(tech.name), style="bold")
    text.append(f"  {display_name(tech.quadrant)} · {tech.ring} · {status}\n", style="dim")
    if tech.description:
        text.append("\n" + tech.description.strip() + "\n")
    details = [
        ("aliases", ", ".join(tech.aliases)),
        ("owner", tech.owner),
        ("alternatives", ", ".join(tech.alternatives)),
        ("production use", tech.production_use),
        ("last reviewed", str(tech.last_reviewed or "never")),
        ("entered", str(tech.entered)),
    ]
    text.append("\n")
    for label, value in details:
        if value:
            text.append(f"{label + ':':<16}", style="dim")
            text.append(one_line(value) + "\n")
    for link in tech.links:
        text.append(f"{'link:':<16}", style="dim")
        text.append(one_line(link.url) + "\n", style="underline")
    text.append("\nHistory\n", style="bold")
    for entry in tech.history:
        text.append(f"{entry.date}  ", style="dim")
        text.append(f"{entry.ring:<8} ", style="bold")
        text.append(one_line(entry.rationale))
        if entry.by:
            text.append(f" ({one_line(entry.by)})", style="dim")
        text.append("\n")
    return text


class RadarScreen(BaseScreen):
    MODE = "radar"
    BINDINGS = [
        Binding("a", "add", "Add"),
        Binding("M", "move", "Move"),
        Binding("e", "edit", "Edit"),
        Binding("p", "toggle_picture", "Picture"),
        Binding("tab", "switch_focus", "Evidence/techs", show=False),
    ]

    def __init__(self, backend: Session) -> None:
        super().__init__(backend)
        self.radar: TechRadar | None = None
        self.mentions: dict[str, int] = {}
        self._shown: str | None = None

    def compose_body(self) -> Iterable[Widget]:
        with Horizontal(id="radar-body"):
            yield TechTable(id="techs")
            with VerticalScroll(id="picture"):
                yield Static(id="picture-text")
            with Vertical(id="tech-side"):
                with VerticalScroll(id="tech-record"):
                    yield Static(id="record-text")
                yield EvidenceTable(id="evidence")

    def on_mount(self) -> None:
        self.query_one("#techs").border_title = "Technologies"
        self.query_one("#picture").border_title = "Radar"
        self.query_one("#tech-record").border_title = "Record and history"
        self.query_one("#evidence").border_title = "Evidence"
        self.query_one(TechTable).focus()
        self.load()

    # --- loading ---------------------------------------------------------------------

    def data_changed(self) -> None:
        """New items may mention technologies: counts and evidence are read again."""
        self.load()

    @work(thread=True, group="radar-load", exclusive=True, exit_on_error=False)
    def load(self, select: str | None = None) -> None:
        try:
            radar = self.backend.radar()
            self.backend.refresh_links()
            mentions = self.backend.mention_counts()
            usage = self.backend.usage_summary()
        except Exception as exc:  # noqa: BLE001
            self.post_message(WorkFailed("reading the tech radar", str(exc)))
            return
        self.post_message(RadarLoaded(radar, mentions, select, usage))

    @work(thread=True, group="radar-evidence", exclusive=True, exit_on_error=False)
    def _load_evidence(self, name: str) -> None:
        try:
            evidence = self.backend.evidence(name)
        except Exception as exc:  # noqa: BLE001
            self.post_message(WorkFailed(f"reading evidence for {name}", str(exc)))
            return
        self.post_message(EvidenceLoaded(name, evidence))

    def on_radar_loaded(self, message: RadarLoaded) -> None:
        self.radar = message.radar
        self.mentions = message.mentions
        today = self.backend.today()
        self.query_one(TechTable).show_radar(
            message.radar, message.mentions, today, message.select, message.usage
        )
        self._shown = None
        self._show_current()

    def on_evidence_loaded(self, message: EvidenceLoaded) -> None:
        if message.name == self._shown:
            self.query_one(EvidenceTable).show_evidence(message.evidence)

    @on(DataTable.RowHighlighted, "#techs")
    def _tech_highlighted(self) -> None:
        self._show_current()

    def _show_current(self) -> None:
        tech = self.current_tech()
        if tech is None or self.radar is None:
            return
        record = self.query_one("#record-text", Static)
        record.update(record_text(self.radar, tech, self.backend.today()))
        if tech.name != self._shown:
            self._shown = tech.name
            picture = picture_text(self.radar, self.backend.today(), tech.name)
            self.query_one("#picture-text", Static).update(picture)
            self.query_one(EvidenceTable).set_rows([])
            self._load_evidence(tech.name)

    @on(DataTable.RowSelected, "#evidence")
    def _evidence_selected(self) -> None:
        item_id = self.query_one(EvidenceTable).current_id()
        if item_id is not None:
            self.radar_app.open_reader(item_id)

    def current_tech(self) -> Technology | None:
        name = self.query_one(TechTable).current_name()
        if name is None or self.radar is None:
            return None
        return self.radar.find(name)

    def action_toggle_picture(self) -> None:
        """Hide the picture on a wide terminal; show it (instead of the record) on a
        narrow one."""
        self.toggle_class("-toggle-picture")

    def action_switch_focus(self) -> None:
        if self.query_one(TechTable).has_focus:
            self.query_one(EvidenceTable).focus()
        else:
            self.query_one(TechTable).focus()

    # --- changes ---------------------------------------------------------------------

    @work(thread=True, group="radar-save", exit_on_error=False)
    def _save(
        self, what: str, change: Callable[[], Technology], describe: Callable[[Technology], str]
    ) -> None:
        try:
            tech = change()
        except Exception as exc:  # noqa: BLE001 (refusals from the domain are shown, not fatal)
            self.post_message(WorkFailed(what, str(exc)))
            return
        self.post_message(RadarSaved(tech.name, describe(tech)))

    def on_radar_saved(self, message: RadarSaved) -> None:
        self.notify(one_line(message.summary), title="Tech radar saved", markup=False)
        self.load(message.name)

    def _loaded(self) -> bool:
        if self.radar is None:
            self.notify("The tech radar is still loading.")
        return self.radar is not None

    def action_move(self) -> None:
        tech = self.current_tech()
        if not self._loaded() or tech is None or self.radar is None:
            return
        before = tech.ring

        def moved(request: MoveRequest | None) -> None:
            if request is not None:
                self._save(
                    f"moving {tech.name}",
                    lambda: self.backend.move_tech(tech.name, request.ring, request.rationale),
                    lambda t: f"moved {t.name}: {before} → {t.ring}",
                )

        self.app.push_screen(MoveTechScreen(tech.name, tech.ring, self.radar.rings), moved)

    def action_add(self) -> None:
        if not self._loaded() or self.radar is None:
            return

        def added(request: AddRequest | None) -> None:
            if request is not None:
                self._save(
                    f"adding {request.name}",
                    lambda: self.backend.add_tech(
                        request.name,
                        quadrant=request.quadrant,
                        ring=request.ring,
                        rationale=request.rationale,
                        description=request.description,
                        owner=request.owner,
                        aliases=request.aliases,
                    ),
                    lambda t: f"added {t.name} to {t.quadrant} / {t.ring}",
                )

        self.app.push_screen(AddTechScreen(self.radar.quadrants, self.radar.rings), added)

    def action_edit(self) -> None:
        tech = self.current_tech()
        if not self._loaded() or tech is None:
            return

        def edited(request: EditRequest | None) -> None:
            if request is not None:
                self._save(
                    f"editing {tech.name}",
                    lambda: self.backend.edit_tech(
                        tech.name,
                        description=request.description,
                        owner=request.owner,
                        aliases=request.aliases,
                        production_use=request.production_use,
                    ),
                    lambda t: f"updated {t.name}",
                )

        screen = EditTechScreen(
            tech.name,
            description=tech.description,
            owner=tech.owner,
            aliases=tech.aliases,
            production_use=tech.production_use,
        )
        self.app.push_screen(screen, edited)
