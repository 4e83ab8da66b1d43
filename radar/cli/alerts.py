"""`radar alerts`: the release alerts radar has sent (settings.alerts in feeds.yaml)."""

from __future__ import annotations

from typing import Any

import click

from radar.cli.common import AppContext, pass_app, print_json, print_table, say


@click.group()
def alerts() -> None:
    """Release alerts: one per new release of a technology in a watched ring.

    Configure in feeds.yaml: ``settings.alerts.releases: [adopt, trial]`` (rings to
    watch) and ``settings.alerts.prereleases: false``; alerts go to the destinations
    of ``settings.delivery`` when `radar fetch` or `radar watch` stores the release.

    \b
    Example:
      radar alerts list
    """


@alerts.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def list_alerts(app: AppContext, limit: int, as_json: bool) -> None:
    """The release alerts, newest first, and whether each destination got them.

    \b
    Examples:
      radar alerts list
      radar alerts list --json --limit 5
    """
    from radar.store import Store

    workspace = app.workspace.require()
    with Store(workspace.db_path) as store:
        rows: list[dict[str, Any]] = []
        for alert in store.delivery.alerts(limit):
            key = f"{alert.tech_slug}@{alert.version}"
            delivered = {
                destination: store.delivery.for_range("alert", destination, key)
                for destination in ("email", "webhook")
            }
            rows.append(
                {
                    "when": alert.created_at,
                    "technology": alert.tech_name,
                    "slug": alert.tech_slug,
                    "ring": alert.ring,
                    "version": alert.version,
                    "prerelease": alert.prerelease,
                    "title": alert.title,
                    "link": alert.link,
                    "deliveries": {
                        destination: {
                            "status": found[0].status,
                            "attempts": found[0].attempts,
                            "sent_at": found[0].sent_at,
                            "last_error": found[0].last_error,
                        }
                        for destination, found in delivered.items()
                        if found
                    },
                }
            )
    if as_json:
        print_json(rows)
        return
    if not rows:
        say("no release alerts yet (settings.alerts.releases in feeds.yaml turns them on)")
        return
    for row in rows:
        row["when"] = row["when"][:16].replace("T", " ")
        row["version"] += " (pre)" if row["prerelease"] else ""
        row["sent"] = (
            ", ".join(
                f"{destination} {state['status']}"
                for destination, state in row["deliveries"].items()
            )
            or "no destination"
        )
    print_table(rows, ["when", "technology", "ring", "version", "sent", "link"])
