# One-command set-up, build and test of the book. Needs only Python 3.11 (or PYTHON=...).
#   make book    set-up, then build the book with execution into _build/html (cached)
#   make test    set-up, lint (ruff, import contracts), unit tests, notebook sync check, nbval
#                re-execution, clean -W build
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Real sea-ice imagery: the first of these folders that exists (a clone outside the project's
# workspace still finds the shared copy); override with SEAICE_SOURCE=...
SEAICE_SOURCE ?= $(firstword $(wildcard ../shared/data/seaice /work/shared/data/seaice) ../shared/data/seaice)
TORCH_PIN := torch==2.13.0
CHAPTERS ?=
# nbval re-executes each chapter with other CPU kernels than its reference was recorded with (make
# reference uses the machine's best and writes which into the notebook): tools/other_isa.py plan
# keeps this machine's own kernels for references recorded on another capability (AVX-512
# references on an AVX2 machine), and limits oneDNN, MKL and ATen one step down for those
# recorded here (to AVX2 on an AVX-512 machine; oneDNN and MKL to AVX on an AVX2 one), standing in for another
# machine, so a reference that depends on the CPU fails here, not on a reader's machine.
# NBVAL_ISA=native (or AVX2, AVX) forces one choice for every chapter.
NBVAL_ISA ?=
CHAPTER ?=
ARGS ?=

.PHONY: help setup book test lint unit sync nbval build-check times reference prose rerun params external-data clean

help:
	@echo "make book        set-up and build the book into _build/html"
	@echo "make test        set-up, lint, unit tests, sync check, nbval, clean build with -W"
	@echo "make times       the budget: every chapter in book order, this machine's kernels, empty data cache"
	@echo "make reference [CHAPTERS='name ...']  re-record tests/notebooks from book/*.md (after a code edit)"
	@echo "make prose       copy the chapters' markdown into tests/notebooks (no execution; a prose"
	@echo "                 edit needs nothing else: the sync check compares code cells only)"
	@echo "make rerun CHAPTER=name ARGS='-p seed 3'   papermill run into _build/runs/ (unknown names fail)"
	@echo "make params CHAPTER=name                    a chapter's parameters: type, default, comment"
	@echo "make setup       the venv (torch first and alone) and the sea-ice imagery; every target runs it"
	@echo "make lint | unit | sync | nbval | build-check  the five steps of make test, one at a time"
	@echo "                 (lint: ruff check, ruff format --check, the import contracts of pyproject.toml)"
	@echo "                 (nbval: NBVAL_ISA=native|AVX2|AVX forces the kernels of every chapter)"
	@echo "make clean       remove _build (the data cache data/cache stays)"

setup: $(STAMP) external-data

# torch first and alone: a pinned CPU build is available locally, and installing it before
# anything else keeps pip from pulling a CUDA build as a dependency.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH_PIN)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name latentdyn --display-name "Python (latentdyn)" >/dev/null
	touch $(STAMP)

# Real sea-ice imagery (BSD-3, not committed): copied from ../shared when present.
external-data:
	if [ -d "$(SEAICE_SOURCE)" ] && [ ! -d data/external/seaice ]; then
	  mkdir -p data/external/seaice && cp "$(SEAICE_SOURCE)"/* data/external/seaice/
	  echo "copied sea-ice imagery from $(SEAICE_SOURCE) into data/external/seaice"
	fi

book: setup
	$(BIN)/jupyter-book build . --keep-going
	@echo "open _build/html/index.html"

# ruff (style and errors; `ruff format` fixes the layout) and import-linter (no circles, layers,
# the two papers' paths independent), both configured in pyproject.toml: seconds.
lint: setup
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/lint-imports

unit: setup
	$(BIN)/python -m pytest tests --ignore=tests/notebooks -q

sync: setup
	$(BIN)/python tools/notebooks.py check

# Re-execute every reference notebook; only cells marked NBVAL_CHECK_OUTPUT are compared.
# Recorded with OMP_NUM_THREADS=1 (make reference), checked with 2: the printed numbers
# must not depend on the thread count.
nbval: setup
	mkdir -p _build && rm -f _build/nbval-times*.xml
	NBVAL_ISA=$(NBVAL_ISA) $(BIN)/python tools/other_isa.py plan tests/notebooks > _build/nbval-plan.txt
	group=0; failed=0
	while IFS='|' read -r kernels notebooks; do
	  group=$$((group + 1))
	  echo "nbval with $${kernels:-the CPU kernels of this machine}: $$(echo $$notebooks | wc -w) chapter(s)"
	  env $$kernels OMP_NUM_THREADS=2 LATENTDYN_PROGRESS=0 LATENTDYN_CHECKED_VALUES=check $(BIN)/python -m pytest --nbval-lax $$notebooks \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=900 -p no:cacheprovider -q \
	    --junitxml=_build/nbval-times-$$group.xml < /dev/null || failed=1
	done < _build/nbval-plan.txt
	$(BIN)/python tools/chapter_times.py _build/nbval-times-*.xml
	exit $$failed

# A clean build (fresh output folder, so the execution cache cannot hide a change in src/),
# with warnings as errors.
build-check: setup
	rm -rf _build/test
	$(BIN)/jupyter-book build . -W --keep-going --path-output _build/test
	$(BIN)/python tools/build_report.py _build/test/_build/html

test: lint unit sync nbval build-check

# The book budget as a reader meets it: every chapter re-executed in book order with this
# machine's own kernels into an empty data cache (only the real imagery is linked in), so each
# chapter pays for the trainings it is the first to need; checked like nbval. On two cores:
# 22.4 min on an Intel Xeon with AVX-512, 37.0 min on an AMD EPYC with AVX2 only.
# Per-chapter times in _build/book-times.txt.
times: setup
	mkdir -p _build
	cold=$$(mktemp -d) && trap 'rm -rf "$$cold"' EXIT
	if [ -d data/external ]; then ln -s "$$(pwd)/data/external" "$$cold/external"; fi
	LATENTDYN_DATA_DIR=$$cold OMP_NUM_THREADS=2 LATENTDYN_PROGRESS=0 LATENTDYN_CHECKED_VALUES=check \
	  $(BIN)/python -m pytest --nbval-lax $$($(BIN)/python tools/toc.py tests/notebooks) \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=900 -p no:cacheprovider -q \
	  --junitxml=_build/book-times.xml < /dev/null || failed=1
	$(BIN)/python tools/chapter_times.py _build/book-times.xml | tee _build/book-times.txt
	exit $${failed:-0}

reference: setup
	OMP_NUM_THREADS=1 LATENTDYN_CHECKED_VALUES=record $(BIN)/python tools/notebooks.py record $(CHAPTERS)

prose: setup
	$(BIN)/python tools/notebooks.py prose

# papermill only warns about a parameter the chapter does not have; tools/chapter_parameters.py
# refuses it (listing the chapter's parameters) before running papermill with the same options.
# Relative paths in ARGS are the caller's: $(PWD) is the directory make was started from (also
# under make -C, where the recipe's own shell starts in the project and resets $$PWD).
rerun: setup
	test -n "$(CHAPTER)" || { echo "usage: make rerun CHAPTER=name ARGS='-p seed 3'"; exit 2; }
	LATENTDYN_CALLER_CWD="$${LATENTDYN_CALLER_CWD:-$(or $(PWD),$(CURDIR))}" LATENTDYN_PROGRESS=text $(BIN)/python tools/chapter_parameters.py run $(CHAPTER) $(ARGS)

params: setup
	test -n "$(CHAPTER)" || { echo "usage: make params CHAPTER=name"; exit 2; }
	$(BIN)/python tools/chapter_parameters.py show $(CHAPTER)

clean:
	rm -rf _build
