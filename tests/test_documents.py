"""Reading documents: the name a stored version is downloaded under."""
from __future__ import annotations

import pytest

from toolbox.extract.detect import MEDIA_TYPES
from toolbox.models import FileVersion
from toolbox.services.documents import download_filename


@pytest.mark.parametrize("uploaded, format, offered", [
    ("bericht.pdf.exe", "pdf", "bericht.pdf"),
    ("scan", "pdf", "scan.pdf"),
    ("Bericht.PDF", "pdf", "Bericht.PDF"),
    ("bericht.docx", "pdf", "bericht.pdf"),
    ("Protokoll 12.03.2024", "pdf", "Protokoll 12.03.2024.pdf"),
    ("Satzung v1.2", "docx", "Satzung v1.2.docx"),
    ("vorlage.docx", "dotx", "vorlage.dotx"),
    ("README", "txt", "README.txt"),
    ("rechnungtxt.exe", "txt", "rechnungtxt.txt"),
    ("bericht.pdf.exe", "txt", "bericht.pdf.txt"),
    ("notizen.markdown", "md", "notizen.markdown"),
    ("liste.tsv", "csv", "liste.tsv"),
    ("liste.xlsx", "csv", "liste.csv"),
    ("Kostenplan.xls", "xlsx", "Kostenplan.xlsx"),
    ("Ratsvortrag", "pptx", "Ratsvortrag.pptx"),
    ("satzung.docx", "odt", "satzung.odt"),
    ("haushalt.ODS", "ods", "haushalt.ODS"),
    ("folien.pdf", "odp", "folien.odp"),
    ("aushang.txt", "rtf", "aushang.rtf"),
    ("protokoll.docx", "doc", "protokoll.doc"),
    ("tabelle", "xls", "tabelle.xls"),
    ("vortrag.pps", "ppt", "vortrag.ppt"),
])
def test_download_name_keeps_the_stem_and_takes_the_extension_of_the_format(uploaded, format, offered):
    """The uploaded stem stays; a last extension that does not fit the detected format is
    replaced (digits after a dot are no extension), one that fits is kept as written."""
    version = FileVersion(original_filename=uploaded, media_type=MEDIA_TYPES[format],
                          format="docx" if format == "dotx" else format)
    assert download_filename(version) == offered
