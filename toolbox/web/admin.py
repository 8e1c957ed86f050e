"""Editorial pages under /admin: dashboard, review queue, documents, trash, curation."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..models import DOCUMENT_STATUSES, ROLE_ADMIN, ROLE_EDITOR, Document, Municipality, Project
from ..permissions import has_role, role_required
from ..i18n import current_locale_name
from ..services import curation, dashboard, dcat, pending_changes, review, synonyms
from ..services.contribute import stored_privacy_report
from ..services.dcat_vocabularies import DATA_THEMES
from ..services.documents import file_version_get
from ..services import downloads
from ..services.vocabularies import VOCABULARY_NAMES_DE, vocabulary_entries
from .actions import button_action, confirm_page, documents_moved
from .files import send_download
from .document_forms import (
    ActionForm,
    DcatLicenseForm,
    DcatThemeForm,
    EmptyTrashForm,
    MergeForm,
    MoveForm,
    MunicipalityForm,
    ProjectForm,
    RejectForm,
    SynonymForm,
    VocabularyCreateForm,
    VocabularyRenameForm,
)

# Every page here is for editors; visitors are sent to the login page.
bp = role_required(ROLE_EDITOR)(Blueprint("admin", __name__, url_prefix="/admin"))

VOCABULARIES = "any(topic, type, size_class, license)"
PREVIEW_CHARS = 2000


def _user():
    return current_user._get_current_object()


def _document_or_404(document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    return document


@bp.app_template_global()
def review_waiting() -> int:
    """The count beside "Prüfung" in the editors' navigation (called only where that is shown)."""
    return review.review_queue_count(_user())


# --- dashboard and review --------------------------------------------------------------------


@bp.get("")
@bp.get("/")
def dashboard_page():
    """Show documents per status, topic and size class, downloads and extraction failures."""
    return render_template("admin/dashboard.html", board=dashboard.dashboard_stats(_user()))


@bp.get("/review")
def review_queue():
    """Show the submitted documents and the waiting changes of published ones, with what they reveal."""
    return _render_review()


def _render_review(failed_reject: tuple[int, RejectForm] | None = None, status: int = 200):
    documents = review.review_queue(_user())
    changes = pending_changes.changes_waiting(_user())
    locale = current_locale_name()
    change_reject_forms = {c.document_id: RejectForm(prefix=f"c{c.document_id}", formdata=None) for c in changes}
    if failed_reject is not None:
        change_reject_forms[failed_reject[0]] = failed_reject[1]
    return render_template(
        "admin/review.html",
        documents=documents,
        reports={d.id: stored_privacy_report(d.current_version) for d in documents if d.current_version},
        changes=changes,
        change_rows={c.id: pending_changes.change_rows(c, locale) for c in changes},
        change_files={c.id: pending_changes.change_file(c) for c in changes},
        change_reject_forms=change_reject_forms,
        preview_chars=PREVIEW_CHARS,
        publish_form=ActionForm(),
        reject_forms={d.id: RejectForm(prefix=f"d{d.id}", formdata=None) for d in documents},
    ), status


@bp.post("/documents/<int:document_id>/change/accept")
def change_accept(document_id: int):
    """Make a waiting change of a published document public."""
    document = _document_or_404(document_id)
    return button_action(lambda: pending_changes.change_accept(_user(), document),
                         _("Die Änderung an „%(title)s“ ist freigegeben und öffentlich sichtbar.", title=document.title),
                         _next_url(url_for(".review_queue")))


@bp.post("/documents/<int:document_id>/change/reject")
def change_reject(document_id: int):
    """Refuse a waiting change with a reason; the published state stays."""
    document = _document_or_404(document_id)
    return _reject_with_reason(
        RejectForm(prefix=f"c{document.id}"), lambda reason: pending_changes.change_reject(_user(), document, reason),
        _("Die Änderung an „%(title)s“ ist abgelehnt; die Projektleitung sieht den Grund.", title=document.title),
        url_for(".review_queue"), lambda form: _render_review(failed_reject=(document.id, form), status=400))


