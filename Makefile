# lossbook: build the book, test it, keep notebooks in sync.
#
#   make book    build the HTML book into _build/html (creates .venv and node_modules first)
#   make test    build the book, then run every test: package, notebooks (nbval), book
#   make check   the offline check alone, on the built book (screenshots in _build/screenshots)
#   make sync    regenerate book/*.ipynb from book/*.md and _toc.yml from the files present
#   make bench   time the losses against PyTorch, and the widgets' slider moves
#   make clean   remove _build (the executed-notebook cache included)
#   make distclean  also remove node_modules and .venv
#
# Use another environment with VENV=..., e.g. `VENV=/tmp/venvtest make book`; it is
# then used as it is (nothing is installed into it).

VENV ?= .venv
PYTHON_FOR_VENV ?= python3.11
PY := $(VENV)/bin/python
JB := $(VENV)/bin/jupyter-book
# Warnings are errors, references are checked (nitpicky), and Sphinx reports every
# warning before it fails.
BOOK_FLAGS ?= -W -n --keep-going
# nbval runs each notebook in its own kernel; --dist loadfile keeps the cells of one
# notebook on one worker.
PYTEST_FLAGS ?= -n 2 --dist loadfile

.PHONY: book test check sync bench clean distclean

# One BLAS thread per process: the build's kernels and the two pytest workers share two
# cores, and oversubscribed OpenBLAS threads made small chapters several times slower.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

# The environment: created only when missing (python3.11 -m venv; pinned requirements;
# lossbook itself editable, without re-resolving its dependencies).
$(VENV)/bin/jupyter-book:
	$(PYTHON_FOR_VENV) -m venv $(VENV)
	$(VENV)/bin/pip install -r requirements.txt
	$(VENV)/bin/pip install -e . --no-deps

# The offline JavaScript (MathJax, ipywidgets embed manager, RequireJS), exactly as
# package-lock.json pins it. npm ci leaves node_modules/.package-lock.json behind, so
# it runs again only when package.json or package-lock.json change.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

book: $(VENV)/bin/jupyter-book node_modules/.package-lock.json
	$(JB) build . $(BOOK_FLAGS)

test: book
	$(PY) -m pytest $(PYTEST_FLAGS) --nbval-lax book/*.ipynb tests lossbook

check: $(VENV)/bin/jupyter-book
	$(PY) tools/check_offline.py

sync: $(VENV)/bin/jupyter-book
	$(PY) tools/sync_notebooks.py
	$(PY) tools/sync_toc.py

bench: $(VENV)/bin/jupyter-book
	env -u OMP_NUM_THREADS -u OPENBLAS_NUM_THREADS $(PY) benchmarks/bench_losses.py
	$(PY) benchmarks/bench_widgets.py --pages

clean:
	rm -rf _build

# Only the project's own .venv: never an environment passed in with VENV=.
distclean: clean
	rm -rf node_modules .venv
