# lossbook: build the book, test it, keep notebooks in sync.
#
#   make book    build the HTML book into _build/html (creates .venv and node_modules first)
#   make test    build the book and its PDF, then run every test: package, notebooks
#                (nbval), book, site
#   make check   the offline check alone, on the built book (screenshots in _build/screenshots)
#   make sync    regenerate book/*.ipynb from book/*.md and _toc.yml from the files present
#   make pdf     the whole book as one PDF, _build/html/lossbook.pdf (after `make book`)
#   make lock    recompile the lock requirements.txt (and binder/requirements.txt) from
#                requirements.in, after adding or changing a package there
#   make bench   time the core losses in NumPy, PyTorch, Keras/TF and JAX on every device
#                found (BENCH_OUT=benchmarks/results/cpu.md also records the table),
#                and the widgets' slider moves
#   make clean   remove _build (the executed-notebook cache included)
#   make distclean  also remove node_modules and .venv
#
# Use another environment with VENV=..., e.g. `VENV=/tmp/venvtest make book`; it is
# then used as it is (nothing is installed into it once it exists).
# PIP_FLAGS=... go to every pip install, e.g. on a machine without the local CPU wheel
# of torch: PIP_FLAGS="--extra-index-url https://download.pytorch.org/whl/cpu".

VENV ?= .venv
PYTHON_FOR_VENV ?= python3.11
PY := $(VENV)/bin/python
JB := $(PY) tools/jb.py
# Warnings are errors, references are checked (nitpicky), and Sphinx reports every
# warning before it fails.
BOOK_FLAGS ?= -W -n --keep-going
# nbval runs each notebook in its own kernel; --dist loadfile keeps the cells of one
# notebook on one worker.
PYTEST_FLAGS ?= -n 2 --dist loadfile

.PHONY: book test check sync bench clean distclean pdf lock

# One BLAS thread per process: the build's kernels and the two pytest workers share two
# cores, and oversubscribed OpenBLAS threads made small chapters several times slower.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

# The environment follows the lock, requirements.txt (every package pinned; compiled
# from requirements.in by `make lock`). .venv is created when missing and brought up to
# the lock whenever requirements.txt or pyproject.toml is newer than its stamp: `pip
# install -r` installs only what differs (a new pin, a changed version) and leaves the
# rest alone; lossbook itself is installed editable, without re-resolving its
# dependencies. Another VENV=... is created the same way when missing, else used as is.
ifeq ($(VENV),.venv)
ENV := $(VENV)/.installed-lock
else
ENV := $(VENV)/bin/jupyter-book
endif
PIP_FLAGS ?=

$(VENV)/.installed-lock: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON_FOR_VENV) -m venv $(VENV)
	$(PY) -m pip install $(PIP_FLAGS) -r requirements.txt
	$(PY) -m pip install $(PIP_FLAGS) -e . --no-deps
	@touch $@

$(VENV)/bin/jupyter-book:
	$(PYTHON_FOR_VENV) -m venv $(VENV)
	$(VENV)/bin/pip install $(PIP_FLAGS) -r requirements.txt
	$(VENV)/bin/pip install $(PIP_FLAGS) -e . --no-deps

# The offline JavaScript (MathJax, ipywidgets embed manager, RequireJS), exactly as
# package-lock.json pins it. npm ci leaves node_modules/.package-lock.json behind, so
# it runs again only when package.json or package-lock.json change.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

book: $(ENV) node_modules/.package-lock.json
	$(JB) build . $(BOOK_FLAGS)

# The whole book as one PDF, _build/html/lossbook.pdf (the download menu of every page
# links it): a single-page build of the book (same doctrees, same cache of executed
# notebooks as `make book`: nothing is executed again), printed by headless Chromium
# once MathJax has typeset it (tools/pdf.py; it prints again only when the single page,
# its CSS or the script changed).
pdf: book
	$(JB) build . --builder singlehtml $(BOOK_FLAGS)
	$(PY) tools/pdf.py _build/singlehtml/book/index.html _build/html/lossbook.pdf

# Recompile the lock from requirements.in (keeping every pin that still fits; LOCK_FLAGS=
# --upgrade moves them all to the newest releases, --upgrade-package NAME one of them),
# then binder/requirements.txt from the lock. `make book` then brings .venv up to it.
LOCK_FLAGS ?=
lock: $(ENV)
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --allow-unsafe \
	    --strip-extras --no-emit-index-url --no-emit-find-links --annotation-style=line \
	    $(LOCK_FLAGS) --output-file requirements.txt requirements.in
	$(PY) tools/binder_requirements.py

test: pdf
	$(PY) -m pytest $(PYTEST_FLAGS) --nbval-lax book/*.ipynb tests lossbook

check: $(ENV)
	$(PY) tools/check_offline.py

sync: $(ENV)
	$(PY) tools/sync_notebooks.py
	$(PY) tools/sync_toc.py

bench: $(ENV)
	env -u OMP_NUM_THREADS -u OPENBLAS_NUM_THREADS $(PY) benchmarks/bench_losses.py $(if $(BENCH_OUT),--out $(BENCH_OUT))
	$(PY) benchmarks/bench_widgets.py --pages

clean:
	rm -rf _build

# Only the project's own .venv: never an environment passed in with VENV=.
distclean: clean
	rm -rf node_modules .venv