def _reject_with_reason(form: RejectForm, run, done: str, refused_back: str, again):
    """A rejection: the reason must be given (else ``again(form)`` shows the form with the error,
    400); a refusal of the service goes back to ``refused_back``; success to the ``next`` page."""
    if form.validate_on_submit():
        try:
            run(form.reason.data)
        except review.WorkflowError as exc:
            if exc.field != "reason":
                flash(str(exc), "error")
                return redirect(refused_back)
            form.reason.errors = list(form.reason.errors) + [str(exc)]
        else:
            flash(done, "success")
            return redirect(_next_url(url_for(".review_queue")))
    return again(form)


@bp.get("/documents/<int:document_id>/change/download")
def change_download(document_id: int):
    """Send the new file of a waiting change for review (not counted as a download)."""
    change = _document_or_404(document_id).pending_change
    file = pending_changes.change_file(change) if change is not None and change.waiting else None
    return _send_for_review(file)


@bp.get("/documents")
def documents():
    """List every document, optionally of one status."""
    status = request.args.get("status") or None
    if status not in (None, *DOCUMENT_STATUSES):
        status = None
    return render_template(
        "admin/documents.html",
        documents=review.documents_list(_user(), status),
        status=status,
        statuses=DOCUMENT_STATUSES,
        status_label=review.status_label,
    )


@bp.get("/documents/<int:document_id>")
def document_detail(document_id: int):
    """Show a document in any status with its versions, text preview and actions."""
    document = _document_or_404(document_id)
    return _render_document(document)


def _render_document(document: Document, reject_form: RejectForm | None = None, status: int = 200):
    from ..models import AuditEntry
    from sqlalchemy import select

    history = list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "document", AuditEntry.object_id == document.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(50)
    ))
    return render_template(
        "admin/document.html",
        document=document,
        version=document.current_version,
        report=stored_privacy_report(document.current_version) if document.current_version else None,
        preview_chars=PREVIEW_CHARS,
        action_form=ActionForm(),
        reject_form=reject_form or RejectForm(prefix=f"d{document.id}", formdata=None),
        status_label=review.status_label,
        history=history,
        is_admin=has_role(current_user, ROLE_ADMIN),
        catalog_gaps=[_(dcat.GAP_LABELS[code]) for code in dcat.dataset_gaps(document)],
    ), status


@bp.post("/documents/<int:document_id>/publish")
def document_publish(document_id: int):
    """Publish a submitted document."""
    document = _document_or_404(document_id)
    return button_action(lambda: review.document_publish(_user(), document),
                         _("„%(title)s“ ist veröffentlicht.", title=document.title),
                         _next_url(url_for(".review_queue")))


@bp.post("/documents/<int:document_id>/reject")
def document_reject(document_id: int):
    """Reject a document with a reason the contributor sees."""
    document = _document_or_404(document_id)
    return _reject_with_reason(
        RejectForm(prefix=f"d{document.id}"), lambda reason: review.document_reject(_user(), document, reason),
        _("„%(title)s“ ist abgelehnt; die Projektleitung sieht den Grund.", title=document.title),
        url_for(".document_detail", document_id=document.id),
        lambda form: _render_document(document, reject_form=form, status=400))


@bp.get("/documents/<int:document_id>/trash")
def document_trash_confirm(document_id: int):
    """Say what moving to the trash does before it is done."""
    document = _document_or_404(document_id)
    impact = []
    if document.status == "published":
        impact.append(_("„%(title)s“ ist dann nicht mehr öffentlich sichtbar und wird in der Suche nicht mehr "
                        "gefunden.", title=document.title))
    impact.append(_("Es kann aus dem Papierkorb wiederhergestellt werden, bis eine Administratorin oder ein "
                    "Administrator den Papierkorb leert."))
    return confirm_page(_("„%(title)s“ in den Papierkorb legen?", title=document.title), impact,
                        url_for(".document_trash", document_id=document.id), _("In den Papierkorb"),
                        url_for(".document_detail", document_id=document.id))


@bp.post("/documents/<int:document_id>/trash")
def document_trash(document_id: int):
    """Move a document to the trash."""
    document = _document_or_404(document_id)
    return button_action(lambda: review.document_trash(_user(), document),
                         _("„%(title)s“ liegt im Papierkorb und kann dort wiederhergestellt werden.",
                           title=document.title),
                         url_for(".document_detail", document_id=document.id))


