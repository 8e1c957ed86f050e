"""Forms of the contribution and editorial pages, with German messages.

Every form is a FlaskForm and therefore carries a CSRF token; button-only actions use
``ActionForm``, which has nothing but the token.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import Municipality, Project
from ..services.ingest import DocumentMetadata
from ..services.vocabularies import vocabulary_entries

NEW_PROJECT = "new"

YEAR = NumberRange(min=1990, max=2100, message=_l("Bitte ein Jahr zwischen 1990 und 2100 angeben."))
POPULATION = NumberRange(min=0, max=100_000_000, message=_l("Bitte eine Einwohnerzahl von 0 oder mehr angeben."))


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "de")


class GermanIntegerField(IntegerField):
    """An integer field whose parse error is German whatever the locale setup."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].strip().replace(".", "").replace(" ", "")
        try:
            self.data = int(raw)
        except ValueError:
            self.data = None
            raise ValueError(_("Bitte eine ganze Zahl eingeben (z. B. 8000).")) from None

    def pre_validate(self, form):
        # "neunzehn" is not a number: say that once, not also that None is no year.
        if self.process_errors:
            raise StopValidation()


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        valid = {str(value) for value, _ in self.choices or []}
        for value in self.data or []:
            if str(value) not in valid:
                raise ValidationError(_("„%(value)s“ ist keine gültige Auswahl.", value=value))


class GermanSelectField(SelectField):
    def pre_validate(self, form):
        # Nothing chosen is the validators' business (DataRequired, validate_<field>), which say
        # what is missing; this check only refuses values that are not in the list.
        if self.data in (None, ""):
            return
        if str(self.data) not in {str(value) for value, *_ in self.choices or []}:
            raise ValidationError(_("Bitte einen Eintrag aus der Liste wählen."))


