"""tools/chapter_parameters.py: reruns refuse a parameter the chapter does not have."""

import base64
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import chapter_parameters

PARAMETERS = {
    "profile": {"inferred_type_name": "str", "default": '"book"', "help": "smoke | book | paper"},
    "seed": {"inferred_type_name": "int", "default": "0", "help": "seeds everything"},
    "epochs": {"inferred_type_name": "None", "default": "None", "help": "training epochs"},
}


def test_names_from_every_papermill_option(tmp_path):
    parameters_file = tmp_path / "p.yaml"
    parameters_file.write_text("seed: 4\n")
    encoded = base64.b64encode(b"epochs: 2").decode()
    arguments = [
        "-p",
        "profile",
        "smoke",
        "-r",
        "seed",
        "3",
        "-y",
        "epochs: 5\nextra: 1",
        "-f",
        str(parameters_file),
        "-b",
        encoded,
        "--log-output",
        "-k",
        "python3",
    ]
    assert chapter_parameters.passed_parameter_names(arguments) == [
        "profile",
        "seed",
        "epochs",
        "extra",
        "seed",
        "epochs",
    ]


def test_long_option_names_are_not_abbreviated():
    assert chapter_parameters.passed_parameter_names(["--parameters", "seed", "1"]) == ["seed"]
    assert chapter_parameters.passed_parameter_names(["--param", "seed", "1"]) == []


def test_yaml_parameters_must_be_a_mapping():
    with pytest.raises(ValueError, match="must be a mapping"):
        chapter_parameters.passed_parameter_names(["-y", "[1, 2]"])


def test_known_names_pass():
    chapter_parameters.check_parameter_names("chapter", ["seed", "epochs"], PARAMETERS)


def test_unknown_name_is_refused_with_the_list_and_a_suggestion():
    with pytest.raises(chapter_parameters.UnknownParameterError) as error:
        chapter_parameters.check_parameter_names("cpae_1_circle", ["epochz", "seed"], PARAMETERS)
    message = str(error.value)
    assert "unknown parameter for chapter cpae_1_circle: 'epochz' (did you mean 'epochs'?)" in message
    for name in PARAMETERS:
        assert name in message


def test_format_parameters_aligns_the_columns():
    lines = chapter_parameters.format_parameters(PARAMETERS).splitlines()
    assert lines[0].split() == ["name", "type", "default", "comment"]
    assert lines[2].startswith("  seed     int   0")


def test_parameters_of_the_theory_chapter(tmp_path):
    notebook = chapter_parameters.convert("continuity_theory", tmp_path)
    parameters = chapter_parameters.parameters_of(notebook)
    assert list(parameters)[:3] == ["profile", "seed", "device"]
    assert parameters["seed"]["inferred_type_name"] == "int"
    assert "seeds" in parameters["seed"]["help"]


def test_unknown_chapter_lists_the_chapters():
    with pytest.raises(SystemExit, match="no chapter 'nonexistent'; chapters: .*continuity_theory"):
        chapter_parameters.chapter_source("nonexistent")


def test_run_refuses_before_executing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(chapter_parameters, "RUNS", tmp_path)
    called = []
    monkeypatch.setattr(chapter_parameters.subprocess, "call", lambda command: called.append(command) or 0)
    assert chapter_parameters.run("continuity_theory", ["-p", "seeed", "3"]) == 2
    assert called == []
    assert "did you mean 'seed'?" in capsys.readouterr().err
    assert chapter_parameters.run("continuity_theory", ["-p", "seed", "3"]) == 0
    assert called and called[0][-3:] == ["-p", "seed", "3"]
