"""The DCAT-AP.de catalogue for harvesters: ``/catalog.ttl``, ``/catalog.rdf``, ``/catalog.jsonld``."""
from __future__ import annotations

from flask import Blueprint, Response, request
from flask_babel import gettext as _

from ..services import dcat

bp = Blueprint("catalog", __name__)


def rdf_response(body: bytes, suffix: str) -> Response:
    media_type = dcat.FORMATS[suffix][1]
    response = Response(body, mimetype=media_type)
    response.vary.add("Accept")
    return response


def error_response(error: dcat.CatalogRequestError) -> Response:
    # Harvesters log the body: a plain sentence is what an operator reads there.
    return Response(error.message + "\n", status=error.status, mimetype="text/plain")


def _catalog(suffix: str) -> Response:
    try:
        page = dcat.catalog_page(request.args, suffix=suffix)
    except dcat.CatalogRequestError as error:
        return error_response(error)
    return rdf_response(dcat.serialize(page.graph, suffix), suffix)


@bp.get("/catalog.ttl")
def catalog_ttl():
    """Serve one page of the catalogue as Turtle."""
    return _catalog("ttl")


@bp.get("/catalog.rdf")
def catalog_rdf():
    """Serve one page of the catalogue as RDF/XML, what GovData usually harvests."""
    return _catalog("rdf")


@bp.get("/catalog.jsonld")
def catalog_jsonld():
    """Serve one page of the catalogue as JSON-LD."""
    return _catalog("jsonld")


def negotiated_suffix() -> str | None:
    """The RDF serialisation the client prefers over HTML, if any (``Accept: text/turtle``)."""
    offered = ["text/html", *dcat.MEDIA_TYPE_FORMATS]
    best = request.accept_mimetypes.best_match(offered, default="text/html")
    return dcat.MEDIA_TYPE_FORMATS.get(best)


def dataset_response(document) -> Response | None:
    """The document's dataset if the client asked for RDF, else None (the page is wanted)."""
    suffix = negotiated_suffix()
    if suffix is None:
        return None
    graph = dcat.dataset_document_graph(document)
    if graph is None:
        response = Response(_("Dieses Dokument steht (noch) nicht im DCAT-AP.de-Katalog, weil ihm Pflichtangaben "
                              "fehlen. Es ist nur als Webseite verfügbar.") + "\n", status=406, mimetype="text/plain")
        response.vary.add("Accept")
        return response
    return rdf_response(dcat.serialize(graph, suffix), suffix)
