"""The array cache: reuse, keys, and detection of corrupt or partial files."""

import warnings
from pathlib import Path

import numpy as np
import pytest

from latentdyn import cache


def make_counter():
    calls = []

    def create():
        calls.append(1)
        return {"frames": np.arange(12.0).reshape(3, 4), "label": np.array(7)}

    return create, calls


def cached_file(directory):
    (path,) = list(directory.glob("frames-*.npz"))
    return path


def test_reuses_cached_arrays(tmp_path):
    create, calls = make_counter()
    first = cache.load_or_create("frames", {"n": 3}, create, directory=tmp_path)
    second = cache.load_or_create("frames", {"n": 3}, create, directory=tmp_path)
    assert len(calls) == 1
    np.testing.assert_array_equal(first["frames"], second["frames"])
    assert int(second["label"]) == 7


def test_other_parameters_other_file(tmp_path):
    create, calls = make_counter()
    cache.load_or_create("frames", {"n": 3}, create, directory=tmp_path)
    cache.load_or_create("frames", {"n": 4}, create, directory=tmp_path)
    assert len(calls) == 2
    assert cache.parameters_key({"a": 1, "b": 2}) == cache.parameters_key({"b": 2, "a": 1})


@pytest.mark.parametrize("damage", ["truncate", "flip_byte", "empty"])
def test_corrupt_file_is_regenerated(tmp_path, damage):
    create, calls = make_counter()
    cache.load_or_create("frames", {"n": 3}, create, directory=tmp_path)
    path = cached_file(tmp_path)
    content = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(content[: len(content) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        # change one stored number without touching the zip structure
        arrays = dict(np.load(path))
        arrays["frames"] = arrays["frames"] + 1
        np.savez(path, **arrays)
    with pytest.warns(RuntimeWarning, match="regenerating"):
        arrays = cache.load_or_create("frames", {"n": 3}, create, directory=tmp_path)
    assert len(calls) == 2
    np.testing.assert_array_equal(arrays["frames"], np.arange(12.0).reshape(3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cache.load_or_create("frames", {"n": 3}, create, directory=tmp_path)  # now clean


def test_no_temporary_files_left(tmp_path):
    create, _ = make_counter()
    cache.load_or_create("frames", {"n": 3}, create, directory=tmp_path)
    assert [p.suffix for p in tmp_path.iterdir()] == [".npz"]


def test_data_root_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENTDYN_DATA_DIR", str(tmp_path))
    assert cache.data_root() == tmp_path
    assert cache.cache_dir() == tmp_path / "cache"


def test_data_root_is_project_data_folder(monkeypatch):
    monkeypatch.delenv("LATENTDYN_DATA_DIR", raising=False)
    root = cache.project_root()
    assert root is not None and (root / "_toc.yml").is_file()
    assert cache.data_root() == root / "data"


def test_project_folder_inside_and_outside_the_project(monkeypatch):
    root = cache.project_root()
    assert cache.project_folder(Path("data") / "reference", "references") == root / "data" / "reference"
    monkeypatch.setattr(cache, "project_root", lambda start=None: None)
    with pytest.raises(FileNotFoundError, match="references live in the project's data/reference"):
        cache.project_folder(Path("data") / "reference", "references")


def test_bad_name(tmp_path):
    with pytest.raises(ValueError, match="name must be a non-empty file-name prefix"):
        cache.load_or_create("a/b", {}, dict, directory=tmp_path)


def test_cache_path_is_the_file_load_or_create_writes(tmp_path):
    params = {"a": 1, "b": [2, 3]}
    path = cache.cache_path("thing", params, directory=tmp_path)
    assert not path.exists()
    cache.load_or_create("thing", params, lambda: {"x": np.arange(3)}, directory=tmp_path)
    assert path.is_file() and sorted(tmp_path.iterdir()) == [path]
    with pytest.raises(ValueError, match="name"):
        cache.cache_path("a/b", params, directory=tmp_path)


def test_source_fingerprint_follows_the_code(tmp_path, monkeypatch):
    from latentdyn import cache

    first = cache.source_fingerprint("cpae/models/autoencoder.py", "cpae/models/training.py")
    assert first == cache.source_fingerprint("cpae/models/training.py", "cpae/models/autoencoder.py")  # a set of files
    assert first != cache.source_fingerprint("cpae/models/autoencoder.py")
    with pytest.raises(FileNotFoundError, match="no such package file"):
        cache.source_fingerprint("cpae/models/missing.py")


FORMS = {
    "original": {"a": '"""Doc."""\nimport numpy\n\ndef f(x):\n    return x + 1\n\n\ndef g(x):\n    return 2 * x\n'},
    "reformatted": {
        "a": "from numpy import pi\ndef f(x):  # one more\n    '''New doc.'''\n    return (x\n"
        "            + 1)\ndef g(x): return 2*x\n"
    },
    "moved": {"b": "def g(x):\n    return 2 * x\n", "c": "def f(x):\n    return x + 1\n"},
    # a file that declares its own fingerprint names files, which a move renames: not code
    "self-declared": {
        "d": 'CODE = source_fingerprint("self-declared/d.py")\ndef f(x):\n    return x + 1\n',
        "e": "def g(x):\n    return 2 * x\n",
    },
    "other constant": {"a": "def f(x):\n    return x + 2\n\n\ndef g(x):\n    return 2 * x\n"},
    "other name": {"a": "def f(x):\n    return x + 1\n\n\ndef g(y):\n    return 2 * y\n"},
}


def test_source_fingerprint_sees_code_not_form(tmp_path, monkeypatch):
    """Formatting, comments, docstrings, imports, moving definitions and a file's own fingerprint
    declaration leave it; a change of what
    the code computes does not."""
    from latentdyn import cache

    monkeypatch.setattr(cache, "__file__", str(tmp_path / "cache.py"))
    prints = {}
    for form, files in FORMS.items():
        folder = tmp_path / form
        folder.mkdir()
        for name, text in files.items():
            (folder / f"{name}.py").write_text(text)
        prints[form] = cache.source_fingerprint(*(f"{form}/{name}.py" for name in files))
    assert prints["original"] == prints["reformatted"] == prints["moved"] == prints["self-declared"]
    assert len({prints["original"], prints["other constant"], prints["other name"]}) == 3
