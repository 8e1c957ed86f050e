"""The look of the pages: KERN UX when the build step vendored it, else our own stylesheet.

`make run` and `make test` install KERN UX from npm and copy it to ``static/vendor/kern/`` (see
the Makefile). Whether it is there is decided once, when the app starts: base.html then links
either KERN's fonts and stylesheet or ``static/kern-fallback.css``, never both, so the fallback
can never fight KERN's own rules. ``TOOLBOX_KERN=0`` lets an operator keep the own stylesheet
even when KERN is installed.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask

#: What base.html links when KERN is installed, relative to ``static/``, in this order.
KERN_STYLESHEETS = ("vendor/kern/fonts/fira-sans.css", "vendor/kern/kern.min.css")


def kern_installed(static_dir: Path) -> bool:
    """Every linked file must be there: a half-finished copy would leave pages unstyled."""
    return all((static_dir / name).is_file() for name in KERN_STYLESHEETS)


def init_app(app: Flask) -> None:
    use_kern = bool(app.config.get("TOOLBOX_KERN", True)) and kern_installed(Path(app.static_folder or ""))
    app.config["TOOLBOX_KERN_ACTIVE"] = use_kern
    # A global rather than a context processor: error pages rendered outside a view see it too.
    app.jinja_env.globals["kern_stylesheets"] = KERN_STYLESHEETS if use_kern else ()
