"""Where generated data lives, and a cache of NumPy arrays keyed by the parameters that made them.

Generated datasets and experiment results are stored under ``<project>/data/cache`` as
``<name>-<key>.npz``, where ``key`` hashes the generating parameters. Every file carries a
SHA-256 checksum of its contents; a file that is truncated, unreadable or whose checksum
does not match is reported with a warning, deleted and regenerated, never silently used.
Files are written to a temporary name and renamed, so an interrupted write never leaves a
file that looks complete.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

PARAMS_KEY = "__params__"
CHECKSUM_KEY = "__checksum__"


class CorruptCacheError(RuntimeError):
    """A cache file exists but cannot be trusted."""


def project_root(start: Path | None = None) -> Path | None:
    """Return the book's root folder (the one holding ``_toc.yml`` and ``src/latentdyn``)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file() and (folder / "src" / "latentdyn").is_dir():
            return folder
    package_root = Path(__file__).resolve().parents[2]
    if (package_root / "_toc.yml").is_file():
        return package_root
    return None


def project_folder(relative: Path, what: str) -> Path:
    """``<project>/<relative>``; ``FileNotFoundError`` naming ``what`` lives there when no project
    folder is found (the committed reference data is not available outside a checkout)."""
    root = project_root()
    if root is None:
        raise FileNotFoundError(
            f"{what} live in the project's {Path(relative).as_posix()}: run from inside the project"
        )
    return root / relative


def data_root() -> Path:
    """Folder for data: ``$LATENTDYN_DATA_DIR``, else ``<project>/data``, else ``~/.cache/latentdyn``."""
    configured = os.environ.get("LATENTDYN_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    root = project_root()
    if root is not None:
        return root / "data"
    return Path.home() / ".cache" / "latentdyn"


def cache_dir() -> Path:
    """Folder of generated, re-creatable files (git-ignored)."""
    return data_root() / "cache"


def parameters_key(params: Mapping[str, Any]) -> str:
    """A short, stable hash of a JSON-serialisable parameter mapping."""
    text = json.dumps(params, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def arrays_digest(arrays: Mapping[str, np.ndarray]) -> str:
    """SHA-256 of named arrays (name, dtype, shape and bytes of each, in name order): the checksum
    of a cache file, and the content key of results computed from arrays (trained models, test
    videos)."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(name.encode())
        digest.update(str(array.dtype).encode())
        digest.update(str(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _checksum(arrays: Mapping[str, np.ndarray]) -> str:
    return arrays_digest({name: value for name, value in arrays.items() if name != CHECKSUM_KEY})


def save_arrays(path: Path, arrays: Mapping[str, np.ndarray], params: Mapping[str, Any]) -> None:
    """Write ``arrays`` and ``params`` to ``path`` atomically, with a checksum."""
    content = {name: np.asarray(value) for name, value in arrays.items()}
    for reserved in (PARAMS_KEY, CHECKSUM_KEY):
        if reserved in content:
            raise ValueError(f"arrays must not use the reserved name {reserved!r}")
    content[PARAMS_KEY] = np.array(json.dumps(params, sort_keys=True, default=str))
    content[CHECKSUM_KEY] = np.array(_checksum(content))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **content)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    """Read a cache file and verify its checksum; raise ``CorruptCacheError`` if it fails."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise CorruptCacheError(f"cannot read {path}: {error}") from error
    if CHECKSUM_KEY not in arrays:
        raise CorruptCacheError(f"{path} has no checksum")
    if str(arrays.pop(CHECKSUM_KEY)) != _checksum(arrays):
        raise CorruptCacheError(f"{path} does not match its checksum")
    arrays.pop(PARAMS_KEY, None)
    return arrays


def cache_path(name: str, params: Mapping[str, Any], *, directory: Path | None = None) -> Path:
    """The file :func:`load_or_create` uses for ``(name, params)`` (it may not exist yet).

    Raises:
        ValueError: ``name`` is empty or contains a path separator.
    """
    if not name or any(char in name for char in "/\\"):
        raise ValueError(f"name must be a non-empty file-name prefix, got {name!r}")
    return (directory or cache_dir()) / f"{name}-{parameters_key(params)}.npz"


def load_or_create(
    name: str,
    params: Mapping[str, Any],
    create: Callable[[], Mapping[str, np.ndarray]],
    *,
    directory: Path | None = None,
) -> dict[str, np.ndarray]:
    """Return the arrays cached for ``(name, params)``, creating and storing them if needed.

    Args:
        name: a file-name prefix such as ``"disc_frames"``.
        params: everything that determines the arrays (JSON-serialisable).
        create: called with no argument when the cache is missing or corrupt.
        directory: where to store; default :func:`cache_dir`.
    """
    path = cache_path(name, params, directory=directory)
    if path.exists():
        try:
            return load_arrays(path)
        except CorruptCacheError as error:
            warnings.warn(f"{error}; regenerating it", RuntimeWarning, stacklevel=2)
            path.unlink(missing_ok=True)
    arrays = {key: np.asarray(value) for key, value in create().items()}
    save_arrays(path, arrays, params)
    return arrays


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _declares_fingerprint(statement: ast.stmt) -> bool:
    """``NAME = source_fingerprint("a.py", ...)``: it names files (which a move renames), it computes
    nothing the fingerprint stands for."""
    value = getattr(statement, "value", None)
    return (
        isinstance(statement, (ast.Assign, ast.AnnAssign))
        and isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "source_fingerprint"
    )


class _WhatRuns(ast.NodeTransformer):
    """Drops what does not change what code computes: docstrings, import statements (the
    imported code, where it matters, is fingerprinted in its own right), a module's declaration of
    its own fingerprint (it names files) and type annotations
    (an annotated assignment keeps its target and value: a dataclass field stays a field)."""

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.annotation = None
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.returns = None
        return self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        node.annotation = ast.Constant(None)
        return self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                kept = [
                    s for s in body if not isinstance(s, (ast.Import, ast.ImportFrom)) and not _declares_fingerprint(s)
                ]
                if (
                    kept
                    and _is_docstring(kept[0])
                    and isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                ):
                    kept = kept[1:]
                setattr(node, field, kept or ([ast.Pass()] if field == "body" else []))
        return node


def code_statements(source: str) -> list[str]:
    """The top-level statements of Python ``source`` as canonical text (:func:`ast.dump`), without
    docstrings, imports, type annotations, comments or formatting: what :func:`source_fingerprint`
    hashes."""
    tree = _WhatRuns().visit(ast.parse(source))
    return [ast.dump(statement) for statement in tree.body]


def source_fingerprint(*relative_paths: str) -> str:
    """A short hash of the code in package source files (paths relative to ``latentdyn/``).

    Part of the cache keys of anything whose result depends on code rather than only on
    parameters (a trained model): an edit of what that code computes, even one that merely
    reorders how parameters are initialised inside a function, then never reuses results made
    by other code. It hashes the set of top-level statements of the files together
    (:func:`code_statements`), so neither a comment, a docstring, a type annotation,
    formatting, an import line, the order of definitions, moving a definition between the files
    nor renaming or moving a file changes it.
    """
    package = Path(__file__).resolve().parent
    statements: list[str] = []
    for relative in relative_paths:
        path = package / relative
        if not path.is_file():
            raise FileNotFoundError(f"source_fingerprint: no such package file {relative!r}")
        statements += code_statements(path.read_text(encoding="utf-8"))
    digest = hashlib.sha256()
    for statement in sorted(statements):
        digest.update(statement.encode())
        digest.update(b"\n")
    return digest.hexdigest()[:12]
