# zkaid: the two set-up commands for a fresh machine are `make pilot` and `make test`.
# Both create the virtual environment and install everything they need themselves.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: pilot demo test lint typecheck bench linkage-reference clean venv

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[all,dev]"
	@touch $(STAMP)

venv: $(STAMP)

## The main job: the end-to-end pilot on the embedded defaults.
pilot: $(STAMP)
	$(PY) -m zkaid pilot

## The tour's set-up: a dev service, two agencies, a wallet, a field device, sample answers in ./zkaid-demo.
demo: $(STAMP)
	$(PY) -m zkaid demo

## The test suite (also what .ci/run runs).
test: $(STAMP)
	SDL_VIDEODRIVER=offscreen $(PY) -m pytest -q

## ruff's lint rules (pyproject.toml), the same check tests/test_quality.py runs. The code is
## not laid out by `ruff format` (lines run to about 120 characters), so that is not checked.
lint: $(STAMP)
	$(PY) -m ruff check .

## mypy --strict on every package (the same check tests/test_quality.py runs).
typecheck: $(STAMP)
	$(PY) -m mypy appkit sdk verifier_service wallet_app field_app zkaid

bench: $(STAMP)
	$(PY) bench/bbs.py
	$(PY) bench/presentation.py
	$(PY) bench/qr.py

## bench/linkage.py's reference, clkhash + anonlink, printed in the same run. clkhash 0.18.3
## pins cryptography < 41, which zkaid cannot use, so it goes in without its pins (it runs
## with the newer cryptography); its other needs are installed normally.
linkage-reference: $(STAMP)
	$(PY) -m pip install --quiet jsonschema "bitarray>=2.6" tqdm
	$(PY) -m pip install --quiet --no-deps "clkhash==0.18.3" "anonlink==0.15.3"
	$(PY) bench/linkage.py --only febrl

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