@bp.post("/documents/<int:document_id>/restore")
def document_restore(document_id: int):
    """Take a document out of the trash with its former status."""
    document = _document_or_404(document_id)
    return button_action(lambda: review.document_restore(_user(), document),
                         lambda _result: _("„%(title)s“ ist wiederhergestellt (%(status)s).", title=document.title,
                                           status=review.status_label(document.status)),
                         _next_url(url_for(".trash")))


@bp.get("/documents/<int:document_id>/versions/<int:number>/download")
def version_download(document_id: int, number: int):
    """Send a stored version of any document for review (not counted as a download)."""
    return _send_for_review(file_version_get(_document_or_404(document_id), number))


def _send_for_review(version):
    download = downloads.version_download(version)
    if download is None:
        abort(404)
    return send_download(download)


@bp.get("/trash")
def trash():
    """List the documents in the trash."""
    return render_template(
        "admin/trash.html",
        documents=review.trash_list(_user()),
        action_form=ActionForm(),
        empty_form=EmptyTrashForm(formdata=None),
        is_admin=has_role(current_user, ROLE_ADMIN),
        status_label=review.status_label,
    )


@bp.post("/trash/empty")
@role_required(ROLE_ADMIN)
def trash_empty():
    """Delete everything in the trash for good (admins only)."""
    form = EmptyTrashForm()
    if not form.validate_on_submit():
        return render_template(
            "admin/trash.html", documents=review.trash_list(_user()), action_form=ActionForm(), empty_form=form,
            is_admin=True, status_label=review.status_label,
        ), 400
    count = review.trash_empty(_user())
    flash(_("Der Papierkorb ist geleert: %(count)s Dokument(e) endgültig gelöscht.", count=count), "success")
    return redirect(url_for(".trash"))


def _next_url(default: str) -> str:
    # Only our own pages, by the same rule as the login's ``next``.
    from .auth import safe_next

    return safe_next(request.form.get("next")) or default


# --- vocabularies ----------------------------------------------------------------------------


@bp.get("/vocabularies")
def vocabularies():
    """Lead to the four vocabularies."""
    return redirect(url_for(".vocabulary", vocabulary="topic"))


@bp.route(f"/vocabularies/<{VOCABULARIES}:vocabulary>", methods=["GET", "POST"])
def vocabulary(vocabulary: str):
    """List a vocabulary's entries in order; create a new one."""
    form = VocabularyCreateForm()
    if form.validate_on_submit():
        try:
            entry = curation.vocabulary_entry_create(_user(), vocabulary, form.label_de.data, form.label_en.data,
                                                     form.slug.data or None)
        except curation.CurationError as exc:
            _field_error(form, exc)
        else:
            flash(_("„%(label)s“ ist angelegt (Kürzel „%(slug)s“).", label=entry.label_de, slug=entry.slug), "success")
            return redirect(url_for(".vocabulary", vocabulary=vocabulary))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/vocabulary.html",
        vocabulary=vocabulary,
        title=curation.VOCABULARY_TITLES[vocabulary],
        titles=curation.VOCABULARY_TITLES,
        entries=vocabulary_entries(vocabulary),
        usage=curation.vocabulary_usage(vocabulary),
        form=form,
        move_form=MoveForm(formdata=None),
    ), status


@bp.route(f"/vocabularies/<{VOCABULARIES}:vocabulary>/<int:entry_id>", methods=["GET", "POST"])
def vocabulary_entry(vocabulary: str, entry_id: int):
    """Rename an entry (the slug stays); deactivate or merge it."""
    entry = _entry_or_404(vocabulary, entry_id)
    form = VocabularyRenameForm(obj=entry if request.method == "GET" else None, entry=entry)
    if form.validate_on_submit():
        try:
            curation.vocabulary_entry_rename(_user(), vocabulary, entry.id, form.label_de.data, form.label_en.data)
        except curation.CurationError as exc:
            _field_error(form, exc)
        else:
            flash(_("Gespeichert: „%(name)s“.", name=entry.label_de), "success")
            return redirect(url_for(".vocabulary", vocabulary=vocabulary))
    return _render_entry(vocabulary, entry, form=form, status=400 if request.method == "POST" else 200)


