# radar: `make demo` and `make test` set everything up themselves on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fp32 test-fast lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# torch first, pinned to the CPU build on this machine's disk: otherwise
	# sentence-transformers pulls a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/radar demo

test: $(STAMP)
	$(BIN)/pytest -q

# The same suite with fp32 embeddings: scores move the way another CPU's int8 kernels
# move them, so a test that depends on near-tie order fails here too.
test-fp32: $(STAMP)
	RADAR_EMBED_BACKEND=fp32 $(BIN)/pytest -q

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check radar tests bench
	$(BIN)/ruff format --check radar tests bench
	$(BIN)/mypy radar
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) radar-demo