class Mandatory:
    """Marks a field as one that must be filled in (label, ``required``) whose check lives in the
    form's ``validate_<field>`` method, where it can say exactly what is missing."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


class ActionForm(FlaskForm):
    """A button: nothing but the CSRF token."""


class UploadFilesForm(FlaskForm):
    files = MultipleFileField(
        _l("Dateien"), validators=[Mandatory()],
        description=_l("PDF, Word, OpenDocument, Excel, PowerPoint, RTF, Text, Markdown, CSV oder Bild – mehrere "
                        "Dateien auf einmal sind möglich."),
    )

    def validate_files(self, field):
        chosen = [f for f in field.data or [] if getattr(f, "filename", "")]
        if not chosen:
            raise ValidationError(_("Bitte wählen Sie mindestens eine Datei aus."))
        field.data = chosen


class MetadataFields(FlaskForm):
    """The metadata of a document, shared by the upload's second step and the edit page."""

    description = TextAreaField(
        _l("Beschreibung"), validators=[Optional(), Length(max=5000, message=_l("Höchstens 5.000 Zeichen."))],
        description=_l("Worum geht es, wofür kann eine andere Kommune das Dokument nutzen?"),
    )
    topics = CheckboxListField(_l("Themenfelder"), coerce=str, validators=[Mandatory()])
    # No Optional() on type and licence: it would stop the chain before validate_type runs.
    type = GermanSelectField(_l("Dokumenttyp"), validators=[Mandatory()])
    project_choice = GermanSelectField(_l("Projekt"), validators=[Optional()])
    new_project = StringField(
        _l("Name des neuen Projekts"), validators=[Optional(), Length(max=300, message=_l("Höchstens 300 Zeichen."))]
    )
    project_year = GermanIntegerField(_l("Projekt abgeschlossen im Jahr"), validators=[Optional(), YEAR])
    municipality = StringField(
        _l("Kommune"), validators=[Optional(), Length(max=200, message=_l("Höchstens 200 Zeichen."))],
        description=_l("Name der Kommune, des Landkreises oder des Verbunds, z. B. „Hansestadt Lübeck“."),
    )
    population = GermanIntegerField(
        _l("Einwohnerzahl"), validators=[Optional(), POPULATION],
        description=_l("Daraus ergibt sich die Größenklasse. Nur nötig, wenn die Kommune neu ist."),
    )
    size_class = GermanSelectField(
        _l("Größenklasse"), validators=[Optional()],
        description=_l("Nur für Landkreise und Verbünde oder ohne Einwohnerzahl."),
    )
    year = GermanIntegerField(_l("Jahr des Dokuments"), validators=[Optional(), YEAR])
    license = GermanSelectField(_l("Lizenz"), validators=[Mandatory()])
    contact = StringField(
        _l("Kontakt"), validators=[Optional(), Length(max=300, message=_l("Höchstens 300 Zeichen."))],
        description=_l("Stelle oder Funktionspostfach für Rückfragen, z. B. digitalisierung@kommune.de."),
    )

    def fill_choices(self, projects: list[Project], document=None) -> None:
        """Active vocabulary entries, plus the inactive ones the document already has, and
        ``projects`` (the ones the user may be offered) to choose from."""
        keep = set()
        if document is not None:
            keep = {t.slug for t in document.topics}
            keep |= {e.slug for e in (document.document_type, document.license) if e is not None}
            if document.municipality is not None and document.municipality.size_class is not None:
                keep.add(document.municipality.size_class.slug)

        def choices(vocabulary: str, empty: str | None):
            entries = [e for e in vocabulary_entries(vocabulary) if e.active or e.slug in keep]
            options = [(e.slug, e.label(_locale())) for e in entries]
            return ([("", empty)] if empty is not None else []) + options

        self.topics.choices = choices("topic", None)
        self.type.choices = choices("type", _("– bitte wählen –"))
        self.size_class.choices = choices("size_class", _("– aus der Einwohnerzahl –"))
        self.license.choices = choices("license", _("– bitte wählen –"))
        options = sorted(
            ((str(p.id), f"{p.name} ({p.municipality.name})" if p.municipality else p.name) for p in projects),
            key=lambda item: item[1].casefold(),
        )
        self.project_choice.choices = [("", _("– kein Projekt –")), (NEW_PROJECT, _("Neues Projekt anlegen …"))] + options

    def validate_new_project(self, field):
        if self.project_choice.data == NEW_PROJECT and not (field.data or "").strip():
            raise ValidationError(_("Bitte geben Sie den Namen des neuen Projekts an."))

    def validate_topics(self, field):
        if not field.data:
            raise ValidationError(_("Bitte wählen Sie mindestens ein Themenfeld."))

    def validate_type(self, field):
        if not field.data:
            raise ValidationError(_("Bitte wählen Sie einen Dokumenttyp."))

    def validate_license(self, field):
        if not field.data:
            raise ValidationError(_("Bitte wählen Sie eine Lizenz."))

    def metadata(self, title: str | None = None) -> DocumentMetadata:
        choice = self.project_choice.data or ""
        return DocumentMetadata(
            title=title,
            description=(self.description.data or "").strip() or None,
            topics=list(self.topics.data or []),
            type=self.type.data or None,
            municipality=(self.municipality.data or "").strip() or None,
            population=self.population.data,
            size_class=self.size_class.data or None,
            project=(self.new_project.data or "").strip() or None if choice == NEW_PROJECT else None,
            project_id=int(choice) if choice.isdigit() else None,
            project_year=self.project_year.data,
            year=self.year.data,
            license=self.license.data or None,
            contact=(self.contact.data or "").strip() or None,
        )

    def fill_from(self, metadata: DocumentMetadata) -> None:
        self.description.data = metadata.description
        self.topics.data = list(metadata.topics)
        self.type.data = metadata.type or ""
        self.municipality.data = metadata.municipality
        self.population.data = metadata.population
        self.size_class.data = metadata.size_class or ""
        self.project_choice.data = str(metadata.project_id) if metadata.project_id else ""
        self.year.data = metadata.year
        self.license.data = metadata.license or ""
        self.contact.data = metadata.contact


