"""Run every benchmark in turn (`make bench`)."""
from __future__ import annotations

from . import alerts, catalog, feeds, ingest, ocr, search, shacl


def main() -> None:
    print("## Ingest")
    ingest.main([])
    print("\n## Search")
    search.main([])
    print("\n## OCR")
    ocr.main([])
    print("\n## Catalogue and sitemap")
    catalog.main([])
    print("\n## SHACL validation")
    shacl.main([])
    print("\n## Alert digests")
    alerts.main([])
    print("\n## Feeds")
    feeds.main([])


if __name__ == "__main__":
    main()