@bp.post(f"/vocabularies/<{VOCABULARIES}:vocabulary>/<int:entry_id>/dcat")
@role_required(ROLE_ADMIN)
def vocabulary_entry_dcat(vocabulary: str, entry_id: int):
    """Set what the DCAT-AP.de catalogue says for a topic (EU data theme) or a licence (its URI)."""
    entry = _entry_or_404(vocabulary, entry_id)
    if vocabulary not in curation.DCAT_ATTRIBUTES:
        abort(404)
    dcat_form = _dcat_form(vocabulary, entry, formdata=request.form)
    if dcat_form.validate_on_submit():
        field = getattr(dcat_form, curation.DCAT_ATTRIBUTES[vocabulary])
        try:
            curation.vocabulary_entry_dcat_set(_user(), vocabulary, entry.id, field.data)
        except curation.CurationError as exc:
            _field_error(dcat_form, exc)
        else:
            flash(_("Gespeichert: „%(name)s“.", name=entry.label_de), "success")
            return redirect(url_for(".vocabulary_entry", vocabulary=vocabulary, entry_id=entry.id))
    return _render_entry(vocabulary, entry, dcat_form=dcat_form, status=400)


def _dcat_form(vocabulary: str, entry, formdata=None):
    """The admins' form for the entry's DCAT-AP.de counterpart, or None for the other vocabularies."""
    if vocabulary == "topic":
        form = DcatThemeForm(formdata=formdata, data={"data_theme": entry.data_theme or ""})
        form.data_theme.choices = [("", _("– kein Datenthema –"))] + [
            (code, f"{_(label)} ({code})") for code, label in DATA_THEMES.items()]
        return form
    if vocabulary == "license":
        return DcatLicenseForm(formdata=formdata, data={"dcat_license": entry.dcat_license or ""})
    return None


def _render_entry(vocabulary, entry, *, form=None, merge_form=None, dcat_form=None, status=200):
    merge_form = merge_form or MergeForm(formdata=None)
    merge_form.target.choices = [("", _("– bitte wählen –"))] + [
        (str(e.id), e.label_de + ("" if e.active else " " + _("(deaktiviert)")))
        for e in vocabulary_entries(vocabulary) if e.id != entry.id
    ]
    return render_template(
        "admin/vocabulary_entry.html",
        vocabulary=vocabulary,
        vocabulary_name=VOCABULARY_NAMES_DE[vocabulary],
        title=curation.VOCABULARY_TITLES[vocabulary],
        entry=entry,
        usage=curation.vocabulary_usage(vocabulary).get(entry.id, 0),
        form=form or VocabularyRenameForm(obj=entry, formdata=None, entry=entry),
        merge_form=merge_form,
        action_form=ActionForm(),
        dcat_form=(dcat_form or _dcat_form(vocabulary, entry)) if has_role(current_user, ROLE_ADMIN) else None,
    ), status


def _entry_or_404(vocabulary: str, entry_id: int):
    try:
        return curation.vocabulary_entry_get(vocabulary, entry_id)
    except curation.CurationError:
        abort(404)


@bp.post(f"/vocabularies/<{VOCABULARIES}:vocabulary>/<int:entry_id>/move")
def vocabulary_entry_move(vocabulary: str, entry_id: int):
    """Move an entry one place up or down."""
    _entry_or_404(vocabulary, entry_id)
    form = MoveForm()
    if not form.validate_on_submit() or form.direction.data not in ("up", "down"):
        abort(400)
    curation.vocabulary_entry_move(_user(), vocabulary, entry_id, -1 if form.direction.data == "up" else 1)
    return redirect(url_for(".vocabulary", vocabulary=vocabulary) + f"#entry-{entry_id}")


@bp.post(f"/vocabularies/<{VOCABULARIES}:vocabulary>/<int:entry_id>/active")
def vocabulary_entry_active(vocabulary: str, entry_id: int):
    """Deactivate an active entry or reactivate an inactive one."""
    entry = _entry_or_404(vocabulary, entry_id)

    def done(entry) -> str:
        if entry.active:
            return _("„%(label)s“ ist wieder aktiv.", label=entry.label_de)
        return _("„%(label)s“ ist deaktiviert: in Formularen nicht mehr wählbar, bei Dokumenten bleibt er.",
                 label=entry.label_de)

    return button_action(lambda: curation.vocabulary_entry_set_active(_user(), vocabulary, entry.id, not entry.active),
                         done, url_for(".vocabulary_entry", vocabulary=vocabulary, entry_id=entry.id))


