# Two commands do all the set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_PROGRESS_BARS := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: install serve test ingest eval bench bench-quality clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first and on its own, so pip takes the CPU wheel instead of the CUDA build
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

serve: install
	$(VENV)/bin/rag serve

test: install
	$(PY) -m pytest

ingest: install
	$(VENV)/bin/rag ingest

eval: ingest
	$(VENV)/bin/rag eval

clean:
	rm -rf .rag $(VENV)

# Public benchmarks (SQuAD 2.0, PubMedQA, COVID-QA from ../shared/datasets): tens of minutes on 2 cores.
bench-quality: install
	$(PY) -m pip install -q -e '.[bench]'
	nice -n 5 $(PY) -m eval.bench_quality

# Scale benchmarks over the 6,786 ClinicalTrials.gov records: about an hour of ingest on 2 cores;
# run it alone on the machine. Writes BENCHMARKS.md.
bench: install
	nice -n 5 $(PY) bench/bench_scale.py all
