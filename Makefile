# The two commands: `make run` (the platform) and `make test` (the suite). See README.md.
.PHONY: run test lint format benchmarks services-stop

run:
	scripts/run.sh

test:
	scripts/test.sh $(ARGS)

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

benchmarks:
	scripts/benchmarks.sh

services-stop:
	.venv/bin/python -m organiser.devservices stop
