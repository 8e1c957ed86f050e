"""The ``toolbox`` command: a Flask CLI group, so ``toolbox run`` and ``toolbox shell`` work too."""
from __future__ import annotations

import contextlib
import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext

from . import create_app
from .config import ConfigError
from .message_render import render

# Commands that must not migrate on start-up: Alembic's own, and help.
_NO_PREPARE = {"db"}


def _create_app() -> "Flask":  # noqa: F821
    app = create_app()
    if not app.config.get("TOOLBOX_JSON_LOGS"):  # TOOLBOX_LOG_FORMAT=json: every line to stderr
        _log_to_instance_folder(app)
    return app


def _log_to_instance_folder(app: "Flask") -> None:  # noqa: F821
    """The toolbox's notes go to ``<instance>/toolbox.log``; the terminal shows only warnings.

    Start-up notes (index updates caught up, an index built) would otherwise greet every
    command; what start-up repaired and what failed is a warning and still shows. Only the
    ``toolbox`` loggers: the development server's address and request lines stay on the terminal.
    """
    from flask.logging import default_handler

    logger = logging.getLogger("toolbox")
    if any(getattr(handler, "toolbox_cli", False) for handler in logger.handlers):
        return
    # Flask's own handler on app.logger ("toolbox") would print every note again.
    logger.removeHandler(default_handler)
    logger.setLevel(logging.INFO)
    log_file = RotatingFileHandler(Path(app.instance_path) / "toolbox.log", maxBytes=2_000_000, backupCount=3,
                                   encoding="utf-8")
    log_file.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.WARNING)
    for handler in (log_file, terminal):
        handler.toolbox_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Smart Region Toolbox."""
    if ctx.invoked_subcommand in _NO_PREPARE or ctx.resilient_parsing or "--help" in sys.argv:
        return
    from .services.database import prepare_database
    from .services.startup import repair_on_start

    app = ctx.ensure_object(ScriptInfo).load_app()
    prepare_database(app)
    repair_on_start(app)


def register_commands(app: "Flask") -> None:  # noqa: F821
    """Offer the toolbox commands on ``app.cli`` too, for ``flask --app toolbox`` and test runners."""
    for name, command in cli.commands.items():
        if name not in app.cli.commands:
            app.cli.add_command(command, name)


def main() -> None:
    try:
        cli.main(prog_name="toolbox")
    except ConfigError as exc:
        click.echo(f"Fehler in der Konfiguration: {exc}", err=True)
        sys.exit(2)


def _split_topics(values: tuple[str, ...]) -> list[str]:
    return [t.strip() for value in values for t in value.split(",") if t.strip()]


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV (with header row) or JSON with per-file metadata.")
@click.option("--topic", "topics", multiple=True, help="Topic slug; repeatable.")
@click.option("--type", "doc_type", help="Document type slug.")
@click.option("--municipality", help="Name of the municipality.")
@click.option("--population", type=click.IntRange(min=0), help="Population of the municipality.")
@click.option("--size-class", help="Size class slug (for districts and associations).")
@click.option("--project", help="Name of the project the documents come from.")
@click.option("--year", type=click.IntRange(1990, 2100), help="Year of the documents.")
@click.option("--license", "license_", help="Licence slug.")
@click.option("--publish", is_flag=True, help="Publish at once instead of submitting for review.")
@with_appcontext
def ingest_command(paths, manifest, topics, doc_type, municipality, population, size_class, project, year,
                   license_, publish) -> None:
    """Ingest files and folders (recursively) with their metadata."""
    from .services.ingest import DocumentMetadata, MetadataError, validate_metadata
    from .services.manifest import ManifestError, plan_ingest
    from .services.vocabularies import UnknownSlugError

    defaults = DocumentMetadata(
        topics=_split_topics(topics), type=doc_type, municipality=municipality, population=population,
        size_class=size_class, project=project, year=year, license=license_,
    )
    try:
        validate_metadata(defaults)
        items = plan_ingest(paths, manifest, defaults)
    except (UnknownSlugError, MetadataError, ManifestError) as exc:
        raise click.UsageError(str(exc)) from None
    if not items:
        raise click.UsageError("Keine Dateien gefunden.")
    outcomes = _ingest_with_progress(items, publish=publish)
    if any(outcome.failed for outcome in outcomes):
        sys.exit(1)


def _ingest_with_progress(items, *, publish: bool):
    """Run the batch with a progress bar on a terminal, then print the summary."""
    from .services.ingest import OUTCOME_DUPLICATE, OUTCOME_FAILED, OUTCOME_INGESTED, ingest_files

    if sys.stderr.isatty():
        with click.progressbar(length=len(items), label="Importiere", file=sys.stderr,
                               show_pos=True, show_eta=True) as bar:
            outcomes = ingest_files(items, publish=publish, on_progress=lambda outcome: bar.update(1),
                                    bulk_index=True)
    else:
        # Logs and pipes get the summary only, not a bar's carriage returns.
        outcomes = ingest_files(items, publish=publish, bulk_index=True)
    ingested = [o for o in outcomes if o.status == OUTCOME_INGESTED]
    duplicates = [o for o in outcomes if o.status == OUTCOME_DUPLICATE]
    failed = [o for o in outcomes if o.status == OUTCOME_FAILED]
    by_status: dict[str, int] = {}
    for outcome in ingested:
        by_status[outcome.extraction_status or "?"] = by_status.get(outcome.extraction_status or "?", 0) + 1
    details = ", ".join(f"{status}: {count}" for status, count in sorted(by_status.items()))
    click.echo(f"Importiert: {len(ingested)}" + (f" (Textextraktion {details})" if details else ""))
    for outcome in ingested:
        if outcome.extraction_status not in (None, "ok"):
            click.echo(f"  Hinweis {outcome.source}: {render(outcome.message)}")
    click.echo(f"Duplikate: {len(duplicates)}")
    for outcome in duplicates:
        click.echo(f"  {outcome.source}: {render(outcome.message)}")
    click.echo(f"Fehlgeschlagen: {len(failed)}")
    for outcome in failed:
        click.echo(f"  {outcome.source}: {render(outcome.message)}")
    return outcomes


@cli.command("migrate")
def migrate_command() -> None:
    """Bring the database to the current schema and seed empty vocabularies, then end.

    Every command does this before its own work; this one does nothing else, for the one-shot
    step before the web servers start (compose's ``migrate`` service, systemd's ExecStartPre).
    """
    click.echo("Datenbank auf dem neuesten Stand.")


@cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load the demo corpus into an empty repository.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Generate the German demo corpus and ingest it as published documents."""
    from .services.demo import repository_is_empty

    if if_empty and not repository_is_empty():
        click.echo("Das Repository enthält bereits Dokumente; das Demo-Korpus wird nicht geladen.")
        return
    from .services.demo import demo_ingest_items

    with demo_ingest_items() as items:
        outcomes = _ingest_with_progress(items, publish=True)
    if any(outcome.failed for outcome in outcomes):
        sys.exit(1)