class FileOverrideForm(Form):
    """What one file of a multi-file upload describes differently from the others; an empty field
    takes the value given for all files. A plain Form: the surrounding form carries the token."""

    description = TextAreaField(_l("Beschreibung"), validators=[
        Optional(), Length(max=5000, message=_l("Höchstens 5.000 Zeichen."))])
    topics = CheckboxListField(_l("Themenfelder"), coerce=str)
    type = GermanSelectField(_l("Dokumenttyp"))
    license = GermanSelectField(_l("Lizenz"))

    def overrides(self) -> dict:
        """The fields that were filled in, as DocumentMetadata fields."""
        given = {"description": (self.description.data or "").strip() or None,
                 "topics": list(self.topics.data or []) or None,
                 "type": self.type.data or None, "license": self.license.data or None}
        return {name: value for name, value in given.items() if value}


class UploadDetailsForm(MetadataFields):
    titles = FieldList(
        StringField(_l("Titel"), validators=[
            DataRequired(message=_l("Bitte geben Sie einen Titel an.")),
            Length(max=500, message=_l("Höchstens 500 Zeichen.")),
        ]),
        min_entries=0,
    )
    strip_metadata = BooleanField(_l("Personenbezogene Angaben entfernen"))
    #: per file, what it describes differently (shown only when several files come together)
    files_extra = FieldList(FormField(FileOverrideForm), min_entries=0)

    def name_titles(self, filenames: list[str]) -> None:
        """Each title field says whose title it is: in the error summary a bare "Titel" would not
        tell which of three files lacks one. Each file also gets its own fields for what it
        describes differently, with the same choices as the fields for all files."""
        for entry, filename in zip(self.titles.entries, filenames):
            entry.label.text = _("Titel für „%(filename)s“", filename=filename)
        # A browser sends every file's selects, so the entries are files_extra-0 … -n; anything
        # else (a hand-made request) would pair fields with the wrong file and is dropped.
        names = [entry.name for entry in self.files_extra.entries]
        if names != [f"{self.files_extra.name}-{i}" for i in range(len(names))] or len(names) > len(filenames):
            self.files_extra.entries = []
            self.files_extra.last_index = -1
        while len(self.files_extra.entries) < len(filenames):
            self.files_extra.append_entry()
        same = _("– wie für alle Dateien –")
        for entry in self.files_extra.entries:
            extra = entry.form
            extra.topics.choices = self.topics.choices
            extra.type.choices = [("", same)] + self.type.choices[1:]
            extra.license.choices = [("", same)] + self.license.choices[1:]

    def file_overrides(self, keys: list[str]) -> dict[str, dict]:
        """Staged file key -> the metadata fields that file sets for itself."""
        return {key: entry.form.overrides() for key, entry in zip(keys, self.files_extra.entries)
                if entry.form.overrides()}
    confirm_rights = BooleanField(
        _l("Ich darf dieses Dokument veröffentlichen, und es enthält keine vertraulichen Angaben."),
        validators=[DataRequired(message=_l("Bitte bestätigen Sie, dass Sie das Dokument veröffentlichen dürfen."))],
    )


class DocumentEditForm(MetadataFields):
    title = StringField(_l("Titel"), validators=[
        DataRequired(message=_l("Bitte geben Sie einen Titel an.")),
        Length(max=500, message=_l("Höchstens 500 Zeichen.")),
    ])

    # Editing an old document must not force today's required choices on it.
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.type.flags.required = False
        self.license.flags.required = False

    def validate_type(self, field):
        return None

    def validate_license(self, field):
        return None


class VersionForm(FlaskForm):
    file = FileField(_l("Neue Datei"), validators=[Mandatory()])

    def validate_file(self, field):
        if not getattr(field.data, "filename", ""):
            raise ValidationError(_("Bitte wählen Sie eine Datei aus."))


class VersionDetailsForm(FlaskForm):
    """The second step of a new version: what the file reveals, and whether to remove it."""

    strip_metadata = BooleanField(_l("Personenbezogene Angaben entfernen"))


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Grund der Ablehnung"),
        validators=[
            InputRequired(message=_l("Bitte geben Sie einen Grund für die Ablehnung an.")),
            Length(max=2000, message=_l("Höchstens 2.000 Zeichen.")),
        ],
        description=_l("Die Projektleitung sieht diesen Text bei ihren Dokumenten."),
    )

    def validate_reason(self, field):
        if not (field.data or "").strip():
            raise ValidationError(_("Bitte geben Sie einen Grund für die Ablehnung an."))