@bp.post(f"/vocabularies/<{VOCABULARIES}:vocabulary>/<int:entry_id>/merge")
def vocabulary_entry_merge(vocabulary: str, entry_id: int):
    """Merge an entry into another: its documents move, its slug redirects."""
    entry = _entry_or_404(vocabulary, entry_id)
    form = MergeForm()
    form.target.choices = [(str(e.id), e.label_de) for e in vocabulary_entries(vocabulary) if e.id != entry.id]
    if form.validate_on_submit():
        source_label = entry.label_de
        target_id = int(form.target.data)
        if not form.confirmed.data:
            target = curation.vocabulary_entry_get(vocabulary, target_id)
            usage = curation.vocabulary_usage(vocabulary).get(entry.id, 0)
            return confirm_page(
                _("„%(source)s“ in „%(target)s“ zusammenführen?", source=source_label, target=target.label_de),
                [documents_moved(usage, source_label, target.label_de),
                 _("„%(source)s“ wird gelöscht; Adressen mit dem Kürzel „%(slug)s“ leiten auf „%(target)s“ weiter.",
                   source=source_label, slug=entry.slug, target=target.label_de)],
                url_for(".vocabulary_entry_merge", vocabulary=vocabulary, entry_id=entry.id), _("Zusammenführen"),
                url_for(".vocabulary_entry", vocabulary=vocabulary, entry_id=entry.id),
                hidden={"target": target_id, "confirmed": "1"})
        try:
            moved = curation.vocabulary_entry_merge(_user(), vocabulary, entry.id, target_id)
        except curation.CurationError as exc:
            form.target.errors = list(form.target.errors) + [str(exc)]
        else:
            target = curation.vocabulary_entry_get(vocabulary, target_id)
            flash(_("„%(source)s“ ist in „%(target)s“ zusammengeführt; %(count)s Dokument(e) verschoben.",
                    source=source_label, target=target.label_de, count=moved),
                  "success")
            return redirect(url_for(".vocabulary", vocabulary=vocabulary))
    return _render_entry(vocabulary, entry, merge_form=form, status=400)


def _field_error(form, exc) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is None:
        field = next(iter(form))
        if field.name == "csrf_token":
            field = list(form)[1]
    field.errors = list(field.errors) + [str(exc)]


# --- search synonyms ---------------------------------------------------------------------------


@bp.route("/synonyms", methods=["GET", "POST"])
def synonyms_page():
    """List the search synonyms; add a group."""
    form = SynonymForm()
    if form.validate_on_submit():
        try:
            group = synonyms.synonym_group_create(_user(), form.terms.data, form.one_way.data)
        except synonyms.SynonymError as exc:
            form.terms.errors = list(form.terms.errors) + [str(exc)]
        else:
            flash(_("Angelegt: %(terms)s. Die Suche nutzt die Gruppe ab sofort.", terms=", ".join(group.terms)),
                  "success")
            return redirect(url_for(".synonyms_page") + f"#synonym-{group.id}")
    return render_template("admin/synonyms.html", groups=synonyms.synonym_groups(), form=form,
                           action_form=ActionForm()), 400 if request.method == "POST" else 200


def _synonym_or_404(group_id: int):
    group = synonyms.synonym_group_get(group_id)
    if group is None:
        abort(404)
    return group


@bp.route("/synonyms/<int:group_id>", methods=["GET", "POST"])
def synonym_edit(group_id: int):
    """Change a group's terms or direction."""
    group = _synonym_or_404(group_id)
    if request.method == "GET":
        form = SynonymForm(formdata=None, data={"terms": "\n".join(group.terms), "one_way": group.one_way})
    else:
        form = SynonymForm()
    if form.validate_on_submit():
        try:
            synonyms.synonym_group_update(_user(), group.id, form.terms.data, form.one_way.data)
        except synonyms.SynonymError as exc:
            form.terms.errors = list(form.terms.errors) + [str(exc)]
        else:
            flash(_("Gespeichert: %(terms)s.", terms=", ".join(group.terms)), "success")
            return redirect(url_for(".synonyms_page") + f"#synonym-{group.id}")
    return render_template("admin/synonym.html", group=group, form=form), 400 if request.method == "POST" else 200


