"""A chapter's parameters, and reruns that refuse a parameter the chapter does not have.

    python tools/chapter_parameters.py show CHAPTER              # make params CHAPTER=...
    python tools/chapter_parameters.py run CHAPTER [PAPERMILL OPTIONS]   # make rerun ...

``show`` prints the chapter's ``parameters`` cell as papermill reads it (name, type, default,
comment). ``run`` converts ``book/CHAPTER.md`` to ``_build/runs/CHAPTER.input.ipynb``, checks
that every parameter passed with ``-p``, ``-r``, ``-y``, ``-f`` or ``-b`` exists in the chapter
(papermill itself only warns about an unknown one and runs with the defaults), then runs
papermill with the same options into ``_build/runs/CHAPTER.ipynb`` from ``book/``.

Papermill runs the chapter from ``book/``, so the directory the user ran the command from is
passed on as ``$LATENTDYN_CALLER_CWD`` (:func:`caller_directory`): the chapters resolve relative
paths (``image_pair_paths``, ``frames_folder``, ...) against it, not against ``book/``.
"""

from __future__ import annotations

import argparse
import base64
import difflib
import os
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml

from notebooks import ROOT, chapters

RUNS = ROOT / "_build" / "runs"


class UnknownParameterError(ValueError):
    """A rerun passes a parameter that the chapter's parameters cell does not define."""


def chapter_source(name: str) -> Path:
    """``book/<name>.md`` of an executable chapter, or ``SystemExit`` listing the chapters."""
    known = {path.stem: path for path in chapters()}
    if name not in known:
        raise SystemExit(f"no chapter {name!r}; chapters: {', '.join(sorted(known))}")
    return known[name]


def convert(name: str, folder: Path = RUNS) -> Path:
    """Write the chapter as a notebook ``folder/<name>.input.ipynb`` (what papermill reads)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.input.ipynb"
    nbformat.write(jupytext.read(chapter_source(name)), target)
    return target


def parameters_of(notebook: Path) -> dict[str, dict]:
    """papermill's reading of the ``parameters`` cell: name -> {inferred_type_name, default, help}."""
    import papermill

    return papermill.inspect_notebook(str(notebook))


def passed_parameter_names(arguments: list[str]) -> list[str]:
    """Names of the parameters that papermill command-line ``arguments`` set, in order."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("-p", "--parameters", nargs=2, action="append", default=[])
    parser.add_argument("-r", "--parameters_raw", nargs=2, action="append", default=[])
    parser.add_argument("-y", "--parameters_yaml", action="append", default=[])
    parser.add_argument("-f", "--parameters_file", action="append", default=[])
    parser.add_argument("-b", "--parameters_base64", action="append", default=[])
    options, _ = parser.parse_known_args(arguments)
    names = [name for name, _ in options.parameters + options.parameters_raw]
    documents = list(options.parameters_yaml)
    documents += [Path(path).read_text() for path in options.parameters_file]
    documents += [base64.b64decode(text).decode() for text in options.parameters_base64]
    for document in documents:
        values = yaml.safe_load(document) or {}
        if not isinstance(values, dict):
            raise ValueError(f"parameters given as YAML must be a mapping, got {document!r}")
        names += [str(name) for name in values]
    return names


def format_parameters(parameters: dict[str, dict]) -> str:
    """The parameters as an aligned table: name, type, default, comment."""
    rows = [("name", "type", "default", "comment")]
    rows += [
        (name, str(spec.get("inferred_type_name", "")), str(spec.get("default", "")), str(spec.get("help", "")))
        for name, spec in parameters.items()
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        f"  {row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}".rstrip() for row in rows
    )


def check_parameter_names(chapter: str, passed: list[str], parameters: dict[str, dict]) -> None:
    """Raise :class:`UnknownParameterError` (listing the chapter's parameters) for unknown names."""
    unknown = [name for name in passed if name not in parameters]
    if not unknown:
        return
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, list(parameters), n=1)
        hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    raise UnknownParameterError(
        f"unknown parameter{'s' if len(unknown) > 1 else ''} for chapter {chapter}: {', '.join(hints)}\n"
        f"The chapter's parameters are:\n{format_parameters(parameters)}"
    )


def caller_directory() -> str:
    """The directory the user ran the command from: ``$LATENTDYN_CALLER_CWD`` if already set
    (``make rerun`` sets it to the directory make was started from, also under ``make -C``,
    whose recipe shell resets ``$PWD`` to the project), else the shell's ``$PWD``, else the
    current directory."""
    for candidate in (os.environ.get("LATENTDYN_CALLER_CWD"), os.environ.get("PWD")):
        if candidate and Path(candidate).is_dir():
            return str(Path(candidate).resolve())
    return os.getcwd()


def show(chapter: str) -> int:
    print(f'parameters of {chapter} (pass them as: make rerun CHAPTER={chapter} ARGS="-p NAME VALUE"):')
    print(format_parameters(parameters_of(convert(chapter))))
    return 0


def run(chapter: str, arguments: list[str]) -> int:
    notebook = convert(chapter)
    try:
        check_parameter_names(chapter, passed_parameter_names(arguments), parameters_of(notebook))
    except (UnknownParameterError, ValueError) as error:
        print(f"make rerun: {error}", file=sys.stderr)
        return 2
    output = RUNS / f"{chapter}.ipynb"
    command = [sys.executable, "-m", "papermill", str(notebook), str(output), "--cwd", str(ROOT / "book"), *arguments]
    os.environ["LATENTDYN_CALLER_CWD"] = caller_directory()  # inherited by papermill's kernel
    status = subprocess.call(command)
    if status == 0:
        print(f"executed notebook: {output}")
    return status


def main(arguments: list[str]) -> int:
    if len(arguments) < 2 or arguments[0] not in ("show", "run"):
        print(__doc__, file=sys.stderr)
        return 2
    command, chapter, *rest = arguments
    return show(chapter) if command == "show" else run(chapter, rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