class EmptyTrashForm(FlaskForm):
    confirm = BooleanField(
        _l("Ja, alle Dokumente im Papierkorb endgültig löschen."),
        validators=[DataRequired(message=_l("Bitte bestätigen Sie das endgültige Löschen."))],
    )


# --- curation --------------------------------------------------------------------------------


class VocabularyEntryForm(FlaskForm):
    label_de = StringField(_l("Bezeichnung (deutsch)"), validators=[
        DataRequired(message=_l("Bitte geben Sie eine Bezeichnung an.")),
        Length(max=200, message=_l("Höchstens 200 Zeichen.")),
    ])
    label_en = StringField(_l("Bezeichnung (englisch)"), validators=[
        Optional(), Length(max=200, message=_l("Höchstens 200 Zeichen.")),
    ], description=_l("Leer lassen, um die deutsche Bezeichnung zu übernehmen."))


class VocabularyRenameForm(VocabularyEntryForm):
    """Renaming asks for both labels: a new German label beside the old English one would leave
    English readers with a name that no longer fits, and nobody would notice."""

    label_en = StringField(_l("Bezeichnung (englisch)"), validators=[
        DataRequired(message=_l("Bitte geben Sie die englische Bezeichnung an.")),
        Length(max=200, message=_l("Höchstens 200 Zeichen.")),
    ])
    keep_en = BooleanField(_l("Die englische Bezeichnung passt auch zur neuen deutschen."))

    def __init__(self, *args, entry=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.entry = entry
        #: shown only once the question arose: the German label changed, the English did not
        self.offer_keep_en = bool(self.keep_en.data)

    def validate_label_en(self, field):
        if self.entry is None:
            return
        german = " ".join((self.label_de.data or "").split())
        english = " ".join((field.data or "").split())
        if german != self.entry.label_de and english == self.entry.label_en and not self.keep_en.data:
            self.offer_keep_en = True
            raise ValidationError(_(
                "Die deutsche Bezeichnung ändert sich, die englische nicht. Bitte passen Sie die englische an "
                "– oder bestätigen Sie unten, dass „%(label)s“ weiter passt.", label=self.entry.label_en))


class VocabularyCreateForm(VocabularyEntryForm):
    slug = StringField(_l("Kürzel (für Adressen)"), validators=[
        Optional(), Length(max=80, message=_l("Höchstens 80 Zeichen.")),
    ], description=_l("Wird aus der Bezeichnung gebildet, wenn leer. Bleibt beim Umbenennen gleich."))


class DcatThemeForm(FlaskForm):
    data_theme = GermanSelectField(_l("Datenthema der EU (dcat:theme)"), validators=[Optional()], coerce=str)


class DcatLicenseForm(FlaskForm):
    dcat_license = StringField(_l("Adresse in der Lizenzliste von DCAT-AP.de (dct:license)"), validators=[
        Optional(), Length(max=200, message=_l("Höchstens 200 Zeichen.")),
    ], description=_l("Zum Beispiel http://dcat-ap.de/def/licenses/cc-by/4.0. Ohne Adresse stehen Dokumente "
                      "mit dieser Lizenz nicht im Katalog für GovData."))


class SynonymForm(FlaskForm):
    """A group of search synonyms (``/admin/synonyms``)."""

    terms = TextAreaField(_l("Begriffe"), validators=[
        DataRequired(message=_l("Bitte geben Sie mindestens zwei Begriffe an.")),
        Length(max=2000, message=_l("Höchstens 2000 Zeichen.")),
    ], description=_l("Einer je Zeile oder durch Komma getrennt, z. B. „DSFA, Datenschutz-Folgenabschätzung“."),
        render_kw={"rows": 4})
    one_way = BooleanField(_l("Nur in eine Richtung"), description=_l(
        "Der erste Begriff findet auch die übrigen, aber nicht umgekehrt – für Abkürzungen mit mehreren "
        "Bedeutungen (LV → Leistungsverzeichnis)."))


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[DataRequired()])


