"""Editorial curation: vocabularies (create, rename, reorder, deactivate, merge), municipalities, projects."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from toolbox.extensions import db
from toolbox.models import AuditEntry, Document, Municipality, Project, SlugAlias, Topic
from toolbox.permissions import PermissionDenied
from toolbox.search import SearchQuery, search
from toolbox.services import curation
from toolbox.services.vocabularies import vocabulary_entries, vocabulary_get

from conftest import make_user
from contribute_helpers import contribute, user


@pytest.fixture
def editor(app):
    return make_user(app, "redaktion@example.org", role="editor")


@pytest.fixture
def contributor(app):
    return make_user(app, "projekt@example.org", role="contributor")


def _hits(**filters) -> list[int]:
    return sorted(hit.document_id for hit in search(SearchQuery(per_page=100, **filters)).hits)


def _topic(slug: str) -> Topic:
    return vocabulary_get("topic", slug)


# --- vocabularies ----------------------------------------------------------------------------


def test_created_entry_gets_a_slug_from_its_german_label(app, editor):
    """'Künstliche Intelligenz & Daten' becomes 'kuenstliche-intelligenz-daten', at the end of the list."""
    with app.app_context():
        entry = curation.vocabulary_entry_create(user(editor), "topic", "Künstliche Intelligenz & Daten")
        assert entry.slug == "kuenstliche-intelligenz-daten"
        assert entry.label_en == "Künstliche Intelligenz & Daten"
        assert vocabulary_entries("topic")[-1].slug == entry.slug
        with pytest.raises(curation.CurationError, match="schon"):
            curation.vocabulary_entry_create(user(editor), "topic", "Künstliche Intelligenz & Daten")


def test_rename_keeps_the_slug(app, editor, contributor):
    """Renaming changes the labels only: documents and URLs keep the slug."""
    document_id = contribute(app, contributor, topics=["mobilitaet-verkehr"], publish_as=editor)
    with app.app_context():
        topic = _topic("mobilitaet-verkehr")
        curation.vocabulary_entry_rename(user(editor), "topic", topic.id, "Mobilität & ÖPNV", "Mobility & transit")
        renamed = db.session.get(Topic, topic.id)
        assert (renamed.slug, renamed.label_de, renamed.label_en) == (
            "mobilitaet-verkehr", "Mobilität & ÖPNV", "Mobility & transit")
        assert _hits(topic=("mobilitaet-verkehr",)) == [document_id]
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "topic.rename")).one()
        assert entry.details["changes"]["label_de"] == ["Mobilität & Verkehr", "Mobilität & ÖPNV"]


def test_move_up_and_down(app, editor):
    """Moving swaps neighbours; positions stay dense."""
    with app.app_context():
        slugs = [e.slug for e in vocabulary_entries("type")]
        second = vocabulary_get("type", slugs[1])
        curation.vocabulary_entry_move(user(editor), "type", second.id, -1)
        assert [e.slug for e in vocabulary_entries("type")][:2] == [slugs[1], slugs[0]]
        curation.vocabulary_entry_move(user(editor), "type", second.id, -1)  # already first: no change
        assert vocabulary_entries("type")[0].slug == slugs[1]
        last = vocabulary_get("type", slugs[-1])
        curation.vocabulary_entry_move(user(editor), "type", last.id, -1)
        order = vocabulary_entries("type")
        assert order[-2].slug == slugs[-1]
        assert [e.position for e in order] == list(range(len(order)))


def test_deactivated_entry_is_hidden_from_forms_but_kept_on_documents(app, client, auth, editor, contributor):
    """A deactivated topic is no choice in the upload form, but documents keep and show it."""
    document_id = contribute(app, contributor, topics=["tourismus-kultur"], publish_as=editor)
    with app.app_context():
        topic = _topic("tourismus-kultur")
        curation.vocabulary_entry_set_active(user(editor), "topic", topic.id, False)
        assert [t.slug for t in db.session.get(Document, document_id).topics] == ["tourismus-kultur"]
    auth.login("projekt@example.org")
    from contribute_helpers import upload_file

    staged = upload_file(client, b"Neues Dokument\n", "neu.txt")
    form = client.get(staged.headers["Location"]).get_data(as_text=True)
    assert 'value="tourismus-kultur"' not in form
    assert 'value="mobilitaet-verkehr"' in form
    edit = client.get(f"/my/documents/{document_id}/edit").get_data(as_text=True)
    assert 'value="tourismus-kultur"' in edit  # still shown where it is in use
    assert "Tourismus &amp; Kultur" in client.get(f"/documents/{document_id}").get_data(as_text=True)
    with app.app_context():
        curation.vocabulary_entry_set_active(user(editor), "topic", _topic("tourismus-kultur").id, True)
        assert _topic("tourismus-kultur").active


def test_merge_moves_documents_and_search_follows(app, client, editor, contributor):
    """After merging topic A into B, a search by B finds A's documents, A is gone, and the old
    slug redirects (301) to B in search URLs."""
    moved = contribute(app, contributor, text="Hochwasserwarnung mit Pegelsensoren",
                       topics=["umwelt-wasser"], publish_as=editor)
    already = contribute(app, contributor, text="Sirenenkonzept", topics=["bevoelkerungsschutz"], publish_as=editor)
    both = contribute(app, contributor, text="Starkregenvorsorge", topics=["umwelt-wasser", "bevoelkerungsschutz"],
                      publish_as=editor)
    with app.app_context():
        assert _hits(topic=("bevoelkerungsschutz",)) == sorted([already, both])
        source, target = _topic("umwelt-wasser"), _topic("bevoelkerungsschutz")
        count = curation.vocabulary_entry_merge(user(editor), "topic", source.id, target.id)
        assert count == 2
        assert db.session.scalar(select(Topic).where(Topic.slug == "umwelt-wasser")) is None
        assert _hits(topic=("bevoelkerungsschutz",)) == sorted([moved, already, both])
        assert _hits(topic=("umwelt-wasser",)) == []
        assert [t.slug for t in db.session.get(Document, both).topics] == ["bevoelkerungsschutz"]
        assert curation.resolve_slug_alias("topic", "umwelt-wasser") == "bevoelkerungsschutz"
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "topic.merge")).one()
        assert sorted(entry.details["documents"]) == sorted([moved, both])
    response = client.get("/search?q=Pegelsensoren&topic=umwelt-wasser&sort=newest")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/search?q=Pegelsensoren&topic=bevoelkerungsschutz&sort=newest")
    followed = client.get(response.headers["Location"])
    assert followed.status_code == 200
    assert "Hochwasserwarnung" in followed.get_data(as_text=True)
    api = client.get("/api/v1/search?topic=umwelt-wasser")
    assert api.status_code == 301 and "topic=bevoelkerungsschutz" in api.headers["Location"]
    assert client.get("/search?topic=bevoelkerungsschutz").status_code == 200


def test_merge_chain_redirects_in_one_hop(app, client, editor):
    """A slug merged into an entry that is merged again later redirects straight to the last target."""
    with app.app_context():
        a = curation.vocabulary_entry_create(user(editor), "type", "Typ A")
        b = curation.vocabulary_entry_create(user(editor), "type", "Typ B")
        c = curation.vocabulary_entry_create(user(editor), "type", "Typ C")
        a_id, b_id, c_id = a.id, b.id, c.id
        curation.vocabulary_entry_merge(user(editor), "type", a_id, b_id)
        curation.vocabulary_entry_merge(user(editor), "type", b_id, c_id)
        assert curation.resolve_slug_alias("type", "typ-a") == "typ-c"
        with pytest.raises(curation.CurationError, match="schon vergeben"):
            curation.vocabulary_entry_create(user(editor), "type", "Typ A")  # the old slug still redirects
    response = client.get("/search?type=typ-a&type=typ-b")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/search?type=typ-c")


@pytest.mark.parametrize("vocabulary, source, target, field", [
    ("type", "praesentation", "bericht-evaluation", "type"),
    ("license", "cc-by-sa-4.0", "cc-by-4.0", "license"),
])
def test_merge_of_types_and_licences_moves_documents(app, editor, contributor, vocabulary, source, target, field):
    """Document types and licences merge like topics: documents move and are found under the target."""
    document_id = contribute(app, contributor, publish_as=editor, **{field: source})
    with app.app_context():
        curation.vocabulary_entry_merge(user(editor), vocabulary, vocabulary_get(vocabulary, source).id,
                                        vocabulary_get(vocabulary, target).id)
        document = db.session.get(Document, document_id)
        assert (document.document_type if field == "type" else document.license).slug == target
        assert document_id in _hits(**{field: (target,)})


def test_merge_of_size_classes_moves_municipalities(app, editor, contributor):
    """Merging a size class moves its municipalities, and their documents follow in search."""
    document_id = contribute(app, contributor, municipality="Amt Musterland", size_class="verbund-region",
                             publish_as=editor)
    with app.app_context():
        source = vocabulary_get("size_class", "verbund-region")
        target = vocabulary_get("size_class", "landkreis")
        curation.vocabulary_entry_merge(user(editor), "size_class", source.id, target.id)
        assert db.session.get(Document, document_id).size_class.slug == "landkreis"
        assert _hits(size_class=("landkreis",)) == [document_id]


def test_merge_refuses_the_entry_itself(app, editor):
    with app.app_context():
        topic = _topic("bildung-schule")
        with pytest.raises(curation.CurationError, match="sich selbst"):
            curation.vocabulary_entry_merge(user(editor), "topic", topic.id, topic.id)


def test_curation_is_for_editors(app, client, auth, contributor):
    """Contributors get PermissionDenied from the services and 403 from the pages; visitors the login."""
    assert client.get("/admin/vocabularies/topic").status_code == 302
    with app.app_context():
        topic = _topic("bildung-schule")
        for call in (
            lambda: curation.vocabulary_entry_create(user(contributor), "topic", "Neu"),
            lambda: curation.vocabulary_entry_rename(user(contributor), "topic", topic.id, "X", None),
            lambda: curation.vocabulary_entry_merge(user(contributor), "topic", topic.id, topic.id + 1),
            lambda: curation.vocabulary_entry_set_active(user(contributor), "topic", topic.id, False),
        ):
            with pytest.raises(PermissionDenied):
                call()
    auth.login("projekt@example.org")
    for url in ("/admin", "/admin/vocabularies/topic", "/admin/municipalities", "/admin/projects", "/admin/trash"):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/vocabularies/topic", data={"label_de": "Neu"}).status_code == 403


def test_renaming_asks_for_the_english_label_too(app, client, auth, editor):
    """A new German label beside the unchanged old English one is refused with a question: change
    the English label, or confirm that it still fits (issue 12.16)."""
    auth.login("redaktion@example.org")
    with app.app_context():
        topic = _topic("mobilitaet-verkehr")
        topic_id, old_en = topic.id, topic.label_en
    page = client.get(f"/admin/vocabularies/topic/{topic_id}").get_data(as_text=True)
    assert f"Bisher: „{old_en.replace('&', '&amp;')}“" in page
    assert 'name="keep_en"' not in page

    silent = client.post(f"/admin/vocabularies/topic/{topic_id}", data={"label_de": "Mobilität & ÖPNV",
                                                                        "label_en": old_en})
    html = silent.get_data(as_text=True)
    assert silent.status_code == 400
    assert 'id="label_en-error"' in html and "Die deutsche Bezeichnung ändert sich, die englische nicht." in html
    assert 'name="keep_en"' in html
    with app.app_context():
        assert _topic("mobilitaet-verkehr").label_de == "Mobilität & Verkehr"

    assert client.post(f"/admin/vocabularies/topic/{topic_id}", data={"label_de": "Mobilität & ÖPNV", "label_en": ""}
                       ).status_code == 400
    kept = client.post(f"/admin/vocabularies/topic/{topic_id}", data={"label_de": "Mobilität & ÖPNV",
                                                                      "label_en": old_en, "keep_en": "y"})
    assert kept.status_code == 302
    assert client.post(f"/admin/vocabularies/topic/{topic_id}", data={"label_de": "Mobilität & Nahverkehr",
                                                                      "label_en": "Mobility & public transport"}
                       ).status_code == 302
    with app.app_context():
        topic = _topic("mobilitaet-verkehr")
        assert (topic.label_de, topic.label_en) == ("Mobilität & Nahverkehr", "Mobility & public transport")
    # an English-only correction needs no confirmation
    assert client.post(f"/admin/vocabularies/topic/{topic_id}", data={"label_de": "Mobilität & Nahverkehr",
                                                                      "label_en": "Mobility & local transport"}
                       ).status_code == 302


def test_vocabulary_pages_create_rename_move_deactivate_and_merge(app, client, auth, editor, contributor):
    """The editor's forms do each step; a missing label gets a German message next to the field."""
    document_id = contribute(app, contributor, topics=["gesundheit-pflege"], publish_as=editor)
    auth.login("redaktion@example.org")
    empty = client.post("/admin/vocabularies/topic", data={"label_de": ""})
    html = empty.get_data(as_text=True)
    assert empty.status_code == 400
    assert 'id="label_de-error"' in html and "Bitte geben Sie eine Bezeichnung an." in html
    assert client.post("/admin/vocabularies/topic", data={"label_de": "Sport & Freizeit"}).status_code == 302
    with app.app_context():
        new = _topic("sport-freizeit")
        care = _topic("gesundheit-pflege")
        new_id, care_id = new.id, care.id
    assert client.post(f"/admin/vocabularies/topic/{new_id}",
                       data={"label_de": "Sport, Freizeit & Bewegung", "label_en": "Sports"}).status_code == 302
    assert client.post(f"/admin/vocabularies/topic/{new_id}/move", data={"direction": "up"}).status_code == 302
    assert client.post(f"/admin/vocabularies/topic/{new_id}/active").status_code == 302
    missing_target = client.post(f"/admin/vocabularies/topic/{care_id}/merge", data={"target": ""})
    assert missing_target.status_code == 400 and 'id="target-error"' in missing_target.get_data(as_text=True)
    confirmation = client.post(f"/admin/vocabularies/topic/{care_id}/merge", data={"target": str(new_id)})
    assert confirmation.status_code == 200
    assert ("1 Dokument wird von „Gesundheit &amp; Pflege“ nach „Sport, Freizeit &amp; Bewegung“ verschoben."
            in confirmation.get_data(as_text=True))
    with app.app_context():
        assert [t.slug for t in db.session.get(Document, document_id).topics] == ["gesundheit-pflege"]
    assert client.post(f"/admin/vocabularies/topic/{care_id}/merge",
                       data={"target": str(new_id), "confirmed": "1"}).status_code == 302
    with app.app_context():
        entry = db.session.get(Topic, new_id)
        assert (entry.slug, entry.label_de, entry.active) == ("sport-freizeit", "Sport, Freizeit & Bewegung", False)
        entries = vocabulary_entries("topic")
        assert entries[-2].id == new_id  # moved up one place from the end, then the merge removed one
        assert [t.slug for t in db.session.get(Document, document_id).topics] == ["sport-freizeit"]
    listing = client.get("/admin/vocabularies/topic").get_data(as_text=True)
    assert "Sport, Freizeit &amp; Bewegung" in listing and "gesundheit-pflege" not in listing
    assert client.get("/admin/vocabularies/unknown").status_code == 404


