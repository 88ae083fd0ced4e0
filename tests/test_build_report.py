"""tools/build_report.py: each check on small HTML pages and PNG files made for the purpose."""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from bs4 import BeautifulSoup
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import build_report


def page(body: str) -> BeautifulSoup:
    return BeautifulSoup(f"<html><body><main>{body}</main></body></html>", "html.parser")


def cell(source: str, tags: str = "", hidden_in_details: bool = False) -> str:
    code = f'<div class="cell_input docutils container"><pre>{source}</pre></div>'
    if hidden_in_details:
        code = f"<details class='hide above-input'><summary>Show code</summary>{code}</details>"
    return f'<div class="cell {tags} docutils container">{code}</div>'


def test_nbval_marker_fails_anywhere():
    assert build_report.nbval_markers("<p># NBVAL_CHECK_OUTPUT</p>")
    assert build_report.nbval_markers("<p>nothing to see</p>") == []


@pytest.mark.parametrize(
    "html, visible",
    [
        (cell('glue("fig", figure, display=False)'), True),
        (cell('glue("fig", figure, display=False)', tags="tag_hide-input"), False),
        (cell('glue("fig", figure, display=False)', tags="tag_hide-cell"), False),
        (cell('glue("fig", figure, display=False)', hidden_in_details=True), False),
        (cell("result = run_experiment(profile)"), False),
        ("<p>numbers are inserted with glue(...)</p>", False),  # prose, not a code cell
    ],
)
def test_visible_glue_calls(html, visible):
    assert bool(build_report.visible_glue_calls(page(html))) == visible


def test_shared_paths():
    assert build_report.shared_paths("copied from ../shared/data/seaice")
    assert build_report.shared_paths("see /work/shared/papers")
    assert build_report.shared_paths("a shared encoder in ../sharedness") == []


@pytest.mark.parametrize(
    "alt, classes, problem",
    [
        ("Two line charts of latent coordinates against time", [], None),
        ("Log-log chart with the pixel sizes labelled 1/32 to 1/256", [], None),
        ("../_images/3f2a9c.png", [], "file name"),
        ("figure.png", [], "file name"),
        ("d2a5f0c3b1e4a7b8c9d0e1f2a3b4c5d6", [], "file name"),
        ("", [], "no alt text"),
        (None, [], "no alt text"),
        ("", ["lightbox-trigger"], None),  # decorative thumbnail of a lightbox
    ],
)
def test_alt_text_problem(alt, classes, problem):
    found = build_report.alt_text_problem(alt, classes)
    assert (found is None) if problem is None else (problem in found)


def save_figure(path: Path, dpi: float) -> Path:
    figure, axis = plt.subplots(figsize=(1, 1))
    axis.plot([0, 1])
    figure.savefig(path, dpi=dpi)
    plt.close(figure)
    return path


def test_png_dpi_reads_what_matplotlib_wrote(tmp_path):
    assert build_report.png_dpi(save_figure(tmp_path / "a.png", 150)) == pytest.approx(150, abs=0.1)
    assert build_report.png_dpi(save_figure(tmp_path / "b.png", 100)) == pytest.approx(100, abs=0.1)
    Image.new("L", (4, 4)).save(tmp_path / "c.png")  # no pHYs chunk
    assert build_report.png_dpi(tmp_path / "c.png") is None
    (tmp_path / "d.png").write_bytes(b"GIF89a")
    with pytest.raises(ValueError, match="not a PNG"):
        build_report.png_dpi(tmp_path / "d.png")


def test_image_problems_on_a_built_page(tmp_path):
    images = tmp_path / "_images"
    images.mkdir()
    save_figure(images / "sharp.png", 150)
    save_figure(images / "blurry.png", 100)
    book = tmp_path / "book"
    book.mkdir()
    soup = page(
        '<img src="../_images/sharp.png" alt="A chart of the loss">'
        '<img src="../_images/sharp.png" alt="" class="lightbox-trigger">'
        '<img src="../_images/blurry.png" alt="../_images/blurry.png">'
    )
    count, problems = build_report.image_problems(soup, book / "chapter.html")
    assert count == 2  # the lightbox copy of an image counts once
    assert any("blurry.png is saved at 100 dpi" in problem for problem in problems)
    assert any("file name as alt text" in problem for problem in problems)
    assert not any("sharp.png" in problem for problem in problems)


