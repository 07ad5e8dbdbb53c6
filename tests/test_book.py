"""Tests of the book's machinery: outline, notebook pairs, Colab cells, configuration,
bibliography, and the built HTML (launch links; offline rendering in headless Chromium:
no request leaves the disk, math typeset, widgets and charts drawn).

The tests of the built book need ``_build/html`` (``make test`` builds it first). If it
is missing they fail and say so, unless ``LOSSBOOK_BOOK_NOT_BUILT=1`` declares that the
book is intentionally not built, in which case they are skipped. The offline check
needs the ``playwright`` package and Debian's ``chromium`` (``$CHROMIUM`` to override
``/usr/bin/chromium``); it never downloads a browser.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
HTML = ROOT / "_build" / "html"
NOT_BUILT = os.environ.get("LOSSBOOK_BOOK_NOT_BUILT") == "1"


def _load(name: str):
    """Import tools/<name>.py (tools/ is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"_book_tools_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


sync_notebooks = _load("sync_notebooks")
sync_toc = _load("sync_toc")

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC_TEXT = (ROOT / "_toc.yml").read_text(encoding="utf-8")
TOC = yaml.safe_load(TOC_TEXT)
REPO_URL = CONFIG["repository"]["url"]
NOTEBOOKS = sync_notebooks.notebook_sources(BOOK)
NB_IDS = [md.stem for md in NOTEBOOKS]

# The first code cell of every notebook, exactly (tests compare the text, so every
# chapter installs lossbook the same way; copy it from book/preface.md).
COLAB_CELL = """\
# Colab only: install lossbook from its repository. Elsewhere this cell does nothing.
try:
    import google.colab  # noqa: F401  (importable only on Google Colab)
    IN_COLAB = True
except ImportError:
    IN_COLAB = False
if IN_COLAB:
    %pip install --quiet "lossbook[colab] @ git+{url}\""""


# ------------------------------------------------------------------ the outline


def _toc_files(toc: dict) -> list[str]:
    files = [toc["root"]]

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                files.append(e["file"])
            walk(e.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def _page_exists(page: str) -> bool:
    return any((ROOT / f"{page}{s}").is_file() for s in (".md", ".ipynb", ".rst"))


def test_every_toc_entry_exists():
    missing = [f for f in _toc_files(TOC) if not _page_exists(f)]
    assert missing == [], f"_toc.yml lists pages that do not exist (comment them out): {missing}"


def test_every_page_of_book_is_in_the_toc():
    listed = set(_toc_files(TOC))
    pages = {f"book/{p.stem}" for p in BOOK.glob("*.md")}
    absent = sorted(pages - listed)
    assert absent == [], (
        f"pages in book/ missing from _toc.yml: {absent}. `make sync` lists a planned page "
        "(a commented line of _toc.yml); a page outside the plan needs its own line there"
    )


def test_toc_entries_are_unique():
    files = _toc_files(TOC)
    assert len(files) == len(set(files)), f"a page is listed twice in _toc.yml: {files}"


def test_toc_shows_exactly_the_planned_pages_that_exist():
    assert sync_toc.synced(TOC_TEXT) == TOC_TEXT, "run `make sync` (tools/sync_toc.py)"


def test_toc_plan_holds_the_forty_chapters_of_the_outline_in_order():
    planned = re.findall(r"^[\s#]*-\s*file:\s*book/(\d\d)_\w+", TOC_TEXT, re.M)
    assert [int(n) for n in planned] == list(range(1, 41))


def test_toc_plan_holds_front_matter_eight_parts_and_appendices():
    captions = re.findall(r"^[\s#]*-\s*caption:\s*\"?([^\"\n]+)", TOC_TEXT, re.M)
    numerals = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
    assert captions[0] == "Front matter" and captions[-1] == "Appendices"
    assert [c.split(".")[0].removeprefix("Part ") for c in captions[1:-1]] == numerals


# ------------------------------------------------------------------ notebook pairs


def test_the_book_has_notebooks():
    assert "preface" in NB_IDS


@pytest.mark.parametrize("md", NOTEBOOKS, ids=NB_IDS)
def test_notebook_pair_in_sync_and_without_outputs(md):
    assert sync_notebooks.problems(md) == []


def test_no_ipynb_without_its_markdown():
    assert sync_notebooks.orphans(BOOK) == []


@pytest.mark.parametrize("ipynb", sorted(BOOK.glob("*.ipynb")), ids=lambda p: p.stem)
def test_ipynb_committed_without_outputs(ipynb):
    nb = nbformat.read(ipynb, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [i for i, c in enumerate(code) if c.outputs] == [], "cells with outputs"
    assert [i for i, c in enumerate(code) if c.execution_count is not None] == []


def test_sync_detects_a_changed_cell(tmp_path):
    md = tmp_path / "x.md"
    md.write_text((BOOK / "preface.md").read_text(encoding="utf-8"), encoding="utf-8")
    sync_notebooks.sync(md)
    assert sync_notebooks.problems(md) == []
    text = md.read_text(encoding="utf-8")
    assert 'interactive.show("one_prediction_errors")' in text   # a line of a code cell
    md.write_text(text.replace('interactive.show("one_prediction_errors")', 'interactive.show("basins")'),
                  encoding="utf-8")
    assert any("source" in p for p in sync_notebooks.problems(md))


def test_sync_detects_outputs(tmp_path):
    md = tmp_path / "x.md"
    md.write_text((BOOK / "preface.md").read_text(encoding="utf-8"), encoding="utf-8")
    sync_notebooks.sync(md)
    nb = nbformat.read(md.with_suffix(".ipynb"), as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]
    cell.execution_count = 1
    nbformat.write(nb, md.with_suffix(".ipynb"))
    found = sync_notebooks.problems(md)
    assert any("outputs" in p for p in found) and any("execution_count" in p for p in found)


def test_sync_is_idempotent(tmp_path):
    md = tmp_path / "x.md"
    md.write_text((BOOK / "preface.md").read_text(encoding="utf-8"), encoding="utf-8")
    assert sync_notebooks.sync(md) is True
    assert sync_notebooks.sync(md) is False  # nothing changed: nothing rewritten


# ------------------------------------------------------------------ the Colab cell


def _first_code_cell(md: Path):
    nb = sync_notebooks.from_markdown(md)
    return next(c for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("md", NOTEBOOKS, ids=NB_IDS)
def test_first_code_cell_installs_lossbook_on_colab_only(md):
    cell = _first_code_cell(md)
    assert "remove-cell" in cell.metadata.get("tags", []), "tag it remove-cell"
    assert cell.source == COLAB_CELL.format(url=REPO_URL), (
        f"the first code cell of {md.name} must be exactly:\n{COLAB_CELL.format(url=REPO_URL)}"
    )


def _run_colab_cell(on_colab: bool, monkeypatch) -> list[tuple[str, str]]:
    """Run the canonical cell (magics translated by IPython); return the magics called."""
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(COLAB_CELL.format(url=REPO_URL))
    calls = []
    shell = types.SimpleNamespace(run_line_magic=lambda name, line: calls.append((name, line)))
    if on_colab:
        google = types.ModuleType("google")
        colab = types.ModuleType("google.colab")
        google.colab = colab
        monkeypatch.setitem(sys.modules, "google", google)
        monkeypatch.setitem(sys.modules, "google.colab", colab)
    else:
        monkeypatch.setitem(sys.modules, "google.colab", None)  # import raises ImportError
    exec(code, {"get_ipython": lambda: shell})
    return calls


def test_colab_cell_does_nothing_outside_colab(monkeypatch):
    assert _run_colab_cell(False, monkeypatch) == []


def test_colab_cell_pip_installs_from_the_repository_on_colab(monkeypatch):
    calls = _run_colab_cell(True, monkeypatch)
    assert calls == [("pip", f'install --quiet "lossbook[colab] @ git+{REPO_URL}"')]


# ------------------------------------------------------------------ configuration


def test_repository_url_is_the_project():
    assert REPO_URL == "https://github.com/lossbook/lossbook"


def test_launch_buttons_open_colab_and_binder():
    launch = CONFIG["launch_buttons"]
    assert launch["colab_url"] == "https://colab.research.google.com"
    assert launch["binderhub_url"] == "https://mybinder.org"
    assert launch.get("thebe") is False  # live code would fetch thebe from unpkg.com


def test_execution_is_cached_strict_and_time_limited():
    execute = CONFIG["execute"]
    assert execute["execute_notebooks"] == "cache"
    assert execute["allow_errors"] is False and execute["raise_on_error"] is True
    assert 0 < execute["timeout"] <= 600


def test_sphinx_builds_from_markdown_not_from_the_paired_ipynb():
    assert "book/*.ipynb" in CONFIG["exclude_patterns"]


def test_javascript_is_served_from_the_book_itself():
    config = CONFIG["sphinx"]["config"]
    uris = [config["mathjax_path"], *config["nb_ipywidgets_js"]]
    assert all("://" not in u and u.startswith("offline/") for u in uris), uris


# ------------------------------------------------------------------ bibliography and glossary

REQUIRED_KEYS = """legendre1805 gauss1809 huber1964 koenker1978 cox1958 cortes1995 crammer2001
lin2017focal szegedy2016 hadsell2006 graves2006 robbins1951 polyak1964 nesterov1983
duchi2011 tieleman2012 kingma2015 loshchilov2019 goodfellow2016 bishop2006 hastie2009
vapnik1998 rumelhart1986 kullback1951 shannon1948 hinton2015 oord2018 schroff2015
tibshirani1996 hoerl1970 zou2005 bottou2018 prince2023 zhang2023d2l""".split()

# Fields an entry of each type must have to be a usable reference.
NEEDED = {
    "article": {"author", "title", "journal", "year"},
    "inproceedings": {"author", "title", "booktitle", "year"},
    "book": {"author", "title", "publisher", "year"},
    "misc": {"author", "title", "year"},
}


@pytest.fixture(scope="module")
def bibliography():
    from pybtex.database import parse_file

    return parse_file(str(ROOT / "references.bib"))


def test_bibliography_holds_the_classics(bibliography):
    assert sorted(set(REQUIRED_KEYS) - set(bibliography.entries)) == []


def test_bibliography_entries_are_complete(bibliography):
    incomplete = {}
    for key, entry in bibliography.entries.items():
        fields = {f.lower() for f in entry.fields} | ({"author"} if entry.persons.get("author") else set())
        lacking = NEEDED.get(entry.type, {"author", "title", "year"}) - fields
        if lacking:
            incomplete[key] = sorted(lacking)
        year = str(entry.fields.get("year", ""))
        assert re.fullmatch(r"1[6-9]\d\d|20\d\d", year), f"{key}: year {year!r}"
    assert incomplete == {}


def test_every_cited_key_is_in_the_bibliography(bibliography):
    cited = set()
    for md in BOOK.glob("*.md"):
        for keys in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", md.read_text(encoding="utf-8")):
            cited.update(k.strip() for k in keys.split(","))
    cited.discard("key")  # the bibliography page shows the syntax: {cite:t}`key`
    assert sorted(cited - set(bibliography.entries)) == []


def test_glossary_has_the_chinese_terms():
    text = (BOOK / "glossary.md").read_text(encoding="utf-8")
    terms = """损失函数 代价函数 目标函数 经验风险最小化 交叉熵 均方误差 平均绝对误差 均方根误差
    梯度下降 随机梯度下降 动量 学习率 过拟合 正则化 最大似然 铰链损失 焦点损失 对比损失
    三元组损失""".split() + ["KL 散度"]
    absent = [t for t in terms if not re.search(rf"^{re.escape(t)}$", text, re.M)]
    assert absent == [], f"glossary terms missing (one term per line in the glossary): {absent}"


# ------------------------------------------------------------------ the built book


def _require_built() -> None:
    if NOT_BUILT:
        pytest.skip("LOSSBOOK_BOOK_NOT_BUILT=1: the book is intentionally not built")
    if not (HTML / "index.html").is_file():
        pytest.fail(
            f"{HTML} holds no built book: run `make book` (or `make test`, which builds "
            "it first), or set LOSSBOOK_BOOK_NOT_BUILT=1 to skip the tests of the built book",
            pytrace=False,
        )


def _html_pages() -> list[str]:
    if not (HTML / "index.html").is_file():
        return ["(book not built)"]
    return sorted(
        p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html") if "_static" not in p.parts
    )


@pytest.mark.parametrize("md", NOTEBOOKS, ids=NB_IDS)
def test_built_page_launches_its_paired_ipynb(md):
    _require_built()
    page = HTML / "book" / f"{md.stem}.html"
    assert page.is_file(), f"{page} was not built: is {md.name} in _toc.yml, is the build current?"
    html = page.read_text(encoding="utf-8")
    org_repo = REPO_URL.removeprefix("https://github.com/")
    branch = CONFIG["repository"]["branch"]
    target = f"book/{md.stem}.ipynb"
    colab = f'{CONFIG["launch_buttons"]["colab_url"]}/github/{org_repo}/blob/{branch}/{target}'
    binder = f'{CONFIG["launch_buttons"]["binderhub_url"]}/v2/gh/{org_repo}/{branch}?urlpath=lab/tree/{target}'
    assert f'href="{colab}"' in html
    assert f'href="{binder}"' in html
    assert (ROOT / target).is_file()
    # The download menu offers the notebook and the Markdown source.
    assert f'href="../_sources/book/{md.stem}.ipynb"' in html
    assert f'href="../_sources/book/{md.stem}.md"' in html


@pytest.fixture(scope="module")
def browser():
    _require_built()
    check_offline = _load("check_offline")
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.fail("the offline check needs `pip install playwright` (no browser download)", pytrace=False)
    with check_offline.Browser(HTML, check_offline.SCREENSHOTS) as b:
        yield b


@pytest.mark.parametrize("page", _html_pages())
def test_built_page_works_offline(page, browser):
    report = browser.check(HTML / page)
    assert report.problems == [], "\n".join(report.problems)


def test_built_book_has_rendered_math_and_a_chart_on_the_preface(browser):
    # The preface's figure is a static chart (its slider is moved by the check of every
    # chart below); no page needs the ipywidgets embed manager any more.
    report = browser.check(HTML / "book" / "preface.html")
    assert report.problems == []
    assert report.math > 0, "no math typeset on the preface"
    assert "lossbook-chart-spec" in (HTML / "book" / "preface.html").read_text("utf-8"), "no chart on the preface"


# The static charts on the built pages: moving a control must change what is drawn.
def _chart_pages() -> list[Path]:
    return sorted(p for p in (HTML / "book").glob("*.html") if "lossbook-chart-spec" in p.read_text("utf-8"))


def _check_sliders(*args) -> subprocess.CompletedProcess:
    # A process of its own: the offline check's browser (a module fixture) keeps
    # Playwright's event loop running in this one, and Playwright allows one per thread.
    return subprocess.run([sys.executable, str(ROOT / "tools" / "check_sliders.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=900)


def test_built_playground_path_follows_the_learning_rate():
    _require_built()
    run = _check_sliders(HTML / "book" / "23_playground.html", "--slider", "learning rate", "--mark", "path")
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_registered_figure_is_on_a_built_page():
    from lossbook import interactive

    _require_built()
    shown = {m for p in _chart_pages() for m in re.findall(r'"figure":"([a-z0-9_]+)"', p.read_text("utf-8"))}
    # A chapter may show a registered figure on its own data under another name.
    shown |= {registered for registered, variant in SHOWN_AS.items() if variant in shown}
    assert set(interactive.available()) <= shown, sorted(set(interactive.available()) - shown)


# The KL chapter shows the distillation figure on the logits of the teacher it trained.
SHOWN_AS = {"distillation_temperature": "distillation_teacher"}


def test_every_chart_of_the_book_responds_to_every_control():
    # Every slider of every chart (its menus, for a chart without sliders) changes the
    # drawing, offline, with no JavaScript error; where a figure's spec says a slider
    # matters only with some setting (a checked loss), the check sets it first.
    _require_built()
    pages = _chart_pages()
    assert len(pages) >= 20, [p.name for p in pages]
    run = _check_sliders(*pages, "--every-slider")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr
