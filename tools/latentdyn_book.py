"""The book's own Sphinx extension (loaded through ``sphinx.local_extensions`` in ``_config.yml``).

It does five small things that Jupyter Book's configuration alone cannot:

1. **One repository setting drives every link out of the book.** ``repository.url`` in
   ``_config.yml`` (empty in this repository) switches on the repository, issue and launch
   buttons (Binder, Colab, and a JupyterHub when ``launch_buttons.jupyterhub_url`` is set).
   With no URL the buttons are switched off and the build says so once (an information
   message, not a warning, so ``-W`` builds stay clean). Launch buttons open the chapter's
   reference notebook ``tests/notebooks/X.ipynb`` (the chapter as an ``.ipynb``, kept in sync
   by ``make test``), because Colab cannot open a MyST markdown file.
2. **Every executed chapter can be downloaded as ``.ipynb``** (the notebook as executed for
   the page), from the theme's download menu, whether or not launch buttons are on.
3. **Figures get alt text from their caption** when a chapter gives none: an image inside a
   figure without ``:alt:`` gets the caption's text, so no image is announced by its file name.
   A chapter gives a better one with ``:alt:`` on its ``glue:figure`` directive.
4. **Full-width figures**: ``:figclass: full-width`` on a ``glue:figure`` spans the content
   column and the margin (``static/latentdyn_book.css``; the theme does it only for ``div``s);
   draw such a figure :data:`latentdyn.plotting.style.FULL_WIDTH` wide.
5. **Chapters execute without progress-bar widgets**: the kernels that Jupyter Book starts
   inherit ``LATENTDYN_PROGRESS=none`` (see :func:`latentdyn.runtime.progress_mode`), so no
   page stores widget state or a stale progress bar.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

REPOSITORY_BUTTONS = ("use_repository_button", "use_issues_button")
REPOSITORY_URL_PATTERN = re.compile(r"https?://[^/\s]+/[^/\s]+/[^/\s]+")
BUTTONS_OFF_MESSAGE = (
    "latentdyn_book: repository.url is empty in _config.yml, so the repository, "
    "issue and launch buttons are off (set it to your fork's URL to switch them on)"
)
REFERENCE_NOTEBOOKS = "tests/notebooks"
STATIC = Path(__file__).resolve().parent / "static"


def configure_repository_buttons(options: dict[str, Any]) -> str | None:
    """Switch the theme's repository, issue and launch buttons on or off from ``repository_url``.

    ``options`` is ``html_theme_options`` (changed in place). Returns the message to log when
    the buttons are off, ``None`` otherwise. Raises ``ConfigError`` for a URL that is not of
    the form ``https://host/owner/name``.
    """
    url = str(options.get("repository_url") or "").strip().rstrip("/")
    if not url:
        options.pop("repository_url", None)
        options["launch_buttons"] = {}
        for button in REPOSITORY_BUTTONS:
            options[button] = False
        return BUTTONS_OFF_MESSAGE
    if not REPOSITORY_URL_PATTERN.fullmatch(url):
        raise ConfigError(f"repository.url in _config.yml must look like https://github.com/OWNER/NAME, got {url!r}")
    options["repository_url"] = url
    for button in REPOSITORY_BUTTONS:
        options[button] = True
    launch = {key: value for key, value in (options.get("launch_buttons") or {}).items() if value != ""}
    if not url.startswith("https://github.com/"):
        launch.pop("colab_url", None)  # Colab opens notebooks from GitHub only
    options["launch_buttons"] = launch
    return None


def _on_config_inited(app: Sphinx, config: Config) -> None:
    message = configure_repository_buttons(config.html_theme_options)
    if message:
        logger.info(message)
    os.environ.setdefault("LATENTDYN_PROGRESS", "none")


def launch_target(pagename: str, source_dir: Path) -> str | None:
    """Repository path of the notebook that launch buttons open for ``pagename`` (or ``None``)."""
    reference = f"{REFERENCE_NOTEBOOKS}/{Path(pagename).name}.ipynb"
    return reference if (source_dir / reference).is_file() else None


def _point_launch_buttons_at_notebooks(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Rewrite launch URLs from ``book/X.md`` to the chapter's reference notebook."""
    target = launch_target(pagename, Path(app.srcdir))
    source = f"{pagename}.md"
    if target is None:
        return
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            if isinstance(button, dict) and source in str(button.get("url", "")):
                button["url"] = button["url"].replace(source, target)


def _offer_notebook_download(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Copy the executed notebook of a chapter next to its sources and list it for download."""
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


class FigureAltFromCaption(SphinxPostTransform):
    """Give every image inside a figure alt text: its own ``:alt:``, else the caption's text.

    Runs after myst-nb has turned notebook outputs into image nodes (priority 4) and before
    the lightbox (priority 60), which copies the alt text into the enlarged view.
    """

    default_priority = 50
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        add_caption_alt_text(self.document)


def add_caption_alt_text(document: nodes.Node) -> None:
    """Set the alt text of every image in a captioned figure that has none to the caption."""
    for figure in document.findall(nodes.figure):
        captions = list(figure.findall(nodes.caption))
        if not captions:
            continue
        text = caption_alt_text(captions[0].astext())
        for image in figure.findall(nodes.image):
            if not str(image.get("alt", "")).strip():
                image["alt"] = text


def caption_alt_text(caption: str, limit: int = 300) -> str:
    """A caption as alt text: one line, without the figure number, at most ``limit`` characters."""
    text = re.sub(r"\s+", " ", caption).strip()
    text = re.sub(r"^(Fig\.|Figure)\s*\d+[.:]?\s*", "", text)
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def _add_static_folder(app: Sphinx) -> None:
    app.config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _on_config_inited)
    app.connect("builder-inited", _add_static_folder)
    app.add_css_file("latentdyn_book.css")
    app.connect("html-page-context", _offer_notebook_download, priority=500)
    app.connect("html-page-context", _point_launch_buttons_at_notebooks, priority=502)
    app.add_post_transform(FigureAltFromCaption)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
