"""The one Whoosh release the index is built for.

``_patches`` and ``_segments`` read Whoosh's private posting-block layout and replace two of its
internal methods (``W3PerDocReader._cached_reader``, ``BufferFile.__init__``). A different
release may keep every public name and still change those internals, and then searches return
wrong results instead of failing. So the release is pinned in ``setup.cfg`` and a process on
any other one refuses to start; moving to another release means re-checking the accelerations
(``tests/test_search.py`` compares them with Whoosh's own matchers) and changing both pins.
"""
from __future__ import annotations

from ..config import ConfigError

#: The release pinned in setup.cfg (``whoosh-reloaded==2.7.5``).
WHOOSH_DISTRIBUTION = "whoosh-reloaded"
WHOOSH_RELEASE = "2.7.5"


class UnsupportedWhoosh(ConfigError):
    """The installed Whoosh is not the release the index accelerations are written for."""


def installed_release() -> str:
    """The version of the ``whoosh`` package that is actually imported (whichever distribution
    put it there: ``whoosh3`` and the original ``Whoosh`` install the same package name)."""
    import whoosh

    return whoosh.versionstring()


def release_problem(installed: str | None = None) -> str | None:
    """Why the installed Whoosh cannot run the index, or None when it is the pinned release."""
    found = installed_release() if installed is None else installed
    if found == WHOOSH_RELEASE:
        return None
    return (
        f"The search index needs {WHOOSH_DISTRIBUTION} {WHOOSH_RELEASE} exactly, but Whoosh {found} is "
        f"installed. The index accelerations read Whoosh's private posting format, which another "
        f"release may change without notice. Install the pinned release "
        f"(pip install '{WHOOSH_DISTRIBUTION}=={WHOOSH_RELEASE}') or choose another search backend "
        f"with TOOLBOX_SEARCH_BACKEND."
    )


def check_release(installed: str | None = None) -> None:
    """Refuse to run on any Whoosh release but the pinned one."""
    problem = release_problem(installed)
    if problem is not None:
        raise UnsupportedWhoosh(problem)