# --- municipalities and projects -------------------------------------------------------------


def test_municipality_merge_luebeck(app, client, editor, contributor):
    """'Lübeck' merges into 'Hansestadt Lübeck': documents and projects move, facts are kept,
    searches by the old name redirect, and a new upload naming 'Lübeck' lands on the target."""
    first = contribute(app, contributor, text="Parkraumsensorik Lübeck", municipality="Lübeck",
                       project="Smart Parking", publish_as=editor)
    second = contribute(app, contributor, text="Hafen-Digitalzwilling", municipality="Hansestadt Lübeck",
                        population=218_000, publish_as=editor)
    with app.app_context():
        source = db.session.scalar(select(Municipality).where(Municipality.name == "Lübeck"))
        target = db.session.scalar(select(Municipality).where(Municipality.name == "Hansestadt Lübeck"))
        target_id = target.id
        assert curation.municipality_merge(user(editor), source, target) == 1
        assert db.session.scalar(select(Municipality).where(Municipality.name == "Lübeck")) is None
        assert db.session.get(Document, first).municipality_id == target_id
        project = db.session.scalar(select(Project).where(Project.name == "Smart Parking"))
        assert project.municipality_id == target_id
        assert _hits(municipality=("Hansestadt Lübeck",)) == sorted([first, second])
        assert db.session.get(Document, first).size_class.slug == "grossstadt"
        assert _hits(size_class=("grossstadt",)) == sorted([first, second])
    response = client.get("/search?municipality=L%C3%BCbeck")
    assert response.status_code == 301
    assert "municipality=Hansestadt+L%C3%BCbeck" in response.headers["Location"]
    third = contribute(app, contributor, text="Neue Ladesäulen", municipality="Lübeck")
    with app.app_context():
        assert db.session.get(Document, third).municipality_id == target_id


