"""The README is a front page that works for a newcomer, and the docs it points at exist
and say what the code does."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import ROOT

README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def test_readme_is_a_front_page_with_the_two_commands_on_the_first_screen():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250
    first_screen = "\n".join(lines[:25])
    assert "pip install -e . && kg build" in first_screen
    assert "bash scripts/test.sh" in first_screen
    assert "![" in first_screen and "docs/seed-graph.png" in first_screen
    for page in ("user-guide", "data-model", "extraction", "performance", "development", "serving"):
        assert f"docs/{page}.md" in "\n".join(lines), page


@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda p: p.name)
def test_no_path_that_a_clone_does_not_have(page):
    text = page.read_text(encoding="utf-8")
    assert "../shared" not in text


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            out.add(re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", title)))
    return out


@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda p: p.name)
def test_every_relative_link_leads_somewhere(page):
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        dest = (page.parent / file).resolve() if file else page
        assert dest.exists(), f"{page.name}: {target}"
        if anchor and dest.suffix == ".md":
            assert anchor in _anchors(dest), f"{page.name}: {target}"


def test_the_tour_commands_run(seed_ttl, tmp_path, capsys):
    from kg.cli import main
    assert main(["query", str(seed_ttl.parent), str(ROOT / "queries" / "supports.rq")]) == 0   # the store
    assert main(["query", str(seed_ttl), str(ROOT / "queries" / "supports.rq")]) == 0
    assert main(["query", str(seed_ttl), str(ROOT / "queries" / "funding_per_city.rq"), "--format", "csv"]) == 0
    assert main(["query", str(seed_ttl), "PREFIX yj: <https://w3id.org/yuanjiang-kg/ontology#>\n"
                 "  SELECT ?county WHERE { ?county a yj:County }"]) == 0
    out = capsys.readouterr().out
    assert "乌什县" in out and "衢州市" in out
    assert main(["view", str(seed_ttl), "--out", str(tmp_path / "g.html")]) == 0
    readme = README.read_text(encoding="utf-8")
    for command in ("kg query out queries/supports.rq", "kg query out/graph.ttl queries/supports.rq", "--format csv",
                    "SELECT ?county WHERE { ?county a yj:County }", "kg serve out/graph.ttl", "kg load out/graph.ttl"):
        assert command in readme, command


def test_the_documented_ways_to_wait_for_the_page_work_under_its_csp(seed_build):
    """docs/user-guide.md tells scripts to wait for body[data-ready] or to pass a function:
    both work in Chromium."""
    guide = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    selector_form = 'page.wait_for_selector("body[data-ready=true]", state="attached")'
    function_form = 'page.wait_for_function("() => window.kgReady === true")'
    assert selector_form in guide and function_form in guide
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: run `bash scripts/test.sh` once")
    from playwright.sync_api import sync_playwright
    html = next(p for p in seed_build.outputs if p.name == "graph.html").resolve().as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for wait in (lambda page: page.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000),
                         lambda page: page.wait_for_function("() => window.kgReady === true", timeout=60_000)):
                page = browser.new_page()
                page.goto(html)
                wait(page)
                assert page.evaluate("() => window.kgReady") is True
                page.close()
        finally:
            browser.close()
