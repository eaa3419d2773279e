# Two entry points for a fresh machine: `make demo` (the main job) and `make test` (the suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     := build/demo.db

.PHONY: demo test lint bench clean

$(BIN)/contactexport: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/contactexport
	mkdir -p build
	rm -f $(DB) $(DB)-wal $(DB)-shm
	$(BIN)/contactexport simulate --conversations 2000 --seed 7 -o build/events.jsonl.gz
	$(BIN)/contactexport --db $(DB) ingest build/events.jsonl.gz fixtures/sample/events.jsonl
	$(BIN)/contactexport --db $(DB) replay
	$(BIN)/contactexport --db $(DB) export -o build/contact-export.csv
	$(BIN)/contactexport --db $(DB) summary --by channel --metric "Queued-to-Fulfilled Time"

test: $(BIN)/contactexport
	$(BIN)/python -m pytest -q

lint: $(BIN)/contactexport
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(BIN)/contactexport
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build
