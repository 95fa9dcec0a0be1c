# ShrivenQuant developer tasks. `make help` lists them.
PY ?= .venv/bin/python
BIN := .venv/bin

.DEFAULT_GOAL := help
.PHONY: help install format lint typecheck imports test test-fast bench check ci

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

install: ## Create .venv and install the project with dev and test extras
	python3 -m venv .venv
	$(BIN)/pip install -e '.[dev,test]'

format: ## Format and auto-fix the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lint: ## Lint (ruff) and check formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: ## Type-check (mypy; strict on the core packages)
	$(BIN)/mypy

imports: ## Check the layer contracts (import-linter)
	$(BIN)/lint-imports

test: ## Run the test suite
	$(BIN)/pytest

test-fast: ## Run the tests, skipping slow ones
	$(BIN)/pytest -m "not slow" -x -q

bench: ## Run every benchmark (each prints a table and a JSON line)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

check: lint typecheck imports test ## Everything CI checks

ci: ## Run the CI script exactly as CI does (fresh venv)
	bash .ci/run
