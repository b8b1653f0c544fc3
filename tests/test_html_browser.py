"""The HTML report in a real browser: headless Chromium (Debian's chromium + chromium-driver,
installed by .ci/run) loads the report of examples/, with no console error, and every drawing
is laid out: each SVG and each node has a non-zero size, and nothing overlaps a legend.

Skipped where no Chromium is installed, except under CI, where a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.slow


def _browser():  # type: ignore[no-untyped-def]
    if not (CHROMIUM and DRIVER):
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium and chromium-driver (see .ci/run)")
        pytest.skip("no chromium/chromedriver on this machine (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1800"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=opts)


LAYOUT = """
function box(el) { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }
function meets(a, b) { return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]; }
const out = {svgs: [], empty: [], overlaps: []};
document.querySelectorAll("svg").forEach((svg, i) => {
  const b = box(svg); out.svgs.push(b);
  if (b[2] - b[0] <= 0 || b[3] - b[1] <= 0) out.empty.push("svg " + i);
});
document.querySelectorAll("svg .node rect, svg .row .net").forEach((el, i) => {
  const b = box(el);
  if (b[2] - b[0] <= 0 || b[3] - b[1] <= 0) out.empty.push((el.parentNode.dataset.id || el.parentNode.dataset.cidr));
});
document.querySelectorAll("svg .legend").forEach((legend) => {
  const lb = box(legend);
  legend.ownerSVGElement.querySelectorAll(".node, .row, .edge:not(.legend *), .col-title").forEach((el) => {
    if (legend.contains(el)) return;
    if (meets(lb, box(el))) out.overlaps.push(el.getAttribute("class") + " " + (el.dataset.id || ""));
  });
});
out.nodes = document.querySelectorAll("svg .node").length;
out.rows = document.querySelectorAll("svg .row").length;
return out;
"""


def test_report_in_chromium(tmp_path: Path) -> None:
    driver = _browser()
    shutil.copytree(ROOT / "examples" / "k3s-repo", tmp_path / "k3s-repo")
    (tmp_path / ".git").mkdir()
    report = tmp_path / "report.html"
    proc = subprocess.run([sys.executable, "-m", "multus_lint", "--format", "html", "--output-file",
                           str(report), "k3s-repo"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1, proc.stderr
    try:
        driver.get(report.as_uri())
        layout = driver.execute_script(LAYOUT)
        # the filters work without a server: unticking "info" hides the info findings
        driver.execute_script("""const box = document.querySelector("input[value=info]");
            box.checked = false; box.dispatchEvent(new Event("change", {bubbles: true}));""")
        shown = driver.execute_script("return document.getElementById('shown').textContent")
        shot = Path(os.environ.get("MULTUS_LINT_SCREENSHOT", tmp_path / "report.png"))
        driver.set_window_size(1280, int(driver.execute_script("return document.body.scrollHeight")))
        driver.save_screenshot(str(shot))
        logs = driver.get_log("browser")
    finally:
        driver.quit()
    errors = [entry for entry in logs if entry.get("level") == "SEVERE"]
    assert not errors, errors
    assert layout["nodes"] >= 9 and layout["rows"] >= 4, layout
    assert not layout["empty"], layout["empty"]
    assert not layout["overlaps"], layout["overlaps"]
    assert shown == "8 of 14 shown", shown  # 6 of the 14 findings are info
    assert shot.stat().st_size > 10_000
