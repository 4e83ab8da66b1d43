"""`radar usage ...`: radar versus reality, from the team's repositories' manifests."""

from __future__ import annotations

from pathlib import Path

import click

from radar import techradar
from radar.cli.common import AppContext, pass_app, print_json, say
from radar.errors import RadarError
from radar.usage import report as verdicts
from radar.usage.report import TechUsage, UsageReport, package_index


@click.group()
def usage() -> None:
    """Radar versus reality: which technologies the team's repositories really use.

    Technologies name their packages (`radar tech edit NAME --add-package pypi:vllm`);
    `usage scan` reads the manifests of local checkouts; `usage report` compares.

    \b
    Examples:
      radar usage scan ~/src/serving ~/src/training
      radar usage report
      radar usage report --strict      # in CI: exit 1 if something on Hold is in use
    """


@usage.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON array, one object per dependency."
)
@pass_app
def scan(app: AppContext, paths: tuple[Path, ...], as_json: bool) -> None:
    """Scan repository checkouts and record a dated snapshot of each.

    Each PATH is one repository, named by its git remote (else its folder name).
    Manifests: requirements*.txt, pyproject.toml, setup.cfg, setup.py, Pipfile,
    environment.yml, poetry.lock, uv.lock, Dockerfile, docker-compose / Kubernetes /
    Helm YAML, package.json. A file that cannot be parsed is reported and skipped.
    Re-scanning a repository replaces its snapshot; older ones stay as history.

    \b
    Example:
      radar usage scan ~/src/serving --json | jq '.[] | select(.technology)'
    """
    from radar.usage.service import record_scans, scan_paths

    workspace = app.workspace.require()
    radar = techradar.load_workspace_radar(workspace)
    index = package_index(radar.active())
    scans = scan_paths(list(paths))
    record_scans(workspace, scans)
    for repo_scan in scans:
        for problem in repo_scan.problems:
            say(f"radar: warning: {repo_scan.repo}: {problem.file}: {problem.reason}", err=True)
    if as_json:
        print_json(
            [
                {
                    "repo": repo_scan.repo,
                    "file": d.file,
                    "line": d.line,
                    "ecosystem": d.ecosystem,
                    "package": d.package,
                    "spec": d.spec,
                    "pinned": d.pinned,
                    "direct": d.direct,
                    "constraint": d.constraint,
                    "technology": index.get(d.key),
                }
                for repo_scan in scans
                for d in repo_scan.dependencies
            ]
        )
        return
    for repo_scan in scans:
        direct = sum(1 for d in repo_scan.dependencies if d.direct and not d.constraint)
        techs = sorted({index[d.key] for d in repo_scan.dependencies if d.key in index})
        problems = f", {len(repo_scan.problems)} not read" if repo_scan.problems else ""
        say(
            f"{repo_scan.repo}: {len(repo_scan.files)} manifests, "
            f"{len(repo_scan.dependencies)} dependencies ({direct} direct){problems}"
        )
        say(f"  technologies on the radar: {', '.join(techs) if techs else 'none'}")


@usage.command("report")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--strict", is_flag=True, help="Exit 1 when a technology on the outermost ring is in use."
)
@pass_app
def report(app: AppContext, as_json: bool, strict: bool) -> None:
    """Per technology: where it runs, pinned versions and a verdict; then candidates.

    Verdicts: in_use_on_hold (outermost ring, still a dependency), adopted_unused
    (innermost ring, no repository uses it), behind_release (a pin below the newest
    release seen in a release feed), ok, no_packages (names no packages: add them with
    `radar tech edit NAME --add-package ...`). Candidates: packages two or more
    repositories use directly that no technology claims, most used first.

    \b
    Example:
      radar usage report --strict || echo "Hold technologies still in use"
    """
    from radar.usage.service import current_report

    workspace = app.workspace.require()
    radar = techradar.load_workspace_radar(workspace)
    found = current_report(workspace, radar)
    if found is None:
        raise RadarError("no usage snapshot yet: run `radar usage scan PATH...` first")
    if as_json:
        print_json(found.to_dict())
    else:
        _print_report(found)
    if strict and found.by_verdict(verdicts.IN_USE_ON_HOLD):
        raise click.exceptions.Exit(1)


def _print_report(found: UsageReport) -> None:
    say(f"Radar vs. reality: {len(found.repos)} repositories scanned")
    current = ""
    for tech in found.technologies:
        if tech.verdict != current:
            current = tech.verdict
            say("")
            say(current)
        say(f"  {tech.name} ({tech.ring}): {_where(tech)}")
        for behind in tech.behind:
            say(f"      {behind.describe()}")
    say("")
    say("candidates (used by 2+ repositories, on no technology)")
    if not found.candidates:
        say("  none")
    for candidate in found.candidates[:20]:
        say(f"  {candidate.package}  {len(candidate.repos)} repos: {', '.join(candidate.repos)}")


def _where(tech: TechUsage) -> str:
    if not tech.packages:
        return "names no packages"
    if not tech.repos:
        return "used nowhere"
    pins = tech.pins()
    parts = [f"{repo} {'/'.join(pins[repo])}" if repo in pins else repo for repo in tech.repos]
    return ", ".join(parts)