@cli.group("places")
def places_group() -> None:
    """Municipalities: keys and populations from official directories."""


@places_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def places_import_command(file: Path) -> None:
    """Set Regionalschlüssel, Land, Kreis and population from Destatis' Gemeindeverzeichnis
    (GV100AD text, or the GV-ISys table as XLSX or CSV)."""
    from .services.places_import import PlacesImportError, places_import, read_directory

    try:
        with _progress_bar("Lese Gemeindeverzeichnis") as advance:
            directory = read_directory(file, progress=advance)
    except PlacesImportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Gelesen ({directory.layout}): {directory.gemeinden} Gemeinden, {directory.kreise} Kreise")
    report = places_import(directory.places)
    click.echo(f"Zugeordnet: {report.matched} (aktualisiert {len(report.updated)}, "
               f"unverändert {len(report.unchanged)})")
    click.echo(f"Aktualisiert: {len(report.updated)}")
    for name in report.updated:
        click.echo(f"  {name}")
    click.echo(f"Unverändert: {len(report.unchanged)}")
    click.echo(f"Nicht zugeordnet: {len(report.ambiguous) + len(report.not_found)}")
    click.echo(f"Mehrdeutig (bitte Land eintragen): {len(report.ambiguous)}")
    for line in report.ambiguous:
        click.echo(f"  {line}")
    click.echo(f"Nicht im Verzeichnis gefunden: {len(report.not_found)}")
    for name in report.not_found:
        click.echo(f"  {name}")
    for name in report.manual_size_class_kept:
        click.echo(f"Hinweis {name}: Größenklasse von Hand gesetzt, bleibt.")