class MergeForm(FlaskForm):
    target = GermanSelectField(_l("Zusammenführen in"), validators=[
        DataRequired(message=_l("Bitte wählen Sie, wohin zusammengeführt wird.")),
    ], coerce=str)
    # Set by the confirmation page: the first submit only shows what the merge will move.
    confirmed = HiddenField()


class MunicipalityForm(FlaskForm):
    name = StringField(_l("Name"), validators=[
        DataRequired(message=_l("Bitte geben Sie einen Namen an.")), Length(max=200, message=_l("Höchstens 200 Zeichen.")),
    ])
    ars = StringField(_l("Amtlicher Regionalschlüssel (ARS)"), validators=[
        Optional(), Length(max=20, message=_l("Höchstens 12 Ziffern.")),
    ], description=_l("12 Ziffern, z. B. 066310009009: damit nennt der Katalog für GovData den Ort der Dokumente. "
                      "„toolbox places import“ trägt ihn aus dem Gemeindeverzeichnis ein."))
    ags = StringField(_l("Amtlicher Gemeindeschlüssel (AGS)"), validators=[
        Optional(), Length(max=20, message=_l("Höchstens 8 Ziffern.")),
    ], description=_l("8 Ziffern, z. B. 06631009; leer lassen, wenn er aus dem Regionalschlüssel folgt."))
    district = StringField(_l("Landkreis"), validators=[Optional(), Length(max=200, message=_l("Höchstens 200 Zeichen."))])
    state = StringField(_l("Bundesland"), validators=[Optional(), Length(max=100, message=_l("Höchstens 100 Zeichen."))])
    population = GermanIntegerField(_l("Einwohnerzahl"), validators=[Optional(), POPULATION])
    size_class = GermanSelectField(
        _l("Größenklasse"), validators=[Optional()],
        description=_l("Leer lassen: die Größenklasse folgt aus der Einwohnerzahl. "
                    "Für Landkreise und Verbünde hier von Hand setzen."),
    )

    def fill_choices(self) -> None:
        self.size_class.choices = [("", _("– aus der Einwohnerzahl –"))] + [
            (e.slug, e.label(_locale())) for e in vocabulary_entries("size_class")
        ]


class ProjectForm(FlaskForm):
    name = StringField(_l("Name"), validators=[
        DataRequired(message=_l("Bitte geben Sie einen Namen an.")), Length(max=300, message=_l("Höchstens 300 Zeichen.")),
    ])
    municipality_id = GermanSelectField(_l("Kommune"), validators=[Optional()])
    year_finished = GermanIntegerField(_l("Abgeschlossen im Jahr"), validators=[Optional(), YEAR])
    description = TextAreaField(_l("Kurzbeschreibung"), validators=[
        Optional(), Length(max=5000, message=_l("Höchstens 5.000 Zeichen.")),
    ])
    contact = StringField(_l("Kontakt"), validators=[Optional(), Length(max=300, message=_l("Höchstens 300 Zeichen."))])
    link = StringField(_l("Link"), validators=[
        Optional(), Length(max=500, message=_l("Höchstens 500 Zeichen.")),
        URL(require_tld=False, message=_l("Bitte eine vollständige Adresse mit https:// angeben.")),
    ])

    def fill_choices(self, municipalities: list[Municipality]) -> None:
        self.municipality_id.choices = [("", _("– keine –"))] + [(str(m.id), m.name) for m in municipalities]


__all__ = [
    "ActionForm",
    "DocumentEditForm",
    "EmptyTrashForm",
    "MergeForm",
    "MoveForm",
    "MunicipalityForm",
    "ProjectForm",
    "RejectForm",
    "UploadDetailsForm",
    "UploadFilesForm",
    "VersionDetailsForm",
    "VersionForm",
    "VocabularyCreateForm",
    "VocabularyEntryForm",
    "VocabularyRenameForm",
]