def test_unresolved_citations_and_references():
    unresolved = (
        '<p>bad <span class="bibtex-citation" id="id2">[]</span>, '
        'also <span class="xref std std-doc">nowhere</span>.</p>'
    )
    problems = build_report.unresolved_citations(page(unresolved))
    assert len(problems) == 2
    assert "unknown bibliography key" in problems[0] and "'nowhere'" in problems[1]
    resolved = (
        '<p><span class="bibtex-citation">[<a class="reference internal" href="#id5">Zhu '
        '<em>et al.</em>, 2025</a>]</span> and <a class="reference internal" href="x.html">'
        '<span class="xref std std-doc">x</span></a></p>'
    )
    assert build_report.unresolved_citations(page(resolved)) == []
    assert build_report.unresolved_citations(page('<span class="problematic">:cite:`x`</span>'))


def test_network_resources():
    soup = page(
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>'
        '<script src="../_static/mathjax/tex-chtml.js"></script>'
    )
    problems = build_report.network_resources(soup, str(soup))
    assert len(problems) == 1 and "cdn.jsdelivr.net" in problems[0]
    state = '<script type="application/vnd.jupyter.widget-state+json">{}</script>'
    assert build_report.network_resources(page(state), state)


def test_check_page_reports_every_problem(tmp_path):
    html = tmp_path / "html"
    (html / "book").mkdir(parents=True)
    (html / "book" / "chapter.html").write_text(
        "<html><body><main>"
        + cell("# NBVAL_CHECK_OUTPUT\nprint(1)")
        + cell('glue("x", 1)')
        + "<p>from ../shared/data</p></main></body></html>"
    )
    report = build_report.check_page("book/chapter", html, root=tmp_path)
    assert not report.ok
    assert len(report.problems) == 3
    missing = build_report.check_page("book/absent", html, root=tmp_path)
    assert missing.problems and "page missing" in missing.problems[0]


def test_toc_files_lists_the_root_first(tmp_path):
    toc = tmp_path / "_toc.yml"
    toc.write_text("root: book/intro\nparts:\n  - caption: A\n    chapters:\n      - file: book/one\n")
    assert build_report.toc_files(toc) == ["book/intro", "book/one"]


def test_raw_output_in_prose():
    from bs4 import BeautifulSoup

    page = BeautifulSoup(
        "<p>The &lt;IPython.core.display.Markdown object&gt; trained with $\\lambda = 0$.</p>"
        "<pre>cost = $x$</pre><p>Rendered <span class='math'>\\(\\lambda\\)</span>.</p>",
        "html.parser",
    )
    problems = build_report.raw_output_in_prose(page)
    assert len(problems) == 2
    assert (
        "IPython.core.display.Markdown object" in problems[0]
        and "lambda = 0$" in problems[1]
        and "key:myst" in problems[1]
    )
    assert build_report.raw_output_in_prose(BeautifulSoup("<p>ok <code>$x$</code></p>", "html.parser")) == []


LONG = "Over 3 recorded seeds (0, 1, 2; 120 test videos each), the paired difference is +0.0 points."


def test_repeated_paragraphs_fail_and_short_or_single_ones_pass():
    problems = build_report.repeated_paragraphs(page(f"<p>{LONG}</p><div><p>{LONG}</p></div><p>{LONG}</p>"))
    assert len(problems) == 1 and "3 times" in problems[0]
    assert build_report.repeated_paragraphs(page("<p>Not run.</p><p>Not run.</p>" + f"<p>{LONG}</p>")) == []