# --- accounts --------------------------------------------------------------------------------


@cli.command("create-user")
@click.argument("email")
@click.option("--role", required=True, help="contributor, editor or admin.")
@click.option("--name", help="Display name.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input instead of printing an invitation link.")
@click.option("--base-url", help="Public address for the link (default: TOOLBOX_BASE_URL).")
@with_appcontext
def create_user_command(email: str, role: str, name: str | None, password_stdin: bool, base_url: str | None) -> None:
    """Create an account, e.g. the first admin; mails it a one-time link to set the password
    and prints the link too (the mail waits for `toolbox worker`; the first admin may have none)."""
    from .services.account_mail import invitation_mail
    from .services.users import AccountError, invitation_create, user_create
    from .urls import invitation_url

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = user_create(email, role, password=password, name=name)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Konto angelegt / account created: {user.email} ({user.role})")
    if password is not None:
        return
    token = invitation_create(user)
    link = invitation_url(token, base=base_url)
    days = current_app.config.get("TOOLBOX_INVITATION_DAYS") or 7
    invitation_mail(user, token, base=base_url)
    click.echo(f"Einladung per E-Mail an {user.email} in den Postausgang gelegt; `toolbox worker` verschickt sie "
               f"/ invitation queued for mailing to {user.email}; `toolbox worker` sends it.")
    click.echo(f"Einmaliger Link zum Setzen des Passworts (gültig {days} Tage) / one-time link to set the password:")
    click.echo(link)


# --- search index ------------------------------------------------------------------------------


