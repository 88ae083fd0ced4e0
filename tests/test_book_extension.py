"""tools/latentdyn_book.py: one repository URL drives the buttons; figures get alt text."""

import sys
from pathlib import Path

import pytest
from docutils import nodes
from sphinx.errors import ConfigError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import latentdyn_book

LAUNCH = {
    "binderhub_url": "https://mybinder.org",
    "colab_url": "https://colab.research.google.com",
    "jupyterhub_url": "",
    "notebook_interface": "jupyterlab",
}


def test_no_repository_switches_every_button_off():
    options = {"repository_url": "", "launch_buttons": dict(LAUNCH), "use_repository_button": True}
    message = latentdyn_book.configure_repository_buttons(options)
    assert message and "repository.url is empty" in message
    assert options["launch_buttons"] == {}
    assert options["use_repository_button"] is False and options["use_issues_button"] is False
    assert "repository_url" not in options


def test_github_repository_switches_buttons_on():
    options = {"repository_url": "https://github.com/someone/fork/", "launch_buttons": dict(LAUNCH)}
    assert latentdyn_book.configure_repository_buttons(options) is None
    assert options["repository_url"] == "https://github.com/someone/fork"
    assert options["use_repository_button"] and options["use_issues_button"]
    assert options["launch_buttons"] == {
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "notebook_interface": "jupyterlab",
    }  # empty JupyterHub dropped


def test_colab_only_for_github():
    options = {"repository_url": "https://gitlab.com/someone/fork", "launch_buttons": dict(LAUNCH)}
    latentdyn_book.configure_repository_buttons(options)
    assert "colab_url" not in options["launch_buttons"]
    assert options["launch_buttons"]["binderhub_url"] == "https://mybinder.org"


@pytest.mark.parametrize("url", ["github.com/someone/fork", "https://github.com/only-owner", "not a url"])
def test_malformed_repository_url_is_refused(url):
    with pytest.raises(ConfigError, match="must look like https://github.com/OWNER/NAME"):
        latentdyn_book.configure_repository_buttons({"repository_url": url})


def test_launch_target_is_the_reference_notebook(tmp_path):
    (tmp_path / "tests" / "notebooks").mkdir(parents=True)
    (tmp_path / "tests" / "notebooks" / "chapter.ipynb").write_text("{}")
    assert latentdyn_book.launch_target("book/chapter", tmp_path) == "tests/notebooks/chapter.ipynb"
    assert latentdyn_book.launch_target("book/references", tmp_path) is None


def test_caption_alt_text():
    assert latentdyn_book.caption_alt_text("Fig. 3  The loss\n against   time.") == "The loss against time."
    long = latentdyn_book.caption_alt_text("word " * 200, limit=50)
    assert len(long) <= 50 and long.endswith("…")


def test_figures_without_alt_get_their_caption():
    document = nodes.section()
    figure = nodes.figure("", nodes.image(uri="a.png"), nodes.caption("", "The first frames."))
    given = nodes.figure("", nodes.image(uri="b.png", alt="Chosen text"), nodes.caption("", "Caption."))
    document += [figure, given]
    latentdyn_book.add_caption_alt_text(document)
    images = list(document.findall(nodes.image))
    assert images[0]["alt"] == "The first frames."
    assert images[1]["alt"] == "Chosen text"
