"""What a person sees, in headless Chromium (Debian's `chromium`; .ci/run installs it): the
Dagster UI's asset lineage and the HTML report. Screenshots go to artifacts/ (git-ignored)."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest
from websockets.sync.client import connect

from tests.conftest import PROJECT, without_keys

CHROMIUM = shutil.which("chromium")
ARTIFACTS = PROJECT / "artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
# `--screenshot` and `--dump-dom` act once this much of the page's own time has passed
VIRTUAL_TIME = "--virtual-time-budget=20000"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="headless browser tests need Debian's chromium (apt-get install chromium)"),
]


def browse(url: str, profile: Path, *args: str, size: str = "1400,1000") -> str:
    """What headless Chromium prints for `url`. Chromium's headless screenshot now and then never
    exits (seen once in a fresh clone, on the asset catalog, after three good pages): a run that
    hangs is killed and tried once more with a fresh profile; a second hang fails the test."""

    def run(attempt: int) -> str:
        return subprocess.run(
            [CHROMIUM, *FLAGS, VIRTUAL_TIME, f"--user-data-dir={profile}-{attempt}", f"--window-size={size}", *args, url],
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout

    try:
        return run(1)
    except subprocess.TimeoutExpired:
        return run(2)


# Dagster's UI greets a new browser profile with a "Join the Dagster community" dialog over the
# page; "Skip" stores this flag in the page's localStorage, and a page loaded with it set shows no
# dialog.
DISMISSED_WELCOME = "localStorage.setItem('communityNux', JSON.stringify('1'))"


def dagster_screenshot(url: str, out: Path, profile: Path, *, showing: str, size: tuple[int, int] = (1400, 1000)) -> str:
    """Screenshot a Dagster UI page as a returning user sees it (its welcome dialog dismissed),
    once its text holds `showing`; returns that text. Driven over Chromium's DevTools protocol:
    its `--screenshot` cannot set the flag before the page renders."""
    profile.mkdir(parents=True)
    chromium = subprocess.Popen(
        [CHROMIUM, *FLAGS, "--remote-debugging-port=0", f"--user-data-dir={profile}",
         f"--window-size={size[0]},{size[1]}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"  # Chromium writes the port it chose here
        wait_for(lambda: port_file.exists() and port_file.read_text().strip(), "Chromium's DevTools port")
        port = port_file.read_text().split()[0]
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=30))
        with connect(next(p["webSocketDebuggerUrl"] for p in pages if p["type"] == "page"), max_size=None) as ws:
            ids = iter(range(1, 1_000_000))

            def call(method: str, **params: object) -> dict:
                request_id = next(ids)
                ws.send(json.dumps({"id": request_id, "method": method, "params": params}))
                while (reply := json.loads(ws.recv(timeout=60))).get("id") != request_id:
                    pass  # an event, not our reply
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply["result"]

            def evaluate(expression: str) -> object:
                return call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

            call("Page.navigate", url=url)
            wait_for(lambda: evaluate("document.readyState") == "complete", f"{url} to load")
            evaluate(DISMISSED_WELCOME)
            call("Page.reload")
            try:
                wait_for(lambda: showing in (evaluate("document.body.innerText") or ""), f"{showing!r} on {url}")
            except AssertionError as missing:
                # what the page showed instead, as a picture and as text
                out.write_bytes(base64.b64decode(call("Page.captureScreenshot", format="png")["data"]))
                raise AssertionError(f"{missing} (see {out}); it shows: {evaluate('document.body.innerText')!r:.2000}") from None
            time.sleep(1.5)  # the dialog would open a second after the page; it must not
            text = evaluate("document.body.innerText")
            out.write_bytes(base64.b64decode(call("Page.captureScreenshot", format="png")["data"]))
            return text
    finally:
        chromium.kill()
        chromium.wait()


def wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.2)


def test_the_dagster_ui_shows_the_asset_groups_and_assets(dagster_dev, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    lineage = f"http://127.0.0.1:{dagster_dev}/asset-groups"
    dom = browse(lineage, tmp_path / "profile-groups", "--dump-dom")
    for group in ("ingest", "core", "analytics", "publish"):
        assert f">{group}<" in dom, group
    text = dagster_screenshot(lineage, ARTIFACTS / "dagster-lineage.png", tmp_path / "profile-shot", showing="publish")
    assert "Global asset lineage" in text
    assert "Join the Dagster community" not in text  # nothing covers the graph in the screenshot
    assert (ARTIFACTS / "dagster-lineage.png").stat().st_size > 10_000

    catalog = f"http://127.0.0.1:{dagster_dev}/assets"
    # the catalog renders only the rows in view: a window tall enough for all 31 assets
    dom = browse(catalog, tmp_path / "profile-assets", "--dump-dom", size="1400,3000")
    for name in ("parsed_seeds", "seed_files", "articles", "provider_stats", "provider_health", "stories",
                 "provider_lead_lag", "published_warehouse", "report"):
        assert name in dom, name
    text = dagster_screenshot(catalog, ARTIFACTS / "dagster-assets.png", tmp_path / "profile-shot2", showing="provider_stats")
    assert "Join the Dagster community" not in text
    assert (ARTIFACTS / "dagster-assets.png").stat().st_size > 10_000


def test_the_report_draws_every_chart_offline(tiny_warehouse, tmp_path):
    from pipeline.report import write_report

    ARTIFACTS.mkdir(exist_ok=True)
    report = write_report(tiny_warehouse, tmp_path / "report.html")
    dom = browse(report.as_uri(), tmp_path / "profile-dom", "--dump-dom")
    assert dom.count('class="main-svg"') >= 9  # Plotly drew each of the nine charts
    assert dom.count('<section class="chart"') == 9
    # the checks the build recorded, every one with its status, in the page's own styles
    with duckdb.connect(str(tiny_warehouse), read_only=True) as con:
        recorded, failed = con.execute("select count(*), count(*) filter (where not success) from quality.check_results").fetchone()
    # every recorded check once under its table, the failed ones once more in the list of failures
    assert dom.count('<tr class="check ') == recorded + failed
    browse(report.as_uri(), tmp_path / "profile-shot", "--window-size=1200,2600", f"--screenshot={ARTIFACTS / 'report.png'}")
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


def devtools_page(url: str, profile: Path, out: Path, size: tuple[int, int] = (1300, 1400)) -> tuple[list[str], dict]:
    """Open `url` in headless Chromium driven over its DevTools protocol: every URL the page
    requested (its own included), what `COUNTS` finds in its DOM, and a screenshot at `out`."""
    profile.mkdir(parents=True)
    chromium = subprocess.Popen(
        [CHROMIUM, *FLAGS, "--remote-debugging-port=0", f"--user-data-dir={profile}",
         f"--window-size={size[0]},{size[1]}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        wait_for(lambda: port_file.exists() and port_file.read_text().strip(), "Chromium's DevTools port")
        port = port_file.read_text().split()[0]
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=30))
        requested: list[str] = []
        with connect(next(p["webSocketDebuggerUrl"] for p in pages if p["type"] == "page"), max_size=None) as ws:
            ids = iter(range(1, 1_000_000))

            def call(method: str, **params: object) -> dict:
                request_id = next(ids)
                ws.send(json.dumps({"id": request_id, "method": method, "params": params}))
                while (reply := json.loads(ws.recv(timeout=60))).get("id") != request_id:
                    if reply.get("method") == "Network.requestWillBeSent":
                        requested.append(reply["params"]["request"]["url"])
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply["result"]

            def evaluate(expression: str) -> object:
                return call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

            call("Network.enable")
            call("Page.navigate", url=url)
            wait_for(lambda: evaluate("document.readyState") == "complete", f"{url} to load")
            counts = evaluate(COUNTS)
            out.write_bytes(base64.b64decode(call("Page.captureScreenshot", format="png")["data"]))
            return requested, counts
    finally:
        chromium.kill()
        chromium.wait()


# what a person sees of the checks: rows, those marked passed and failed as rendered text, and
# whether the page's own styles applied (a failed critical row is tinted)
COUNTS = """(() => {
  const rows = [...document.querySelectorAll('tr.check')];
  const shown = (r) => r.getBoundingClientRect().height > 0 || r.closest('details') !== null;
  return {
    rows: rows.length,
    passed: rows.filter((r) => r.querySelector('.status').innerText.includes('passed')).length,
    failed: rows.filter((r) => r.querySelector('.status').innerText.includes('failed')).length,
    visible: rows.filter(shown).length,
    critical_tint: rows.filter((r) => r.matches('tr.failed.critical'))
      .map((r) => getComputedStyle(r.querySelector('td')).backgroundColor),
    verdict: document.querySelector('.verdict').innerText,
    title: document.title,
  };
})()"""


def test_the_quality_page_shows_every_check_offline(tiny_warehouse, tmp_path):
    from pipeline import quality
    from pipeline.catalog import TABLES

    ARTIFACTS.mkdir(exist_ok=True)
    warehouse = tmp_path / "broken.duckdb"
    shutil.copyfile(tiny_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:  # one critical expectation fails: not_null__url_source
        without_keys(con, "core.articles")  # its NOT NULL would refuse the break the page must show
        con.execute("update core.articles set url_source = null where source_path = 'sub/b.txt'")
    check = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "check", "--warehouse", str(warehouse)],
        capture_output=True, text=True, timeout=300,
    )
    assert check.returncode == 1, check.stderr
    page = tmp_path / "broken-quality.html"
    assert check.stdout.splitlines()[0] == f"quality page: {page}"
    checks = sum(len(quality.expectations(quality.load_suite(t.name))) for t in TABLES)
    requested, counts = devtools_page(page.as_uri(), tmp_path / "profile-quality", ARTIFACTS / "quality-page.png")
    assert requested == [page.as_uri()]  # the page itself, and nothing from any network
    # every check under its table, the two that failed (a critical one and the tiny seeds'
    # warning) listed once more at the top
    assert counts["rows"] == checks + 2
    assert (counts["passed"], counts["failed"]) == (checks - 2, 4)
    assert counts["visible"] == checks + 2
    assert counts["critical_tint"] == ["rgb(255, 245, 244)", "rgb(255, 245, 244)"]
    assert counts["verdict"] == "1 critical check failed: a build with these outcomes is not published"
    assert counts["title"].startswith("Data quality: seedhouse check ")
    assert (ARTIFACTS / "quality-page.png").stat().st_size > 10_000