@cli.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from the database (searches keep working meanwhile)."""
    import contextlib

    from . import search

    show_progress = sys.stderr.isatty()
    with contextlib.ExitStack() as stack:
        bars = []

        def advance(done: int, total: int) -> None:
            if not show_progress:
                return
            if not bars:
                bars.append(stack.enter_context(click.progressbar(
                    length=max(total, 1), label="Indexiere", file=sys.stderr, show_pos=True, show_eta=True)))
            bars[0].update(done - bars[0].pos)

        count = search.reindex(progress=advance)
    click.echo(f"Index neu aufgebaut: {count} Dokumente.")


@cli.command("check-index")
@click.option("--repair", is_flag=True, help="Fix the drift that was found.")
@with_appcontext
def check_index_command(repair: bool) -> None:
    """Report documents missing from, stale in or orphaned in the search index."""
    from . import search

    report = search.check_index(repair=repair)
    for label, ids in (("Fehlend", report.missing), ("Veraltet", report.stale), ("Verwaist", report.orphaned)):
        click.echo(f"{label}: {len(ids)}" + (f" ({', '.join(map(str, ids))})" if ids else ""))
    if report.ok:
        click.echo("Index und Datenbank stimmen überein.")
    elif report.repaired:
        click.echo("Abweichungen behoben.")
    else:
        click.echo("Abweichungen gefunden; beheben mit: toolbox check-index --repair")
        sys.exit(1)


@cli.command("check")
@click.option("--repair", is_flag=True,
              help="Fix what is safe: remove leftovers, quarantine stray blobs, mark lost files, repair the index.")
@with_appcontext
def check_command(repair: bool) -> None:
    """Check database, stored files and search index against each other."""
    from .services.consistency import KIND_LABELS, consistency_check

    with _progress_bar("Prüfe Dateien") as advance:
        report = consistency_check(repair=repair, progress=advance)
    shown = 20
    for kind, found, repaired in report.counts():
        click.echo(f"{KIND_LABELS[kind]}: {found}" + (f" (behoben: {repaired})" if repaired else ""))
        findings = [f for f in report.findings if f.kind == kind]
        for finding in findings[:shown]:
            state = "behoben" if finding.repaired else finding.note
            click.echo(f"  {finding.subject}" + (f" – {state}" if state else ""))
        if len(findings) > shown:
            click.echo(f"  … und {len(findings) - shown} weitere")
    for note in report.notes:
        click.echo(f"Hinweis: {note}")
    stuck_left = _check_jobs(repair)
    remaining = len(report.remaining) + stuck_left
    if not report.findings and not remaining:
        click.echo("Keine Probleme gefunden: Datenbank, Dateien und Suchindex stimmen überein.")
    elif not remaining:
        click.echo("Alle Probleme behoben.")
    else:
        hint = "" if repair else "; beheben, was sicher geht, mit: toolbox check --repair"
        click.echo(f"Verbleibende Probleme: {remaining}{hint}")
        sys.exit(1)


def _check_jobs(repair: bool) -> int:
    """Report background jobs older than their limit; with ``repair`` queue them again.

    Returns how many stuck jobs are left.
    """
    from .services.jobs import jobs_repair, jobs_stuck

    stuck = jobs_stuck()
    click.echo(f"Hängende Aufträge: {len(stuck)}" + (" (erneut eingereiht)" if stuck and repair else ""))
    for job in stuck[:20]:
        state = "läuft" if job.state == "running" else "wartet"
        click.echo(f"  Auftrag {job.id} ({job.kind}, Dokument {job.document_id}): {state} seit "
                   f"{int(job.age_seconds)} s, Grenze {job.limit_seconds} s")
    if stuck and repair:
        jobs_repair(stuck)
        return 0
    return len(stuck)


# --- background jobs -------------------------------------------------------------------------


@cli.command("previews")
@click.option("--rebuild", is_flag=True, help="Make every preview again, not only the missing ones.")
@with_appcontext
def previews_command(rebuild: bool) -> None:
    """Make the first-page thumbnails and the text previews by page, sheet or slide of all
    documents (derived files, outside the blob store)."""
    from .services.previews import previews_rebuild
    from .services.text_preview import text_previews_rebuild

    with _progress_bar("Vorschaubilder") as advance:
        made, missing = previews_rebuild(rebuild=rebuild, progress=advance)
    click.echo(f"Vorschaubilder erstellt: {made}; ohne Vorschaubild: {missing}")
    with _progress_bar("Textvorschauen") as advance:
        made, missing = text_previews_rebuild(rebuild=rebuild, progress=advance)
    click.echo(f"Textvorschauen nach Seiten, Tabellenblättern oder Folien erstellt: {made}; nicht lesbar: {missing}")


@cli.command("worker")
@click.option("--threads", type=click.IntRange(1, 64), help="Worker threads (default TOOLBOX_WORKER_THREADS).")
@with_appcontext
def worker_command(threads: int | None) -> None:
    """Run the background jobs (OCR of scans): Huey's consumer on TOOLBOX_QUEUE_URL.

    Stop with Ctrl-C (finishes the running jobs) or SIGTERM (at once; interrupted jobs run
    again at the next start).
    """
    from .derived import derived_store
    from .extract.ocr import ocr_availability
    from .jobs.queue import describe
    from .jobs.worker import consumer_for, prepare_worker

    # Huey's own lines (consumer started, task executed, errors) on the terminal: they are the
    # worker's log; the toolbox's notes go to instance/toolbox.log as for every command.
    huey_log = logging.getLogger("huey")
    if app_json_logs := bool(current_app.config.get("TOOLBOX_JSON_LOGS")):
        huey_log.setLevel(logging.INFO)  # its lines reach the JSON handler of the root logger
    if not huey_log.handlers and not app_json_logs:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        huey_log.addHandler(handler)
        huey_log.setLevel(logging.INFO)
    app = current_app._get_current_object()
    derived_store().sweep_temporary()
    sent = prepare_worker(app)
    availability = ocr_availability()
    ocr = "bereit" if availability.available else "nicht verfügbar (fehlt: " + ", ".join(availability.missing) + ")"
    click.echo(f"Worker für {describe(app)}; {sent} wartende Aufträge eingereiht; Texterkennung {ocr}.")
    if address := app.config.get("TOOLBOX_WORKER_METRICS"):
        from .metrics import serve_worker_metrics

        try:
            server = serve_worker_metrics(str(address))
        except (ValueError, OSError) as exc:
            raise click.ClickException(f"TOOLBOX_WORKER_METRICS={address}: Metriken nicht bereitstellbar ({exc}).")
        host, port = server.server_address[:2]
        click.echo(f"Metriken des Workers auf http://{host}:{port}/metrics")
    consumer_for(app, threads).run()


# --- backup ----------------------------------------------------------------------------------


@cli.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Back up the database and the stored files into DIRECTORY (new or empty); not the index."""
    from .services.backup import BackupError, backup_create

    try:
        with _progress_bar("Sichere Dateien") as advance:
            summary = backup_create(directory, progress=advance)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(summary.rows.values())
    click.echo(f"Sicherung in {summary.path}: {len(summary.rows)} Tabellen mit {rows} Zeilen, "
               f"{summary.blobs} Dateien ({summary.blob_bytes} Byte), Datenbankstand {summary.revision}.")
    if summary.missing_blobs:
        click.echo(f"Fehlende oder beschädigte Dateien, nicht gesichert: {len(summary.missing_blobs)}")
        for sha256 in summary.missing_blobs:
            click.echo(f"  {sha256}")
        click.echo("Prüfen mit: toolbox check")
        sys.exit(1)


