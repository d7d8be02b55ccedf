#!/usr/bin/env python3
"""Browser tests of the dashboard log viewer (Sources/DevFlowDashboard/Assets/log-viewer.*).

Run: python3 Tests/Browser/components/test_log_viewer.py
Needs /usr/bin/chromium and /usr/bin/chromedriver (Debian packages) and selenium.
Screenshots and measured times go to $SCREENSHOT_DIR (default /tmp/devflow-screenshots/components).
Exits non-zero when a test fails.
"""

import json
import os
import subprocess
import sys
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "/tmp/devflow-screenshots/components")


def wait_for_chromedriver():
    """Chromium may still be installing: poll every 30 s for up to 15 minutes."""
    for _ in range(30):
        if os.path.exists(CHROMEDRIVER) and os.path.exists(CHROMIUM):
            return
        print(f"waiting for {CHROMEDRIVER} …", flush=True)
        time.sleep(30)
    sys.exit(f"{CHROMEDRIVER} or {CHROMIUM} missing (apt-get install chromium chromium-driver)")


try:
    import selenium  # noqa: F401
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "selenium"])

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

import fake_log_server  # noqa: E402

BIG = "/api/v1/runs/1/nodes/big/log"
SMALL = "/api/v1/runs/2/nodes/small/log"
STREAM = "/api/v1/runs/3/nodes/build/log/stream"
MEASURED = {}

# Is viewer row N (1-based) fully inside the scroll area? Returns null when not rendered.
ROW_IN_VIEW_JS = """
const row = document.querySelector(`#log .lv-row[data-line="${arguments[0]}"]`);
if (!row) return null;
const r = row.getBoundingClientRect(), c = document.querySelector('#log .lv-scroll').getBoundingClientRect();
return r.top >= c.top - 1 && r.bottom <= c.bottom + 1 && r.height > 0;
"""


def measure(name, value):
    MEASURED[name] = round(value, 1)
    print(f"    {name}: {value:.1f}", flush=True)


class LogViewerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        wait_for_chromedriver()
        os.makedirs(SCREENSHOT_DIR, exist_ok=True)
        cls.server, cls.base = fake_log_server.start_server()
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                    "--disable-dev-shm-usage", "--lang=en-US"):
            opts.add_argument(arg)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        cls.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        cls.driver.set_script_timeout(30)
        cls.set_viewport(1280, 900)
        # Warm up: the first navigation of a fresh browser pays for process start-up,
        # which is not the viewer's time to first rows.
        cls.driver.get(f"{cls.base}/page?log={SMALL}")
        end = time.monotonic() + 30
        while not cls.driver.execute_script("return !!(window.__logViewerStats && window.__logViewerStats.loadedAt)"):
            if time.monotonic() > end:
                raise RuntimeError("warm-up page did not load")
            time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.server.shutdown()

    @classmethod
    def set_viewport(cls, width, height, mobile=False):
        cls.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def setUp(self):
        self.driver.get("about:blank")
        self.driver.get_log("browser")  # drop what earlier tests logged
        self.allowed_console = ()

    def tearDown(self):
        errors = [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"
                  and not any(a in e["message"] for a in self.allowed_console)]
        self.assertEqual(errors, [], "JavaScript errors in the console")

    # ---- helpers

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, script, timeout=30, message="condition", *args):
        end = time.monotonic() + timeout
        while True:
            value = self.js(script, *args)
            if value:
                return value
            if time.monotonic() > end:
                self.fail(f"timed out after {timeout}s waiting for {message}")
            time.sleep(0.05)

    def open(self, log="", stream="", running=False, download="", fragment=""):
        from urllib.parse import urlencode
        query = urlencode({"log": log, "stream": stream, "running": "true" if running else "false",
                           "download": download})
        self.driver.get(f"{self.base}/page?{query}{fragment}")
        self.wait("return !!window.DevFlowLogViewer && !!document.querySelector('#log .lv-scroll')",
                  10, "the viewer to mount")

    def wait_loaded(self, timeout=120):
        return self.wait("const s = window.__logViewerStats; return s && s.loadedAt !== null && s;",
                         timeout, "the log to finish loading")

    def viewer(self, expr):
        return self.js("const v = DevFlowLogViewer.get(document.getElementById('log')); return " + expr)

    def text(self, selector):
        return self.js("const e = document.querySelector(arguments[0]); return e ? e.textContent : null", selector)

    def row_text(self, line):
        return self.text(f'#log .lv-row[data-line="{line}"] .lv-text')

    def search(self, query, regex=False):
        """Types `query` + Enter; returns ms from the Enter keydown until the count settles."""
        pressed = self.js("return document.querySelector('#log .lv-regex').getAttribute('aria-pressed') === 'true'")
        if pressed != regex:
            self.driver.find_element(By.CSS_SELECTOR, "#log .lv-regex").click()
        box = self.driver.find_element(By.CSS_SELECTOR, "#log .lv-search-input")
        box.clear()
        # Test-side clocks: Enter keydown (capture phase) and the count's text changes.
        self.js("""
          const input = document.querySelector('#log .lv-search-input'), count = document.querySelector('#log .lv-search-count');
          window.__t = { enter: null, changes: [] };
          input.addEventListener('keydown', (e) => { if (e.key === 'Enter' && window.__t.enter === null) window.__t.enter = performance.now(); }, { capture: true });
          if (window.__obs) window.__obs.disconnect();
          window.__obs = new MutationObserver(() => window.__t.changes.push([performance.now(), count.textContent]));
          window.__obs.observe(count, { childList: true, characterData: true, subtree: true });
        """)
        box.send_keys(query + Keys.ENTER)
        # Settled: the viewer has searched every line (no trailing "…").
        self.wait("const t = document.querySelector('#log .lv-search-count').textContent;"
                  "return t !== '' && !t.endsWith('…') && window.__t.enter !== null && t",
                  30, f"search for {query!r} to finish")
        t = self.js("return window.__t")
        final = t["changes"][-1] if t["changes"] else [t["enter"], ""]
        return final[0] - t["enter"], self.text("#log .lv-search-count")

    def screenshot(self, name):
        path = os.path.join(SCREENSHOT_DIR, name)
        self.driver.save_screenshot(path)
        print(f"    screenshot {path}")

    # ---- tests

    def test_big_log_streams_virtualizes_and_searches(self):
        api_before = len(self.server.state.api)
        self.open(log=BIG, download=BIG + "?download=true")
        stats = self.wait_loaded()
        measure("big log: first rows at (ms after navigation)", stats["firstRowsAt"])
        measure("big log: fully loaded at (ms after navigation)", stats["loadedAt"])
        self.assertLess(stats["firstRowsAt"], 500, "first rows must show within 500 ms")
        self.assertEqual(stats["lines"], 1_000_000)
        self.assertEqual(self.viewer("v.lineCount()"), 1_000_000)
        self.assertEqual(self.text("#log .lv-count"), "1,000,000 lines")
        self.assertEqual(self.row_text(1), "line 1 of the build: compiling module Foo1")
        self.assertTrue(self.js(ROW_IN_VIEW_JS, 1))
        heap = self.js("return performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null")
        if heap:
            measure("big log: JS heap after load (MB)", heap)
        api = self.server.state.api[api_before:]
        self.assertEqual([a for a in api if a.startswith(BIG)], [BIG + "?timestamps=true"], "exactly one log request")
        self.assertEqual(self.js("return document.querySelector('#log .lv-download').getAttribute('href')"),
                         BIG + "?download=true")

        # Virtualized: few rows in the DOM wherever we are; scrolling renders fast.
        # Each step sets scrollTop (forcing layout of the previous step) and renders.
        rows = self.js("return document.querySelectorAll('#log .lv-row').length")
        self.assertLess(rows, 200)
        scroll_ms, jump_ms = self.js("""
          const v = DevFlowLogViewer.get(document.getElementById('log')), s = v.scroller;
          const mid = s.scrollHeight / 2;
          let t0 = performance.now();
          for (let k = 0; k < 300; k++) { s.scrollTop = mid + k * 54; v.render(); }   // 3 rows per step
          s.offsetHeight;
          const scroll = (performance.now() - t0) / 300;
          t0 = performance.now();
          for (let k = 0; k < 100; k++) { s.scrollTop = (k * 7919 % 100) / 100 * s.scrollHeight; v.render(); }
          s.offsetHeight;
          return [scroll, (performance.now() - t0) / 100];""")
        measure("big log: scroll step of 3 rows, render + layout (ms)", scroll_ms)
        measure("big log: random jump, render + layout (ms)", jump_ms)
        self.assertLess(scroll_ms, 16)
        self.assertLess(jump_ms, 50)
        self.assertLess(self.js("return document.querySelectorAll('#log .lv-row').length"), 200)
        self.driver.find_element(By.CSS_SELECTOR, "#log .lv-bottom").click()
        self.assertTrue(self.js(ROW_IN_VIEW_JS, 1_000_000), "last line reachable despite scaled scrolling")
        self.assertLess(self.js("return document.querySelectorAll('#log .lv-row').length"), 200)
        self.driver.find_element(By.CSS_SELECTOR, "#log .lv-top").click()
        self.assertTrue(self.js(ROW_IN_VIEW_JS, 1))

        # Search the whole log for the needle.
        ms, count = self.search("needle-in-the-haystack")
        measure("big log: search needle, Enter to '1 of 1' (ms)", ms)
        self.assertEqual(count, "1 of 1")
        self.assertLess(ms, 1000)
        n = fake_log_server.NEEDLE_LINE
        self.assertTrue(self.js(ROW_IN_VIEW_JS, n), f"line {n} scrolled into view")
        self.assertEqual(self.text(f'#log .lv-row[data-line="{n}"] mark.lv-match-current'), "needle-in-the-haystack")

        # Many matches, case-insensitive, counted on text without escapes (every 10th line has some).
        # Enter goes to the first match at or below the top of the view: start from the top.
        self.driver.find_element(By.CSS_SELECTOR, "#log .lv-top").click()
        ms, count = self.search("MODULE foo7")
        expected = sum(1 for i in range(1, 1_000_001) if i != n and str(i % 997).startswith("7"))
        measure("big log: search 'MODULE foo7' over 1M lines (ms)", ms)
        self.assertEqual(count, f"1 of {expected:,}")
        self.assertLess(ms, 1000)
        first = next(i for i in range(1, 1_000_001) if str(i % 997).startswith("7"))
        self.assertTrue(self.js(ROW_IN_VIEW_JS, first))
        self.driver.find_element(By.CSS_SELECTOR, "#log .lv-search-input").send_keys(Keys.ENTER)
        self.assertEqual(self.text("#log .lv-search-count"), f"2 of {expected:,}")
        self.driver.find_element(By.CSS_SELECTOR, "#log .lv-search-input").send_keys(Keys.SHIFT, Keys.ENTER)
        self.assertEqual(self.text("#log .lv-search-count"), f"1 of {expected:,}")
        self.driver.find_element(By.CSS_SELECTOR, "#log .lv-prev").click()
        self.assertEqual(self.text("#log .lv-search-count"), f"{expected:,} of {expected:,}")

        # Regex mode, and an invalid regex is a message, not an exception.
        ms, count = self.search(r"needle-in-the-h[a]ystack\b", regex=True)
        self.assertEqual(count, "1 of 1")
        box = self.driver.find_element(By.CSS_SELECTOR, "#log .lv-search-input")
        box.clear()
        box.send_keys("(unclosed" + Keys.ENTER)
        self.wait("return document.querySelector('#log .lv-search-count').textContent === 'invalid regular expression'",
                  5, "the invalid-regex message")
        self.assertLess(self.js("return document.querySelectorAll('#log mark').length"), 1)

        self.screenshot_needle()

    def screenshot_needle(self):
        self.search("needle-in-the-haystack")
        self.screenshot("desktop-light-big-log-search.png")

    def test_search_covers_lines_that_arrive_later(self):
        # Search as soon as the first rows show: the needle (line 987,655) has not arrived yet
        # (this log streams in about 6 s).
        self.open(log=BIG + "?pace=0.02")
        self.wait("return window.__logViewerStats.firstRowsAt !== null", 10, "first rows")
        ms, count = self.search("needle-in-the-haystack")
        loaded = self.js("return window.__logViewerStats.loadedAt")
        t = self.js("return window.__t")
        self.assertTrue(loaded is None or loaded > t["enter"], "Enter was pressed while the log was loading")
        self.assertEqual(count, "1 of 1")
        self.assertIn("searching…", [c[1] for c in t["changes"]], "searched while lines were still arriving")
        self.assertTrue(self.js(ROW_IN_VIEW_JS, fake_log_server.NEEDLE_LINE))
        self.wait_loaded()
        self.assertEqual(self.text("#log .lv-search-count"), "1 of 1")
        measure("paced big log (~6 s stream): Enter while loading until '1 of 1' after the rest arrived (ms)", ms)

    def test_permalink(self):
        self.open(log=BIG, fragment="#L500000")
        # The line arrives mid-stream; the viewer scrolls there when it does.
        self.wait("const r = document.querySelector('#log .lv-row[data-line=\"500000\"]');"
                  "return r && r.classList.contains('lv-selected')", 60, "line 500000 to be highlighted")
        self.assertTrue(self.js(ROW_IN_VIEW_JS, 500000))
        self.wait_loaded()
        # Still in view after the rest loaded (the scroll height is scaled past 15M px).
        self.assertTrue(self.js(ROW_IN_VIEW_JS, 500000), "line 500000 stays in view after the load")
        self.assertEqual(self.js("return document.querySelectorAll('#log .lv-selected').length"), 1)

        self.driver.find_element(By.CSS_SELECTOR, '#log .lv-row[data-line="500003"] .lv-ln').click()
        self.assertEqual(self.js("return location.hash"), "#L500003")
        self.assertEqual(self.js("return [...document.querySelectorAll('#log .lv-selected')].map(r => r.dataset.line)"),
                         ["500003"])
        ActionChains(self.driver).key_down(Keys.SHIFT).click(
            self.driver.find_element(By.CSS_SELECTOR, '#log .lv-row[data-line="500006"] .lv-ln')).key_up(Keys.SHIFT).perform()
        self.assertEqual(self.js("return location.hash"), "#L500003-L500006")
        self.assertEqual(self.js("return [...document.querySelectorAll('#log .lv-selected')].map(r => r.dataset.line)"),
                         ["500003", "500004", "500005", "500006"])
        self.assertTrue(self.js(ROW_IN_VIEW_JS, 500003), "clicking does not scroll away")

        # A range typed into the address bar.
        self.js("location.hash = '#L10-L20'")
        self.wait("return document.querySelectorAll('#log .lv-selected').length === 11", 5, "range L10-L20")
        self.assertTrue(self.js(ROW_IN_VIEW_JS, 10))
        self.assertEqual(self.js("return [...document.querySelectorAll('#log .lv-selected')].map(r => +r.dataset.line)"),
                         list(range(10, 21)))

    def test_small_log_ansi_injection_and_long_line(self):
        self.open(log=SMALL)
        self.wait_loaded(30)
        n = len(fake_log_server.SMALL_LINES) + 1
        self.assertEqual(self.viewer("v.lineCount()"), n)

        # Injection: nothing executed, markup shown literally, no elements made from it.
        self.assertIsNone(self.js("return window.__pwned"))
        self.assertEqual(self.js("return document.title"), "DevFlow log viewer test", "OSC title not applied")
        self.assertEqual(self.row_text(2), "<script>window.__pwned=1</script>")
        self.assertEqual(self.row_text(3), '<img src=x onerror="window.__pwned=1">')
        self.assertTrue(self.driver.find_element(By.CSS_SELECTOR, '#log .lv-row[data-line="2"] .lv-text').is_displayed())
        self.assertEqual(self.js("return document.querySelectorAll('#log script, #log img, #log iframe, #log object, #log [onerror]').length"), 0)
        self.assertEqual(self.js("return [...document.querySelectorAll('#log .lv-rows a')].filter(a => !a.classList.contains('lv-ln')).length"),
                         0, "OSC 8 hyperlinks are not turned into links")

        # Escapes stripped; text as shown.
        self.assertEqual(self.row_text(4), "after an OSC title")
        self.assertEqual(self.row_text(5), "hyperlink text after an OSC 8 link")
        self.assertEqual(self.row_text(6), "cursor moves and  erase")
        self.assertEqual(self.row_text(9), "controls: bell , backspace , vt , ff , C1 CSI , cr , ESC 7 , del  done")
        self.assertEqual(self.row_text(10), "tab\tseparated\tcolumns")
        self.assertEqual(self.row_text(12), "bad bytes \ufffd\ufffd here")
        self.assertEqual(self.row_text(13), "emoji \U0001F680 and CJK \u6f22\u5b57")
        self.assertEqual(self.row_text(14), "DCS  done")
        self.assertEqual(self.row_text(17), "bad 256 clamped truncated sgr")
        self.assertEqual(self.row_text(19), "lone escape at the end ")
        self.assertEqual(self.row_text(20), "a line without a timestamp prefix")
        all_text = self.js("return document.querySelector('#log .lv-rows').textContent")
        self.assertNotIn("\x1b", all_text)
        self.assertFalse(any(c < " " and c != "\t" or "\x7f" <= c <= "\x9f" for c in all_text), "no control characters")

        # ANSI colours: classes for 0-15 (themed), inline colours for 256 and truecolor.
        red = self.js("const s = document.querySelector('#log .lv-row[data-line=\"7\"] .lv-fg-1');"
                      "return s && [s.textContent, getComputedStyle(s).color]")
        self.assertEqual(red, ["red", "rgb(207, 34, 46)"])
        self.assertEqual(self.text('#log .lv-row[data-line="7"] .lv-b.lv-fg-2'), "bold green")
        self.assertEqual(self.text('#log .lv-row[data-line="7"] .lv-u'), "under")
        self.assertEqual(self.text('#log .lv-row[data-line="7"] .lv-i'), "italic")
        self.assertEqual(self.text('#log .lv-row[data-line="7"] .lv-d'), "dim")
        self.assertEqual(self.text('#log .lv-row[data-line="7"] .lv-fg-13'), "bright")
        styles = self.js("return [...document.querySelectorAll('#log .lv-row[data-line=\"8\"] .lv-text span')]"
                         ".map(s => [s.textContent, s.className, s.style.color, s.style.backgroundColor])")
        self.assertEqual(styles, [
            ["256 orange", "", "rgb(255, 135, 0)", ""],
            ["bg blue", "", "", "rgb(0, 0, 255)"],
            ["truecolor", "", "rgb(10, 200, 30)", ""],
            ["red bg", "lv-bg-1", "", ""],
            ["bright bg", "lv-bg-12", "", ""],
        ])
        self.assertEqual(self.js("return document.querySelector('#log .lv-row[data-line=\"17\"] .lv-text span')"
                                 "?.style.color ?? null"), "rgb(255, 0, 0)", "truecolor channels clamped")

        # Search sees the text without escapes.
        self.assertEqual(self.search("warning")[1], "1 of 1")
        self.assertTrue(self.js(ROW_IN_VIEW_JS, 11))
        self.assertEqual(self.search("[0m")[1], "no matches")
        self.assertEqual(self.search("hyperlink text after")[1], "1 of 1")

        # Timestamps: local HH:MM:SS.mmm, full value in the title, toggle hides the column.
        ts = self.js("const t = document.querySelector('#log .lv-row[data-line=\"1\"] .lv-ts');"
                     "const d = new Date(t.title), p = (n, w) => String(n).padStart(w, '0');"
                     "return [t.textContent, t.title, `${p(d.getHours(),2)}:${p(d.getMinutes(),2)}:${p(d.getSeconds(),2)}.${p(d.getMilliseconds(),3)}`,"
                     "getComputedStyle(t).display]")
        self.assertEqual(ts[1], "2026-12-02T11:14:26.000Z")
        self.assertEqual(ts[0], ts[2])
        self.assertNotEqual(ts[3], "none")
        self.assertEqual(self.text('#log .lv-row[data-line="20"] .lv-ts'), "")
        toggle = self.driver.find_element(By.CSS_SELECTOR, "#log .lv-ts-toggle")
        toggle.click()
        self.assertEqual(toggle.get_attribute("aria-pressed"), "false")
        self.assertEqual(self.js("return getComputedStyle(document.querySelector('#log .lv-row .lv-ts')).display"), "none")
        toggle.click()
        self.assertEqual(toggle.get_attribute("aria-pressed"), "true")

        # The 1 MB line: truncated row with a button, the page stays responsive.
        long_len = len(fake_log_server.SMALL_LINES[14])
        self.assertEqual(self.viewer("v.plainLine(14).length"), long_len)
        self.assertEqual(self.js("return document.querySelector('#log .lv-row[data-line=\"15\"] .lv-text').textContent.length"), 10000)
        more = self.driver.find_element(By.CSS_SELECTOR, '#log .lv-row[data-line="15"] .lv-more')
        self.assertEqual(more.text, f"… {long_len - 10000:,} more characters")
        worst = max(self.round_trip() for _ in range(5))
        measure("small log: JS round trip with the 1 MB line rendered (ms)", worst)
        self.assertLess(worst, 200)
        ms, count = self.search("END-OF-LONG-LINE")
        self.assertEqual(count, "1 of 1")
        measure("small log: search inside the 1 MB line (ms)", ms)
        more = self.driver.find_element(By.CSS_SELECTOR, '#log .lv-row[data-line="15"] .lv-more')
        more.click()
        self.assertTrue(self.driver.find_element(By.CSS_SELECTOR, "#log .lv-full").is_displayed())
        self.assertEqual(self.js("return document.querySelector('#log .lv-full-text').textContent.length"), long_len)
        self.assertTrue(self.js("return document.querySelector('#log .lv-full-text').textContent.endsWith('END-OF-LONG-LINE')"))
        worst = max(self.round_trip() for _ in range(5))
        measure("small log: JS round trip with the 1 MB line expanded (ms)", worst)
        self.assertLess(worst, 200)
        self.driver.find_element(By.CSS_SELECTOR, "#log .lv-full-close").click()
        self.assertFalse(self.driver.find_element(By.CSS_SELECTOR, "#log .lv-full").is_displayed())

    def round_trip(self):
        t0 = time.monotonic()
        self.js("return 1")
        return (time.monotonic() - t0) * 1000

    def sse_state(self, session):
        with self.server.state.lock:
            return json.loads(json.dumps(self.server.state.sessions.get(session, [])))

    def expected_sse_lines(self, total):
        return [f"sse line {i}: step {i} done" for i in range(1, total + 1)]

    def test_sse_reconnects_without_duplicates(self):
        session = uuid.uuid4().hex
        self.open(stream=f"{STREAM}?session={session}&total=120&drop=50", running=True)
        self.assertEqual(self.text("#log .lv-follow"), "Follow")
        self.assertEqual(self.js("return document.querySelector('#log .lv-follow').getAttribute('aria-pressed')"), "true")
        self.wait("return document.querySelector('#log .lv-count').textContent === '120 lines · succeeded'",
                  30, "the end event")
        self.assertEqual(self.viewer("Array.from({length: v.lineCount()}, (_, i) => v.plainLine(i))"),
                         self.expected_sse_lines(120))
        conns = self.sse_state(session)
        self.assertEqual([c["last_event_id"] for c in conns], [None, "50"], "reconnect carried Last-Event-ID")
        self.assertEqual(conns[1]["sent"][0], 51)
        self.assertTrue(conns[1]["ended"])
        self.assertGreaterEqual(self.js("return window.__logViewerStats.reconnects"), 1)
        self.assertFalse(self.driver.find_element(By.CSS_SELECTOR, "#log .lv-reconnect").is_displayed())
        # The end event closed the stream: no further connection after several retry periods.
        time.sleep(1.5)
        self.assertEqual(len(self.sse_state(session)), 2, "no reconnect after `event: end`")
        self.assertTrue(self.js(ROW_IN_VIEW_JS, 120), "followed to the last line")
        self.assertTrue(self.js("return document.querySelector('#log .lv-row[data-line=\"119\"]').classList.contains('lv-stderr')"))

    def test_sse_replayed_events_are_ignored_and_reconnecting_shows(self):
        # This server replays 5 events on reconnect and waits 2 s before it; the viewer drops the repeats.
        session = uuid.uuid4().hex
        self.open(stream=f"{STREAM}?session={session}&total=80&drop=30&overlap=5&retry=2000", running=True)
        self.wait("const e = document.querySelector('#log .lv-reconnect'); return e && !e.hidden", 10,
                  "the reconnecting indicator")
        self.assertTrue(self.driver.find_element(By.CSS_SELECTOR, "#log .lv-reconnect").is_displayed())
        self.assertEqual(self.text("#log .lv-reconnect"), "reconnecting…")
        self.assertEqual(self.viewer("v.lineCount()"), 30)
        self.wait("return document.querySelector('#log .lv-count').textContent === '80 lines · succeeded'",
                  30, "the end event")
        conns = self.sse_state(session)
        self.assertEqual([c["last_event_id"] for c in conns], [None, "30"])
        self.assertEqual(conns[1]["sent"][:6], [26, 27, 28, 29, 30, 31], "server replayed 26..30")
        self.assertEqual(self.viewer("Array.from({length: v.lineCount()}, (_, i) => v.plainLine(i))"),
                         self.expected_sse_lines(80))
        self.assertFalse(self.driver.find_element(By.CSS_SELECTOR, "#log .lv-reconnect").is_displayed())

    def test_follow_mode(self):
        session = uuid.uuid4().hex
        self.open(stream=f"{STREAM}?session={session}&total=400&drop=1000&delay=0.02", running=True)
        follow = self.driver.find_element(By.CSS_SELECTOR, "#log .lv-follow")
        self.assertEqual(follow.get_attribute("aria-pressed"), "true")
        checked = 0
        while self.viewer("v.lineCount()") < 150:
            # The newest line shown (the viewer flushes arrivals once per frame) is in view.
            last, in_view = self.js("const v = DevFlowLogViewer.get(document.getElementById('log')), n = window.__logViewerStats.lines;"
                                    "const r = document.querySelector(`#log .lv-row[data-line=\"${n}\"]`);"
                                    "if (!r) return [n, false];"
                                    "const a = r.getBoundingClientRect(), c = v.scroller.getBoundingClientRect();"
                                    "return [n, a.top >= c.top - 1 && a.bottom <= c.bottom + 1];")
            if last > 60:
                self.assertTrue(in_view, f"line {last} in view while following")
                checked += 1
            time.sleep(0.1)
        self.assertGreater(checked, 5)

        # Scrolling up (mouse wheel) stops following; new lines no longer move the view.
        scroller = self.driver.find_element(By.CSS_SELECTOR, "#log .lv-scroll")
        ActionChains(self.driver).scroll_from_origin(ScrollOrigin.from_element(scroller), 0, -600).perform()
        self.wait("return document.querySelector('#log .lv-follow').getAttribute('aria-pressed') === 'false'",
                  5, "follow to turn off")
        top = self.settled_scroll_top()
        n = self.viewer("v.lineCount()")
        self.wait("return DevFlowLogViewer.get(document.getElementById('log')).lineCount() > arguments[0] + 30",
                  10, "more lines", n)
        self.assertEqual(self.js("return document.querySelector('#log .lv-scroll').scrollTop"), top)
        self.assertFalse(self.js(ROW_IN_VIEW_JS, self.viewer("v.lineCount()")))

        # `f` turns it back on and jumps to the bottom.
        self.driver.find_element(By.TAG_NAME, "body").send_keys("f")
        self.assertEqual(follow.get_attribute("aria-pressed"), "true")
        self.wait("return document.querySelector('#log .lv-count').textContent === '400 lines · succeeded'",
                  30, "the end event")
        time.sleep(0.1)
        self.assertTrue(self.js(ROW_IN_VIEW_JS, 400))

    def settled_scroll_top(self):
        """scrollTop once a (smooth) wheel scroll has stopped moving."""
        last, stable = None, 0
        while stable < 5:
            top = self.js("return document.querySelector('#log .lv-scroll').scrollTop")
            stable = stable + 1 if top == last else 0
            last = top
            time.sleep(0.05)
        return last

    def test_keyboard_and_labels(self):
        self.open(log=SMALL)
        self.wait_loaded(30)
        body = self.driver.find_element(By.TAG_NAME, "body")
        body.send_keys("/")
        self.assertTrue(self.js("return document.activeElement === document.querySelector('#log .lv-search-input')"))
        self.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
        self.assertTrue(self.js("return document.activeElement === document.querySelector('#log .lv-scroll')"))
        self.driver.switch_to.active_element.send_keys("G")
        self.assertTrue(self.js(ROW_IN_VIEW_JS, len(fake_log_server.SMALL_LINES) + 1))
        self.driver.switch_to.active_element.send_keys("g")
        self.assertTrue(self.js(ROW_IN_VIEW_JS, 1))
        # Typing g in the search box is text, not a shortcut.
        body.send_keys("/")
        self.driver.switch_to.active_element.send_keys("gG")
        self.assertEqual(self.js("return document.querySelector('#log .lv-search-input').value"), "gG")

        # Every control is a real button/input/link with a label, reachable by Tab, with a visible outline.
        unlabeled = self.js("return [...document.querySelectorAll('#log button, #log input, #log a.lv-btn')]"
                            ".filter(e => !(e.getAttribute('aria-label') || '').trim()).map(e => e.outerHTML)")
        self.assertEqual(unlabeled, [])
        self.js("document.querySelector('#log .lv-search-input').focus()")
        self.driver.switch_to.active_element.send_keys(Keys.TAB)
        focused = self.js("const e = document.activeElement, s = getComputedStyle(e);"
                          "return [e.getAttribute('aria-label'), s.outlineStyle, s.outlineWidth]")
        self.assertEqual(focused[0], "Regular expression (case-sensitive)")
        self.assertNotEqual(focused[1], "none")
        self.assertNotEqual(focused[2], "0px")

    def test_load_error_is_shown(self):
        self.allowed_console = ("Failed to load resource",)
        self.open(log="/api/v1/runs/9/nodes/missing/log")
        self.wait("return document.querySelector('#log .lv-count').textContent.includes('HTTP 404')", 10,
                  "the error message")
        self.assertTrue(self.js("return document.querySelector('#log .lv-count').classList.contains('lv-error')"))

    def test_screenshots(self):
        try:
            self.open(log=SMALL, download=SMALL + "?download=true")
            self.wait_loaded(30)
            self.search("green")
            self.screenshot("desktop-light.png")
            self.set_viewport(390, 844, mobile=True)
            self.open(log=SMALL, download=SMALL + "?download=true")
            self.wait_loaded(30)
            self.assertLessEqual(self.js("return document.documentElement.scrollWidth"), 390, "no page-level sideways scroll")
            self.screenshot("phone-light.png")
            self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                                        {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
            self.screenshot("phone-dark.png")
            self.set_viewport(1280, 900)
            self.open(log=SMALL, download=SMALL + "?download=true")
            self.wait_loaded(30)
            self.search("green")
            self.screenshot("desktop-dark.png")
        finally:
            self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
            self.set_viewport(1280, 900)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(LogViewerTest)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    print("\nmeasured:")
    for k, v in MEASURED.items():
        print(f"  {k}: {v}")
    with open(os.path.join(SCREENSHOT_DIR, "measurements.json"), "w") as f:
        json.dump(MEASURED, f, indent=2)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or not result.testsRun else 0)


if __name__ == "__main__":
    main()
