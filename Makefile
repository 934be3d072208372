# The two commands a newcomer needs:  make run   and   make test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint format demo clean

# (re)install only when requirements.txt changes
$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

run: $(STAMP)  ## start the app on the demo city at http://127.0.0.1:8501 (ARGS="..." passes Streamlit options)
	$(PY) -m streamlit run app.py --server.port 8501 $(ARGS)

test: $(STAMP)  ## run the whole test suite
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

demo: $(STAMP)  ## regenerate the demo city (deterministic)
	$(PY) scripts/make_demo_city.py --out data/xiangyang

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
