"""Run every benchmark in turn (`make bench`)."""
from __future__ import annotations

from . import ingest


def main() -> None:
    print("## Ingest")
    ingest.main([])
    try:
        from . import search
    except ImportError:
        return
    print("\n## Search")
    search.main([])


if __name__ == "__main__":
    main()