def test_municipality_merge_page_asks_first_and_names_the_documents_it_moves(app, client, auth, editor,
                                                                            contributor):
    """The merge button only shows what will happen; the confirmation's own button merges."""
    for _n in range(2):
        contribute(app, contributor, municipality="Mücke")
    contribute(app, contributor, municipality="Gemeinde Mücke")
    with app.app_context():
        source_id = db.session.scalar(select(Municipality.id).where(Municipality.name == "Mücke"))
        target_id = db.session.scalar(select(Municipality.id).where(Municipality.name == "Gemeinde Mücke"))
    auth.login("redaktion@example.org")
    confirmation = client.post(f"/admin/municipalities/{source_id}/merge", data={"target": str(target_id)})
    html = confirmation.get_data(as_text=True)
    assert confirmation.status_code == 200
    assert "<h1>„Mücke“ in „Gemeinde Mücke“ zusammenführen?</h1>" in html
    assert "2 Dokumente werden von „Mücke“ nach „Gemeinde Mücke“ verschoben." in html
    assert 'name="confirmed" value="1"' in html
    with app.app_context():
        assert db.session.get(Municipality, source_id) is not None
    done = client.post(f"/admin/municipalities/{source_id}/merge", data={"target": str(target_id), "confirmed": "1"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Municipality, source_id) is None


def test_municipality_size_class_follows_population_unless_set_by_hand(app, editor, contributor):
    """Without a manual class, editing the population moves the municipality to the matching class."""
    contribute(app, contributor, municipality="Schlitz", population=9_500)
    with app.app_context():
        municipality = db.session.scalar(select(Municipality).where(Municipality.name == "Schlitz"))
        assert municipality.size_class.slug == "kleinstadt"
        curation.municipality_update(user(editor), municipality, name="Stadt Schlitz", population=4_800)
        assert (municipality.size_class.slug, municipality.size_class_manual) == ("landgemeinde", False)
        curation.municipality_update(user(editor), municipality, name="Stadt Schlitz", population=4_800,
                                     size_class="verbund-region")
        assert (municipality.size_class.slug, municipality.size_class_manual) == ("verbund-region", True)
        with pytest.raises(curation.CurationError, match="Gemeindeschlüssel"):
            curation.municipality_update(user(editor), municipality, name="Stadt Schlitz", ags="12")


def test_municipality_rename_to_an_existing_name_asks_for_a_merge(app, editor, contributor):
    contribute(app, contributor, municipality="Alsfeld")
    contribute(app, contributor, municipality="Stadt Alsfeld")
    with app.app_context():
        municipality = db.session.scalar(select(Municipality).where(Municipality.name == "Alsfeld"))
        with pytest.raises(curation.CurationError, match="zusammenführen"):
            curation.municipality_update(user(editor), municipality, name="Stadt Alsfeld")


def test_project_merge_moves_documents(app, client, auth, editor, contributor):
    """Merging a duplicate project moves its documents; the page form does the same."""
    a = contribute(app, contributor, municipality="Gießen", project="LoRaWAN Gießen")
    b = contribute(app, contributor, municipality="Gießen", project="LoRaWAN-Netz Gießen")
    with app.app_context():
        source = db.session.scalar(select(Project).where(Project.name == "LoRaWAN Gießen"))
        target = db.session.scalar(select(Project).where(Project.name == "LoRaWAN-Netz Gießen"))
        source_id, target_id = source.id, target.id
    auth.login("redaktion@example.org")
    confirmation = client.post(f"/admin/projects/{source_id}/merge", data={"target": str(target_id)})
    assert "1 Dokument wird von „LoRaWAN Gießen“ nach „LoRaWAN-Netz Gießen“ verschoben." in confirmation.get_data(
        as_text=True)
    with app.app_context():
        assert db.session.get(Project, source_id) is not None
    assert client.post(f"/admin/projects/{source_id}/merge",
                       data={"target": str(target_id), "confirmed": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(Project, source_id) is None
        assert {db.session.get(Document, a).project_id, db.session.get(Document, b).project_id} == {target_id}
    page = client.get(f"/admin/projects/{target_id}")
    assert page.status_code == 200 and "2 Dokument(e)" in page.get_data(as_text=True)
    # A search link to the merged project (its facet, a document page) leads to the target.
    moved = client.get(f"/search?project={source_id}&q=")
    assert moved.status_code == 301 and moved.headers["Location"].endswith(f"project={target_id}&q=")
    assert client.get("/search?project=%C2%B2").status_code == 200


def test_municipality_and_project_pages(app, client, auth, editor, contributor):
    """Editors list and edit municipalities and projects; bad input gets messages next to the field."""
    contribute(app, contributor, municipality="Bad Hersfeld", population=30_000, project="Digitale Kurstadt")
    with app.app_context():
        municipality_id = db.session.scalar(select(Municipality.id).where(Municipality.name == "Bad Hersfeld"))
        project_id = db.session.scalar(select(Project.id).where(Project.name == "Digitale Kurstadt"))
    auth.login("redaktion@example.org")
    assert "Bad Hersfeld" in client.get("/admin/municipalities").get_data(as_text=True)
    assert "Digitale Kurstadt" in client.get("/admin/projects").get_data(as_text=True)
    bad = client.post(f"/admin/municipalities/{municipality_id}", data={"name": "Bad Hersfeld", "population": "viele"})
    assert bad.status_code == 400 and 'id="population-error"' in bad.get_data(as_text=True)
    ok = client.post(f"/admin/municipalities/{municipality_id}",
                     data={"name": "Bad Hersfeld", "population": "29.000", "state": "Hessen"})
    assert ok.status_code == 302
    bad_link = client.post(f"/admin/projects/{project_id}", data={"name": "Digitale Kurstadt", "link": "kurstadt"})
    assert bad_link.status_code == 400 and 'id="link-error"' in bad_link.get_data(as_text=True)
    assert client.post(f"/admin/projects/{project_id}", data={
        "name": "Digitale Kurstadt", "municipality_id": str(municipality_id), "year_finished": "2022",
        "link": "https://kurstadt.example/digital"}).status_code == 302
    with app.app_context():
        municipality = db.session.get(Municipality, municipality_id)
        assert (municipality.population, municipality.state) == (29_000, "Hessen")
        assert db.session.get(Project, project_id).year_finished == 2022
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "municipality.update")).one()
        assert not db.session.scalars(select(SlugAlias)).all()
