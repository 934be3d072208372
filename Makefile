# The two commands a newcomer needs:  make run   and   make test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# the suite's worker processes (pytest-xdist): one per core of the 2-core machine it is written for
TEST_WORKERS ?= 2
# the app's port (make run PORT=8502)
PORT ?= 8501

.PHONY: run test lint format demo clean

# (re)install only when the pins or the project's metadata change; the project itself is installed
# editable (pip install -e .), so the packages are importable from anywhere without touching sys.path
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

run: $(STAMP)  ## start the app on the demo city at http://127.0.0.1:$(PORT) (PORT=8502 another port; ARGS="..." Streamlit options)
	$(PY) -m streamlit run app.py --server.port $(PORT) $(ARGS)

test: $(STAMP)  ## run the whole test suite (TEST_WORKERS=1 runs it in one process)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup

lint: $(STAMP)  ## ruff (style, complexity, docstrings) and mypy (types); run by .ci/run
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

demo: $(STAMP)  ## regenerate the demo city (deterministic)
	$(PY) scripts/make_demo_city.py --out data/xiangyang

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