@cli.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a repository that already has content.")
@with_appcontext
def restore_command(directory: Path, force: bool) -> None:
    """Restore database and stored files from DIRECTORY and rebuild the index.

    Stop the web server first: the database is replaced as a whole.
    """
    from .services.backup import BackupError, backup_restore

    try:
        with _progress_bar("Prüfe Sicherung") as advance:
            summary = backup_restore(directory, force=force, progress=advance)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(summary.rows.values())
    click.echo(f"Wiederhergestellt: {len(summary.rows)} Tabellen mit {rows} Zeilen, {summary.blobs} Dateien "
               f"(Datenbankstand {summary.revision}); Suchindex neu aufgebaut: {summary.indexed} Dokumente.")
    if summary.quarantined:
        click.echo(f"Vorher gespeicherte Dateien, die nicht in der Sicherung sind, in Quarantäne: "
                   f"{len(summary.quarantined)} ({os.path.dirname(str(summary.quarantined[0]))})")

@contextlib.contextmanager
def _progress_bar(label: str):
    """``advance(done, total)`` draws a bar on a terminal and does nothing elsewhere."""
    show = sys.stderr.isatty()
    with contextlib.ExitStack() as stack:
        bars = []

        def advance(done: int, total: int) -> None:
            if not show or not total:
                return
            if not bars:
                bars.append(stack.enter_context(click.progressbar(
                    length=total, label=label, file=sys.stderr, show_pos=True, show_eta=True)))
            bars[0].update(done - bars[0].pos)

        yield advance
