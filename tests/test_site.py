"""Tests of the book as its readers get it: the environment that runs it (the lock,
JupyterLab, Binder), the project's metadata (licences, citation, version, the two
addresses, the publishing workflow, the README) and the built site (search from disk,
the 400 px layout, page weights, alt text, footer and links, the PDF).

The tests of the built book need ``_build/html`` (``make test`` builds it first) and the
PDF ``_build/html/lossbook.pdf`` (``make pdf``; ``make test`` builds it too). If they are
missing the tests fail and say so, unless ``LOSSBOOK_BOOK_NOT_BUILT=1`` declares that
the book is intentionally not built, in which case they are skipped. The browser tests
need the ``playwright`` package and Debian's ``chromium`` (``$CHROMIUM`` to override
``/usr/bin/chromium``); they never download a browser.

``LOSSBOOK_INSTALL_TESTS=1`` adds a real install of ``binder/requirements.txt`` into a
fresh virtual environment (minutes and the network to the package index; off by
default: the offline checks below prove the same resolution from the lock).
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from tests.test_book import _require_built  # the same rule: fail, or skip if declared not built
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
HTML = ROOT / "_build" / "html"
PDF = HTML / "lossbook.pdf"
BIN = Path(sys.executable).parent


def _load(name: str):
    """Import tools/<name>.py (tools/ is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"_site_tools_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


binder_requirements = _load("binder_requirements")
book_site = _load("book_site")
sync_notebooks = _load("sync_notebooks")

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPO_URL = CONFIG["repository"]["url"]
WEBSITE = CONFIG["html"]["baseurl"]
VERSION = book_site.package_version()
LOCK_TEXT = (ROOT / "requirements.txt").read_text(encoding="utf-8")
LOCK = binder_requirements.lock_pins(LOCK_TEXT)
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _requirements(path: Path) -> list[Requirement]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            out.append(Requirement(line))
    return out


# ------------------------------------------------------------------ the lock


def test_lock_pins_every_package_to_one_version():
    lines = [ln.split("#", 1)[0].strip() for ln in LOCK_TEXT.splitlines()]
    entries = [ln for ln in lines if ln]
    unpinned = [ln for ln in entries if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*==[^\s=<>!~,;]+", ln)]
    assert unpinned == [], f"requirements.txt must pin every package exactly: {unpinned}"
    assert len(entries) == len(LOCK) > 100


def test_lock_is_compiled_from_requirements_in():
    assert "pip-compile" in LOCK_TEXT and "make lock" in LOCK_TEXT, "regenerate it with `make lock`"
    for req in _requirements(ROOT / "requirements.in"):
        name = canonicalize_name(req.name)
        assert name in LOCK, f"{req.name} is in requirements.in but not in the lock: run `make lock`"
        assert req.specifier.contains(Version(LOCK[name]), prereleases=True), (
            f"{req.name}: requirements.in asks {req.specifier}, the lock has {LOCK[name]}: run `make lock`"
        )


def test_lock_keeps_torch_the_local_cpu_build():
    assert LOCK["torch"] == "2.13.0+cpu"


def test_lock_pins_a_theme_pair_that_fits():
    """sphinx-book-theme 1.3.0 requires exactly pydata-sphinx-theme 0.17.1."""
    assert LOCK["sphinx-book-theme"] == "1.3.0" and LOCK["pydata-sphinx-theme"] == "0.17.1"
    options = CONFIG["sphinx"]["config"]["html_theme_options"]
    assert options.get("navbar_persistent") == [], "the second, full-width search bar is back"


def test_environment_is_the_lock():
    """The running environment holds exactly the lock's versions (`make book` updates it)."""
    wrong = {}
    for name, version in LOCK.items():
        try:
            have = md.version(name)
        except md.PackageNotFoundError:
            have = None
        if have is None or Version(have) != Version(version):
            wrong[name] = (have, version)
    assert wrong == {}, (
        f"installed vs locked versions differ: {wrong}; run `make book` (it brings .venv to "
        "requirements.txt)"
    )


def _fake_project(tmp: Path) -> Path:
    """The Makefile beside a stand-in .venv whose python only prints what it is asked."""
    shutil.copy(ROOT / "Makefile", tmp / "Makefile")
    for name in ("requirements.txt", "requirements.in", "pyproject.toml", "package.json", "package-lock.json"):
        (tmp / name).write_text("x\n")
    (tmp / "node_modules").mkdir()
    (tmp / "node_modules" / ".package-lock.json").write_text("{}")
    bin_dir = tmp / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("python", "jupyter-book"):
        (bin_dir / tool).write_text("#!/bin/sh\necho RAN $(basename $0) \"$@\"\n")
        (bin_dir / tool).chmod(0o755)
    return tmp


def _make(tmp: Path, *args: str) -> str:
    run = subprocess.run(["make", "-C", str(tmp), *args], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def test_make_updates_the_venv_when_the_lock_changes_and_only_then(tmp_path):
    project = _fake_project(tmp_path)
    past = time.time() - 100
    for name in ("requirements.txt", "pyproject.toml", "package.json", "package-lock.json"):
        os.utime(project / name, (past, past))
    out = _make(project, "book")  # no stamp yet: install the lock
    assert "RAN python -m pip install -r requirements.txt" in out
    assert "RAN python -m pip install -e . --no-deps" in out
    assert (project / ".venv" / ".installed-lock").exists()
    out = _make(project, "book")  # nothing changed: nothing installed
    assert "pip install" not in out and "RAN python tools/jb.py build" in out
    os.utime(project / "requirements.txt", None)  # a pin changed
    out = _make(project, "book")
    assert "RAN python -m pip install -r requirements.txt" in out


def test_make_lock_compiles_requirements_in_with_pip_tools(tmp_path):
    out = _make(_fake_project(tmp_path), "-n", "lock")
    assert "pip-compile" in out and "--output-file requirements.txt requirements.in" in out
    assert "tools/binder_requirements.py" in out


# ------------------------------------------------------------------ running it locally


def test_jupyterlab_is_installed_at_the_locked_version():
    run = subprocess.run([str(BIN / "jupyter"), "lab", "--version"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"`jupyter lab --version` failed (run `make book`): {run.stderr[-2000:]}"
    assert run.stdout.strip() == LOCK["jupyterlab"]


def test_a_chapter_runs_with_jupyter_execute(tmp_path):
    """The README's way to run a chapter outside the book: the paired notebook, executed
    by `jupyter execute` (nbclient) in a fresh kernel, from book/."""
    out = tmp_path / "preface.ipynb"
    run = subprocess.run(
        [str(BIN / "jupyter"), "execute", "--timeout=120", str(BOOK / "preface.ipynb"), f"--output={out}"],
        capture_output=True, text=True, timeout=300, cwd=BOOK,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    import nbformat

    nb = nbformat.read(out, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


def test_readme_runs_a_chapter_the_way_that_works():
    assert ".venv/bin/jupyter lab book/" in README
    assert "jupyter execute" in README


# ------------------------------------------------------------------ Binder


BINDER = ROOT / "binder"
#: What a reader running a chapter never needs.
NOT_FOR_BINDER = {"jupyter-book", "sphinx", "pytest", "pytest-xdist", "nbval", "hypothesis", "playwright",
                  "pypdf", "pip-tools", "jupytext", "sphinx-book-theme", "sphinx-exercise", "sphinx-design"}


def test_binder_requirements_are_generated_from_the_lock():
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "binder_requirements.py"), "--check"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_binder_pins_are_the_locks_and_hold_no_build_or_test_tools():
    reqs = _requirements(BINDER / "requirements.txt")
    names = {canonicalize_name(r.name) for r in reqs}
    assert names & NOT_FOR_BINDER == set()
    for req in reqs:
        assert str(req.specifier) == f"=={LOCK[canonicalize_name(req.name)]}"
    text = (BINDER / "requirements.txt").read_text(encoding="utf-8")
    assert "torch==2.13.0+cpu" in text and "--extra-index-url https://download.pytorch.org/whl/cpu" in text


def test_binder_installs_lossbook_and_uses_the_locks_python():
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK)
    assert re.search(r"pip install .*--no-deps.* -e \.", post.read_text(encoding="utf-8"))
    match = re.search(r"autogenerated by pip-compile with Python (\d+\.\d+)", LOCK_TEXT)
    assert (BINDER / "runtime.txt").read_text(encoding="utf-8").strip() == f"python-{match.group(1)}"


def _closure(names: set[str]) -> dict[str, set[str]]:
    """Every distribution the given ones need (markers of this Python evaluated), from
    the installed metadata: name -> the requirements that pulled it in."""
    env = default_environment()
    seen: dict[str, set[str]] = {}
    todo = [(n, "binder/requirements.txt") for n in names]
    while todo:
        name, why = todo.pop()
        if name in seen:
            seen[name].add(why)
            continue
        seen[name] = {why}
        for line in md.requires(name) or []:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate({**env, "extra": ""}):
                continue
            todo.append((canonicalize_name(req.name), f"{name} ({req})"))
    return seen


def test_binder_resolves_within_the_lock():
    """pip can install binder/requirements.txt with the lock's versions: every package it
    needs, recursively, is in the lock at a version that every requirement accepts."""
    names = {canonicalize_name(r.name) for r in _requirements(BINDER / "requirements.txt")}
    env = default_environment()
    problems = []
    for name in _closure(names):
        if name not in LOCK:
            problems.append(f"{name} is needed but not in the lock")
            continue
        for line in md.requires(name) or []:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate({**env, "extra": ""}):
                continue
            dep = canonicalize_name(req.name)
            if dep in LOCK and not req.specifier.contains(Version(LOCK[dep]), prereleases=True):
                problems.append(f"{name} needs {req}, the lock has {LOCK[dep]}")
    assert problems == []


def _imports(source: str) -> set[str]:
    """Top-level modules imported by Python source (IPython magics translated); imports
    inside ``try: ... except ImportError`` are optional and left out."""
    from IPython.core.inputtransformer2 import TransformerManager

    tree = ast.parse(TransformerManager().transform_cell(source))
    optional = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError") for h in node.handlers
        ):
            optional |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _chapter_and_package_imports() -> dict[str, set[str]]:
    """module -> where it is imported: the chapters' code cells, the package (which the
    chapters import) and the framework tabs' fragments (which the chapters run)."""
    where: dict[str, set[str]] = {}
    import nbformat

    for md_file in sync_notebooks.notebook_sources(BOOK):
        nb = nbformat.read(md_file.with_suffix(".ipynb"), as_version=4)  # the pair, in sync (test_book)
        for cell in nb.cells:
            if cell.cell_type == "code":
                for mod in _imports(cell.source):
                    where.setdefault(mod, set()).add(md_file.name)
    for py in (ROOT / "lossbook").rglob("*.py"):
        for mod in _imports(py.read_text(encoding="utf-8")):
            where.setdefault(mod, set()).add(py.relative_to(ROOT).as_posix())
    return where


def test_every_chapter_import_is_in_the_binder_environment():
    binder = {canonicalize_name(r.name) for r in _requirements(BINDER / "requirements.txt")}
    have = set(_closure(binder))
    dists = md.packages_distributions()
    missing = {}
    for mod, where in sorted(_chapter_and_package_imports().items()):
        if mod in sys.stdlib_module_names or mod in ("lossbook", "__future__"):
            continue
        providers = {canonicalize_name(d) for d in dists.get(mod, [])}
        if not providers:
            missing[mod] = f"no installed package provides it (imported in {sorted(where)[:3]})"
        elif not providers & have:
            missing[mod] = f"{sorted(providers)} not in binder/requirements.txt (imported in {sorted(where)[:3]})"
    assert missing == {}, "add them to the run-time part of requirements.in and run `make lock`"


@pytest.mark.skipif(os.environ.get("LOSSBOOK_INSTALL_TESTS") != "1", reason="LOSSBOOK_INSTALL_TESTS=1 installs Binder's environment for real")
def test_binder_environment_installs_in_a_fresh_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "-r", str(BINDER / "requirements.txt")], check=True, timeout=1800)
    subprocess.run([*pip, "--no-deps", str(ROOT)], check=True, timeout=600)
    code = "import lossbook, torch, keras, jax, optax, sklearn, altair, ipywidgets, matplotlib; print(torch.__version__)"
    run = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == LOCK["torch"]


# ------------------------------------------------------------------ addresses, licences, citation, version


def test_repository_and_website_are_one_setting_each():
    assert REPO_URL.startswith("https://github.com/") and WEBSITE.startswith("https://")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'Repository = "{REPO_URL}"' in pyproject and f'Homepage = "{WEBSITE}"' in pyproject
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["repository-code"] == REPO_URL and cff["url"] == WEBSITE
    assert REPO_URL in README and WEBSITE in README
    assert "repository.url" in README and "html.baseurl" in README


def test_licences_for_the_code_and_for_the_text():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    text = (ROOT / "LICENSE-TEXT").read_text(encoding="utf-8")
    assert "Creative Commons Attribution-ShareAlike 4.0 International Public License" in text
    assert all(f"Section {i} " in text for i in range(1, 9))
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = { text = "MIT" }' in pyproject


def test_citation_file_is_valid_and_current():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "version", "license"):
        assert cff.get(key), key
    assert str(cff["version"]) == VERSION == str(cff["preferred-citation"]["version"])
    assert cff["title"] == CONFIG["title"]
    assert set(cff["license"]) == {"MIT", "CC-BY-SA-4.0"}
    assert "## How to cite" in README


def test_version_has_one_source():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and 'attr = "lossbook.__version__"' in pyproject
    assert not re.search(r"^version\s*=\s*\"", pyproject, re.M)  # no literal version in [project]
    import lossbook

    assert lossbook.__version__ == VERSION == "0.2.0"
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[(Unreleased\] )?{re.escape(VERSION)}", changelog, re.M)
    assert re.search(r"^## \[0\.1\.0\]", changelog, re.M)


def test_workflow_builds_with_the_makefile_and_publishes_to_pages():
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text(encoding="utf-8"))
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads the key `on` as true
    assert on["push"]["branches"] == ["main"] and "pull_request" in on
    jobs = wf["jobs"]
    runs = lambda job: [s.get("run", "") for s in jobs[job]["steps"]]  # noqa: E731
    uses = lambda job: [s.get("uses", "") for s in jobs[job]["steps"]]  # noqa: E731
    assert any(r.startswith("make book") for r in runs("build"))
    assert any(r.startswith("make pdf") for r in runs("build"))
    upload = [s for s in jobs["build"]["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert upload and upload[0]["with"]["path"] == "_build/html"
    assert any(u.startswith("actions/deploy-pages") for u in uses("deploy"))
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert any(r.startswith("make test") for r in runs("test"))
    assert "pull_request" in jobs["test"]["if"]
    assert wf["env"]["PIP_EXTRA_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"


def test_readme_says_how_to_build_test_run_print_cite_and_install_torch():
    for needed in ("make book", "make test", "make pdf", "make lock", "requirements.in", "Chromium",
                   "--index-url https://download.pytorch.org/whl/cpu", "Binder", "Colab", "## How to cite",
                   "CHANGELOG.md", "LICENSE-TEXT"):
        assert needed in README, needed


# ------------------------------------------------------------------ the built site


def _chapter_pages() -> list[str]:
    return [f"book/{md_file.stem}.html" for md_file in sync_notebooks.notebook_sources(BOOK)]


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


@pytest.mark.parametrize("page", _chapter_pages())
def test_built_figures_have_real_alt_text(page):
    _require_built()
    assert (HTML / page).is_file(), f"{page} was not built: is it in _toc.yml, is the build current?"
    parser = _Images()
    parser.feed((HTML / page).read_text(encoding="utf-8"))
    bad = [
        img.get("src") for img in parser.images
        if not (img.get("alt") or "").strip()
        or re.search(r"\.(png|svg|jpe?g|gif)$", img.get("alt", ""), re.I)
        or img.get("alt") == img.get("src")
    ]
    assert bad == [], f"images whose alt text is empty or a file path: {bad}"


def test_built_page_has_one_search_field_edit_issue_links_and_the_footer():
    _require_built()
    page = HTML / "book" / "06_robust.html"
    html = page.read_text(encoding="utf-8")
    assert "navbar-persistent--container" not in html, "the second, full-width search bar is back"
    assert f"{REPO_URL}/edit/{CONFIG['repository']['branch']}/book/06_robust.md" in html
    assert f"{REPO_URL}/issues/new" in html
    assert f"lossbook {VERSION}" in html
    assert "CC BY-SA 4.0" in html and ">MIT<" in html
    year = time.gmtime().tm_year
    assert re.search(rf"Copyright\s+2025-{year}", html), "the footer's years run to the year of the build"
    assert 'href="../lossbook.pdf"' in html, "the download menu and the footer link the PDF"


# ---- search, from disk


#: query -> the page that must come first.
SEARCHES = {
    "Huber": "book/06_robust",
    "hinge": "book/11_hinge_svm",
    "focal": "book/12_imbalanced",
    "CTC": "book/16_ctc",
    "Adam": "book/21_adaptive",
    "quantile": "book/07_quantile_probabilistic",
}


@pytest.fixture(scope="module")
def site_browser():
    _require_built()
    check_site = _load("check_site")
    with check_site.Browser(HTML) as browser:
        yield browser


@pytest.mark.parametrize("query", sorted(SEARCHES))
def test_search_from_disk_ranks_the_chapter_first_with_excerpts(query, site_browser):
    found = site_browser.search(query)
    results = found["results"]
    assert found["failed"] == [], "requests failed (search excerpts must not fetch pages from disk)"
    assert [w for w in found["warnings"] if "search" in w.lower() or "content block" in w.lower()] == []
    assert results, f"no results for {query!r}"
    assert results[0]["href"].split("#")[0] == f"{SEARCHES[query]}.html", [r["href"] for r in results[:5]]
    bare = [r["href"] for r in results if r["excerpt"] is None and not r["described"]]
    assert bare == [], f"results without an excerpt: {bare}"
    assert query.lower() in results[0]["excerpt"].lower()


def test_code_wraps_when_printed(site_browser):
    """Printed, long code lines wrap instead of running off the page (chapter 10 has
    lines wider than the paper's column)."""
    assert site_browser.printed("book/10_softmax_ce.html") == []


# ---- 400 px and page weight: one visit of every page


@pytest.fixture(scope="module")
def sweep(site_browser):
    """Every page of the site at 400 px, once: its layout problems and its requests."""
    check_site = _load("check_site")
    return {page: site_browser.narrow(page) for page in check_site.site_pages(HTML)}


def _site_pages() -> list[str]:
    if not (HTML / "index.html").is_file():
        return ["(book not built)"]
    return _load("check_site").site_pages(HTML)


@pytest.mark.parametrize("page", _site_pages())
def test_built_page_fits_a_400px_screen(page, sweep):
    """No equation, table, image or chart sticks out of the column or is cut off; wide
    ones scroll inside it; a chart frame holds its chart; the page never scrolls sideways."""
    report = sweep[page]
    assert report.problems == [], "\n".join(report.problems)


def test_page_weights(sweep):
    """Median page under 1.5 MB, none over 4 MB. A page's weight is its HTML plus the
    files that it alone uses; files two or more pages use (theme, MathJax, search index)
    are shared assets, counted once for the site (tools/check_site.py says how)."""
    check_site = _load("check_site")
    weights = check_site.weigh({page: r.requested for page, r in sweep.items()}, HTML)
    print("\n" + weights.table())
    assert weights.median < check_site.MEDIAN_LIMIT, weights.table()
    heavy = [f"{w.page}: {w.total:,d} B" for w in weights.pages if w.total >= check_site.MAX_LIMIT]
    assert heavy == [], weights.table()


# ---- the PDF


@pytest.fixture(scope="module")
def pdf_reader():
    _require_built()
    if not PDF.is_file():
        pytest.fail(f"{PDF} does not exist: run `make pdf` (`make test` runs it)", pytrace=False)
    from pypdf import PdfReader

    return PdfReader(PDF)


def _chapter_titles() -> dict[str, str]:
    """page -> title, for every page listed in _toc.yml (its first heading)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    titles = {}
    for f in files:
        nb = sync_notebooks.from_markdown(ROOT / f"{f}.md")
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        titles[f] = re.search(r"^# (.+)$", text, re.M).group(1).strip()
    return titles


def _squash(text: str) -> str:
    """Letters and digits only, lower case: PDF text breaks lines and drops spaces."""
    return re.sub(r"[^0-9a-z]", "", text.lower().replace("ﬁ", "fi").replace("ﬂ", "fl"))


def _outline(reader, depth: int = 1) -> list[tuple[int, str]]:
    """(page, title) of the PDF's bookmarks down to ``depth`` (0: the book's title;
    1: its chapters, front and back matter)."""
    out = []

    def walk(entries, d):
        for e in entries:
            if isinstance(e, list):
                if d < depth:
                    walk(e, d + 1)
            else:
                out.append((reader.get_destination_page_number(e), " ".join(e.title.split())))

    walk(reader.outline, 0)
    return out


def test_pdf_holds_the_whole_book(pdf_reader):
    reader = pdf_reader
    titles = _chapter_titles()
    assert len(reader.pages) >= 10 * len(titles), f"only {len(reader.pages)} pages for {len(titles)} chapters"
    # The pages the outline points at (the PDF's bookmarks, from the headings), read
    # first; every other page only if a title is still missing.
    starts = {page for page, _ in _outline(reader, depth=0)} | {0, 1}  # chapters; the title page
    text = ""
    for i in sorted(starts):
        text += _squash(reader.pages[i].extract_text()) + _squash(reader.pages[min(i + 1, len(reader.pages) - 1)].extract_text())
    missing = [t for t in titles.values() if _squash(t) not in text]
    if missing:
        text = "".join(_squash(p.extract_text()) for p in reader.pages)
        missing = [t for t in titles.values() if _squash(t) not in text]
    assert missing == [], f"chapter titles not in the PDF's text: {missing}"


def test_pdf_has_numbered_chapters_maths_and_bibliography(pdf_reader):
    reader = pdf_reader
    outline = [title for _, title in _outline(reader)]
    numbered = [t for t in outline if re.match(r"\d+\.\s", t)]
    assert len(numbered) >= len(_chapter_pages()) - 5, outline  # the front and back matter are unnumbered
    assert any("Bibliography" in t for t in outline)
    first = reader.pages[0].extract_text()
    assert VERSION in first and "CC BY-SA 4.0" in first
    # MathJax typeset the maths: chapter 6's numbered equations are there, no raw TeX.
    chapter6 = next(page for page, title in _outline(reader, depth=0) if title.startswith("6. "))
    sample = "".join(reader.pages[i].extract_text() for i in range(chapter6, chapter6 + 12))
    assert "(6.1)" in sample and "(6.2)" in sample
    assert "\\frac" not in sample and "$$" not in sample and "\\begin{" not in sample
    # The figures: as many images as the chapters have figures.
    figures = sum((HTML / page).read_text(encoding="utf-8").count("<figure")
                  for page in _chapter_pages() if (HTML / page).is_file())
    images = set()
    for page in reader.pages:
        for name, obj in (page.get("/Resources") or {}).get("/XObject", {}).items():
            if obj.get_object().get("/Subtype") == "/Image":
                images.add(obj.idnum)
    assert len(images) >= figures, f"{len(images)} images in the PDF, {figures} figures in the chapters"