def test_inline_lists_fail_and_lists_maths_and_dashes_pass():
    assert build_report.inline_lists(page("<p>- Damped: ahead on 0. - Elastic: not testable.</p>"))
    assert build_report.inline_lists(page("<p>Measured per scene: - crack formation: 13.8 dB</p>"))
    fine = (
        "<ul><li><p>Damped: ahead on 0.</p></li></ul>"
        "<p>The error \\(|D(E(X)) - X|^2\\) and 3 - 2 = 1; a dash – here; x-axis.</p>"
    )
    assert build_report.inline_lists(page(fine)) == []


def table_html(columns: int, rows: int = 2, text: str = "1.5") -> str:
    header = "<tr>" + "".join(f"<th>c{i}</th>" for i in range(columns)) + "</tr>"
    body = "".join("<tr>" + "".join(f"<td>{text}</td>" for _ in range(columns)) + "</tr>" for _ in range(rows))
    return f"<table><thead>{header}</thead><tbody>{body}</tbody></table>"


def test_table_problems_catch_empty_too_many_columns_and_too_wide():
    assert build_report.table_problems(page(table_html(7))) == []
    empty = build_report.table_problems(page(table_html(5, rows=0)))
    assert len(empty) == 1 and "no data cells" in empty[0]
    wide = build_report.table_problems(page(table_html(9)))
    assert len(wide) == 1 and "9 columns" in wide[0]
    long_words = build_report.table_problems(page(table_html(5, text="x" * 30)))
    assert len(long_words) == 1 and "characters" in long_words[0]


def test_missing_announced_tables():
    shown = "<h2>A</h2><p>The table below lists it.</p>" + table_html(3) + "<h2>B</h2>"
    assert build_report.missing_announced_tables(page(shown)) == []
    missing = "<h2>A</h2><p>The table below lists it.</p><h2>B</h2>" + table_html(3)
    problems = build_report.missing_announced_tables(page(missing))
    assert len(problems) == 1 and "section" in problems[0]
    assert build_report.missing_announced_tables(page("<p>See the following table.</p>"))


def test_figure_data_warnings_are_read_from_the_executed_notebook(tmp_path):
    import json
    import warnings

    import numpy as np

    from latentdyn.plotting.style import FigureDataWarning, finish, new_figure

    figure, axes = new_figure(1, 2)
    axes[0, 0].bar([0, 1], [0.0, np.nan])
    axes[0, 0].set_title("VPT")
    axes[0, 1].plot([0, 1], [1.0, 2.0])
    with pytest.warns(FigureDataWarning, match="VPT: every bar is zero"):
        finish(figure)
    fine, axes = new_figure(1, 1)
    axes[0, 0].bar([0, 1], [0.0, 3.0])
    axes[0, 0].axhline(0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FigureDataWarning)
        finish(fine)
    missing, axes = new_figure(1, 1)
    axes[0, 0].plot([0, 1], [np.nan, np.nan])
    with pytest.warns(FigureDataWarning, match="no curve"):
        finish(missing)

    notebook = tmp_path / "chapter.ipynb"
    stderr = "/src/plots.py:12: FigureDataWarning: VPT: every bar is zero or missing\n  return finish(figure)\n"
    notebook.write_text(json.dumps({"cells": [{"outputs": [{"name": "stderr", "text": [stderr]}]}, {"outputs": []}]}))
    problems = build_report.figure_data_warnings(notebook)
    assert problems == ["draws a figure without data: VPT: every bar is zero or missing"]
    assert build_report.figure_data_warnings(tmp_path / "absent.ipynb") == []


def test_plot_vpt_says_in_words_when_every_vpt_is_zero():
    import warnings

    import pandas as pd

    from latentdyn.cpae.figures import plot_vpt
    from latentdyn.plotting.style import FigureDataWarning

    index = pd.MultiIndex.from_product(
        [["standard AE", "CpAE"], ["Neural ODE", "HNN"]], names=["autoencoder", "latent model"]
    )
    zeros = pd.DataFrame({"VPT mean (%)": 0.0, "VPT SE (%)": 0.0}, index=index)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FigureDataWarning)
        figure = plot_vpt(zeros)
    assert "Every VPT by relative frame error is 0 %" in " ".join(text.get_text() for text in figure.axes[0].texts)
    assert not figure.axes[0].containers