@bp.post("/synonyms/<int:group_id>/delete")
def synonym_delete(group_id: int):
    """Delete a group after a confirmation step: its terms no longer find each other."""
    group = _synonym_or_404(group_id)
    terms = ", ".join(group.terms)
    if request.form.get("confirmed") != "1":
        if not ActionForm().validate_on_submit():
            abort(400)
        return confirm_page(
            _("Synonyme „%(terms)s“ löschen?", terms=terms),
            [_("Die Suche findet zu diesen Begriffen dann nur noch, was sie wörtlich enthält.")],
            url_for(".synonym_delete", group_id=group.id), _("Löschen"), url_for(".synonyms_page"),
            hidden={"confirmed": "1"})
    return button_action(lambda: synonyms.synonym_group_delete(_user(), group.id),
                         _("Gelöscht: %(terms)s.", terms=terms), url_for(".synonyms_page"))


# --- municipalities --------------------------------------------------------------------------


@bp.get("/municipalities")
def municipalities():
    """List municipalities with their size class and number of documents."""
    return render_template(
        "admin/municipalities.html",
        municipalities=curation.municipalities_list(),
        counts=curation.municipality_document_counts(),
    )


@bp.route("/municipalities/<int:municipality_id>", methods=["GET", "POST"])
def municipality_edit(municipality_id: int):
    """Correct a municipality's facts; its size class follows the population unless set."""
    municipality = db.session.get(Municipality, municipality_id) or abort(404)
    form = MunicipalityForm(obj=municipality if request.method == "GET" else None)
    form.fill_choices()
    if request.method == "GET":
        form.size_class.data = (municipality.size_class.slug
                                if municipality.size_class_manual and municipality.size_class else "")
    if form.validate_on_submit():
        try:
            curation.municipality_update(
                _user(), municipality, name=form.name.data, ags=form.ags.data, ars=form.ars.data,
                district=form.district.data,
                state=form.state.data, population=form.population.data, size_class=form.size_class.data or None,
            )
        except curation.CurationError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            flash(_("Gespeichert: „%(name)s“.", name=municipality.name), "success")
            return redirect(url_for(".municipalities"))
    return _render_municipality(municipality, form=form, status=400 if request.method == "POST" else 200)


def _render_municipality(municipality, *, form=None, merge_form=None, status=200):
    if form is None:
        form = MunicipalityForm(obj=municipality, formdata=None)
        form.fill_choices()
    merge_form = merge_form or MergeForm(formdata=None)
    merge_form.target.choices = [("", _("– bitte wählen –"))] + [
        (str(m.id), m.name) for m in curation.municipalities_list() if m.id != municipality.id
    ]
    return render_template(
        "admin/municipality.html", municipality=municipality, form=form, merge_form=merge_form,
        document_count=curation.municipality_document_counts().get(municipality.id, 0),
    ), status


@bp.post("/municipalities/<int:municipality_id>/merge")
def municipality_merge(municipality_id: int):
    """Merge a duplicate municipality into another."""
    municipality = db.session.get(Municipality, municipality_id) or abort(404)
    form = MergeForm()
    form.target.choices = [(str(m.id), m.name) for m in curation.municipalities_list() if m.id != municipality.id]
    if form.validate_on_submit():
        target = db.session.get(Municipality, int(form.target.data))
        source_name = municipality.name
        if not form.confirmed.data:
            count = curation.municipality_document_counts().get(municipality.id, 0)
            return confirm_page(
                _("„%(source)s“ in „%(target)s“ zusammenführen?", source=source_name, target=target.name),
                [documents_moved(count, source_name, target.name),
                 _("Die Projekte von „%(source)s“ gehören dann zu „%(target)s“; „%(source)s“ wird gelöscht, und "
                   "Suchen nach dem alten Namen finden „%(target)s“.", source=source_name, target=target.name)],
                url_for(".municipality_merge", municipality_id=municipality.id), _("Zusammenführen"),
                url_for(".municipality_edit", municipality_id=municipality.id),
                hidden={"target": target.id, "confirmed": "1"})
        try:
            moved = curation.municipality_merge(_user(), municipality, target)
        except curation.CurationError as exc:
            form.target.errors = list(form.target.errors) + [str(exc)]
        else:
            flash(_("„%(source)s“ ist in „%(target)s“ zusammengeführt; %(count)s Dokument(e) verschoben.",
                    source=source_name, target=target.name, count=moved), "success")
            return redirect(url_for(".municipality_edit", municipality_id=target.id))
    return _render_municipality(municipality, merge_form=form, status=400)


