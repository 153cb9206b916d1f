#!/usr/bin/env python3
"""End-to-end tests of the nsjudge web pages in headless Chromium.

Talks W3C WebDriver to chromedriver with plain urllib (nothing beyond
Debian's chromium and chromium-driver is needed) and the service's API the
same way. run.sh starts both on 127.0.0.1 and passes their ports:

    driver.py SERVICE_URL CHROMEDRIVER_URL REPO_DIR SCREENSHOT_DIR

Prints one line per check and ends with "N passed, N failed".
"""
import base64
import io
import json
import os
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request

SERVICE, DRIVER, REPO, SHOTS = sys.argv[1:5]
TIMEOUT_S = float(os.environ.get("BROWSER_TIMEOUT_S", "60"))
passed = failed = 0


def http(method, url, body=None, ctype="application/json"):
    data = None
    headers = {}
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = ctype
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            raw = r.read()
    except urllib.error.HTTPError as e:
        raw = e.read()
        raise RuntimeError(f"{method} {url}: HTTP {e.code}: {raw[:300]!r}") from None
    return json.loads(raw) if raw else None


class Browser:
    def __init__(self):
        profile = tempfile.mkdtemp(prefix="nsjudge-chromium-")
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu",
                         "--disable-background-networking", "--disable-component-update",
                         "--no-first-run", "--user-data-dir=" + profile,
                         "--window-size=1200,1000"],
            }}}}
        self.sid = http("POST", DRIVER + "/session", caps)["value"]["sessionId"]

    def cmd(self, method, path, body=None):
        if body is None and method == "POST":
            body = {}
        return http(method, f"{DRIVER}/session/{self.sid}{path}", body)["value"]

    def go(self, path):
        self.cmd("POST", "/url", {"url": SERVICE + path})

    def js(self, script, *args):
        return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css):
        v = self.cmd("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(v.values()))

    def click(self, css):
        self.cmd("POST", f"/element/{self.find(css)}/click")

    def type(self, css, text):
        el = self.find(css)
        self.cmd("POST", f"/element/{el}/clear")
        self.cmd("POST", f"/element/{el}/value", {"text": text})

    def text(self, css):
        return self.cmd("GET", f"/element/{self.find(css)}/text")

    def wait(self, script, what, *args):
        """Until script returns something true; returns it."""
        end = time.time() + TIMEOUT_S
        while time.time() < end:
            v = self.js(script, *args)
            if v:
                return v
            time.sleep(0.1)
        raise RuntimeError("timed out waiting for " + what)

    def ready(self):
        self.wait("return document.body && document.body.dataset.ready === '1'", "the page to load")

    def size(self, w, h):
        self.cmd("POST", "/window/rect", {"width": w, "height": h})

    def shot(self, name):
        png = base64.b64decode(self.cmd("GET", "/screenshot"))
        os.makedirs(SHOTS, exist_ok=True)
        with open(os.path.join(SHOTS, name + ".png"), "wb") as f:
            f.write(png)

    def quit(self):
        try:
            http("DELETE", f"{DRIVER}/session/{self.sid}")
        except Exception:
            pass


def check(name, fn):
    global passed, failed
    t0 = time.time()
    try:
        fn()
        passed += 1
        print(f"ok   {name} ({time.time() - t0:.1f} s)", flush=True)
    except Exception as e:  # report and go on with the next check
        failed += 1
        print(f"FAIL {name}: {e}", flush=True)


def read(rel):
    with open(os.path.join(REPO, rel)) as f:
        return f.read()


def pick_language(b, prefix):
    ok = b.js("""const s = document.getElementById('lang');
        for (const o of s.options) if (o.textContent.startsWith(arguments[0])) {
            s.value = o.value; s.dispatchEvent(new Event('change')); return true; }
        return false;""", prefix)
    if not ok:
        raise RuntimeError("no language starting with " + prefix)


def set_source(b, code):
    # CodeMirror when Debian's copy loaded, else the plain textarea
    b.js("""if (window.nsEditor) nsEditor.setValue(arguments[0]);
            else document.getElementById('source').value = arguments[0];""", code)


def playground_run(b, lang, code, stdin, want):
    b.go("/")
    b.ready()
    pick_language(b, lang)
    set_source(b, code)
    b.type("#stdin", stdin)
    b.click("#run")
    b.wait("""const s = document.getElementById('status').textContent;
              return !document.getElementById('run').disabled && s && s !== 'In Queue' && s !== 'Processing' && s;""",
           "the run's result")
    status, out = b.text("#status"), b.text("#stdout")
    if status != "Accepted" or want not in out:
        raise RuntimeError(f"status {status!r}, stdout {out!r}, error {b.text('#error')!r}")
    if not b.js("return location.hash.length > 1"):
        raise RuntimeError("no /#TOKEN link after the run")


def main():
    b = Browser()
    try:
        def editor_loaded():
            b.go("/")
            b.ready()
            if not b.js("return !!window.CodeMirror && !!document.querySelector('.CodeMirror-linenumber')"):
                raise RuntimeError("CodeMirror (libjs-codemirror) did not load on the playground")
        check("playground: CodeMirror editor with line numbers", editor_loaded)

        def run_c():
            playground_run(b, "C (", '#include <stdio.h>\nint main(void){char s[64];'
                           'scanf("%63s",s);printf("C says %s\\n",s);return 0;}\n', "browser\n",
                           "C says browser")
            b.shot("playground")
        check("playground: a C program runs and its output shows", run_c)

        def run_py():
            playground_run(b, "Python", "import sys\nprint('py', sys.stdin.read().strip()[::-1])\n",
                           "resworb\n", "py browser")
        check("playground: a Python program runs and its output shows", run_py)

        def shared_link():
            token = b.js("return location.hash.slice(1)")
            b.go("/")  # same document with a hash does not reload: open another first
            b.go("/#" + token)
            b.js("location.reload()")
            b.ready()
            b.wait("return document.getElementById('stdout').textContent.includes('py browser')",
                   "the shared run's output")
        check("playground: /#TOKEN shows a past run", shared_link)

        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as t:
            t.add(os.path.join(REPO, "testdata/problems/sum"), arcname=".")
        http("POST", SERVICE + "/problems?id=sum", buf.getvalue(), "application/gzip")

        def problem_list():
            b.go("/p")
            b.ready()
            b.wait("return document.querySelector('#problems a[href=\"/p/sum\"]')", "sum in the list")
        check("problems: the uploaded problem is listed", problem_list)

        def judge(src_rel, want, want_bad_row, lang="C (", upload=False, slow=False):
            b.go("/p/sum")
            b.ready()
            pick_language(b, lang)
            if upload:  # the file picker, as a person would use it
                b.cmd("POST", f"/element/{b.find('#file')}/value", {"text": os.path.join(REPO, src_rel)})
                b.wait("return (window.nsEditor ? nsEditor.getValue() : document.getElementById('source').value)"
                       ".includes(arguments[0])", "the file in the editor", read(src_rel).strip()[:40])
            else:
                set_source(b, read(src_rel) if src_rel.startswith("testdata/") else src_rel)
            b.click("#submit")
            b.wait("return document.querySelectorAll('#tests .test-row').length > 0", "a per-test row")
            if slow:
                # each test takes 0.6 s: the first row is there while the
                # verdict is still open (rows come from the event stream)
                early = b.js("""return [document.querySelectorAll('#tests .test-row').length,
                                        document.getElementById('verdict').dataset.verdict || null]""")
                if early[0] >= 3 or early[1] is not None:
                    raise RuntimeError(f"rows did not come one by one: {early}")
            v = b.wait("return document.getElementById('verdict').dataset.verdict", "the verdict")
            rows = b.js("""return [...document.querySelectorAll('#tests .test-row')]
                           .map(r => [r.cells[1].textContent, r.dataset.verdict])""")
            if v != want:
                raise RuntimeError(f"verdict {v!r}, rows {rows}")
            if want == "AC" and (len(rows) != 3 or any(r[1] != "AC" for r in rows)):
                raise RuntimeError(f"want 3 accepted rows, got {rows}")
            if want_bad_row and not any(r[1] == want for r in rows):
                raise RuntimeError(f"no {want} row in {rows}")
            sample = b.js("""const d = document.querySelector('#tests .diff');
                             return d && [...d.querySelectorAll('pre')].map(p => p.textContent)""")
            if not sample or sample[0].strip() != "3":
                raise RuntimeError(f"the sample test has no expected/output view: {sample}")
            return sample

        def accepted():
            sample = judge('#include <stdio.h>\n#include <unistd.h>\nint main(void){long long a,b;usleep(600000);'
                           'if(scanf("%lld %lld",&a,&b)!=2)return 1;printf("%lld\\n",a+b);return 0;}\n',
                           "AC", False, slow=True)
            if sample[1].strip() != "3" or b.js("return !!document.querySelector('#tests .diff-line')"):
                raise RuntimeError(f"the sample's output should be 3 with nothing marked: {sample}")
            b.size(1200, 1700)
            b.shot("problem")
            b.size(1200, 1000)
        check("problem page: an accepted solution fills in AC rows test by test", accepted)
        check("problem page: a wrong solution, picked as a file, shows a WA row",
              lambda: judge("testdata/problems/sum/submissions/wrong_answer/int_overflow.c", "WA", True,
                            upload=True))

        def sample_diff():
            sample = judge("testdata/problems/sum/submissions/wrong_answer/minus.py", "WA", True, "Python")
            marked = b.js("return [...document.querySelectorAll('#tests .diff-line')].map(s => s.textContent.trim())")
            if sample[1].strip() != "-1" or marked != ["3", "-1"]:
                raise RuntimeError(f"want 3 next to -1, both marked: {sample}, marked {marked}")
            b.js("document.getElementById('result').scrollIntoView()")
            b.shot("problem-wrong")
        check("problem page: a failed sample shows expected and output side by side, marked", sample_diff)

        def admin():
            b.go("/admin")
            b.ready()
            b.wait("""const t = document.querySelector('#by-status').textContent;
                      return t.includes('Accepted') && t.includes('Wrong Answer') &&
                             document.querySelectorAll('#recent tbody tr').length >= 4""",
                   "the jobs counted by status")
            acc = b.js("""for (const r of document.querySelectorAll('#by-status tr'))
                            if (r.cells[0].textContent === 'Accepted') return Number(r.cells[1].textContent);
                          return 0;""")
            if acc < 3:
                raise RuntimeError(f"Accepted count {acc}, want at least 3")
            b.wait("return document.querySelectorAll('#workers tbody tr').length >= 1", "a worker row")
            b.shot("admin")
        check("operator view: counts the jobs, lists workers and recent jobs", admin)

        def phone():
            b.size(390, 844)
            b.go("/")
            b.ready()
            wide = b.js("return document.documentElement.scrollWidth")
            b.shot("playground-phone")
            b.size(1200, 1000)
            if wide > 400:
                raise RuntimeError(f"the page is {wide} px wide on a 390 px screen")
        check("playground: fits a phone's width", phone)

        def dark():
            # the platform's preference, as Chromium's DevTools protocol sets it
            b.cmd("POST", "/goog/cdp/execute", {"cmd": "Emulation.setEmulatedMedia", "params": {
                "features": [{"name": "prefers-color-scheme", "value": "dark"}]}})
            for page in ("/", "/admin"):
                b.go(page)
                b.ready()
                rgb = b.js("return getComputedStyle(document.body).backgroundColor")
                level = sum(int(x) for x in rgb[rgb.index("(") + 1:-1].split(",")[:3])
                if level > 3 * 80:
                    raise RuntimeError(f"{page}: background {rgb} under a dark preference")
            b.shot("admin-dark")
        check("pages follow a dark platform preference", dark)
    finally:
        b.quit()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