# --- projects --------------------------------------------------------------------------------


@bp.get("/projects")
def projects():
    """List projects with their municipality and number of documents."""
    return render_template("admin/projects.html", projects=curation.projects_list(),
                           counts=curation.project_document_counts())


@bp.route("/projects/<int:project_id>", methods=["GET", "POST"])
def project_edit(project_id: int):
    """Edit a project."""
    project = db.session.get(Project, project_id) or abort(404)
    form = ProjectForm(obj=project if request.method == "GET" else None)
    form.fill_choices(curation.municipalities_list())
    if request.method == "GET":
        form.municipality_id.data = str(project.municipality_id) if project.municipality_id else ""
    if form.validate_on_submit():
        raw = form.municipality_id.data or ""
        try:
            curation.project_update(
                _user(), project, name=form.name.data, municipality_id=int(raw) if raw.isdigit() else None,
                year_finished=form.year_finished.data, description=form.description.data,
                contact=form.contact.data, link=form.link.data,
            )
        except curation.CurationError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            flash(_("Gespeichert: „%(name)s“.", name=project.name), "success")
            return redirect(url_for(".projects"))
    return _render_project(project, form=form, status=400 if request.method == "POST" else 200)


def _render_project(project, *, form=None, merge_form=None, status=200):
    if form is None:
        form = ProjectForm(obj=project, formdata=None)
        form.fill_choices(curation.municipalities_list())
        form.municipality_id.data = str(project.municipality_id) if project.municipality_id else ""
    merge_form = merge_form or MergeForm(formdata=None)
    merge_form.target.choices = [("", _("– bitte wählen –"))] + _project_choices(exclude=project.id)
    return render_template(
        "admin/project.html", project=project, form=form, merge_form=merge_form,
        document_count=curation.project_document_counts().get(project.id, 0),
    ), status


def _project_choices(exclude: int) -> list[tuple[str, str]]:
    return [
        (str(p.id), f"{p.name} ({p.municipality.name})" if p.municipality else p.name)
        for p in curation.projects_list() if p.id != exclude
    ]


@bp.post("/projects/<int:project_id>/merge")
def project_merge(project_id: int):
    """Merge a duplicate project into another."""
    project = db.session.get(Project, project_id) or abort(404)
    form = MergeForm()
    form.target.choices = _project_choices(exclude=project.id)
    if form.validate_on_submit():
        target = db.session.get(Project, int(form.target.data))
        source_name = project.name
        if not form.confirmed.data:
            count = curation.project_document_counts().get(project.id, 0)
            return confirm_page(
                _("„%(source)s“ in „%(target)s“ zusammenführen?", source=source_name, target=target.name),
                [documents_moved(count, source_name, target.name),
                 _("„%(source)s“ wird gelöscht.", source=source_name)],
                url_for(".project_merge", project_id=project.id), _("Zusammenführen"),
                url_for(".project_edit", project_id=project.id), hidden={"target": target.id, "confirmed": "1"})
        try:
            moved = curation.project_merge(_user(), project, target)
        except curation.CurationError as exc:
            form.target.errors = list(form.target.errors) + [str(exc)]
        else:
            flash(_("„%(source)s“ ist in „%(target)s“ zusammengeführt; %(count)s Dokument(e) verschoben.",
                    source=source_name, target=target.name, count=moved), "success")
            return redirect(url_for(".project_edit", project_id=target.id))
    return _render_project(project, merge_form=form, status=400)

