#!/usr/bin/env python3
"""The multi-node test (make test-cluster) and benchmark (make bench-cluster).

Runs in the client network namespace that scripts/cluster/run.sh made;
starts the API node and the worker nodes in theirs (nsenter), each with a
host name (unshare --uts) and a data dir of its own, all on one PostgreSQL
store. Test: posts 300 submissions (single runs and problem submissions,
each with a callback_url to a listener here), kills a worker node with
SIGKILL three times while it judges (restarting it), then checks that each
submission ended with its expected status, exactly one result, its
callback delivered, nothing left In Queue or Processing. Prints
"N passed, N failed" and exits non-zero when anything failed.
"""
import http.client
import http.server
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
import time

P = os.environ["CLUSTER_NS_PREFIX"]
WORK = os.environ["CLUSTER_WORK"]
ROOT = os.environ["CLUSTER_ROOT"]
STORE = os.environ["CLUSTER_STORE"]
API = os.environ["CLUSTER_API"]
CLIENT = os.environ["CLUSTER_CLIENT"]
MODE = os.environ.get("CLUSTER_MODE", "test")
PORT = 2358
NSJUDGE = os.path.join(ROOT, "build", "nsjudge")

AC, WA, CE = 3, 4, 6


def log(*a):
    print("cluster:", *a, flush=True)


# ---- nodes ------------------------------------------------------------------------

class Node:
    def __init__(self, name, mode, workers, slot_base, extra=None):
        self.name, self.mode, self.workers = name, mode, workers
        self.slot_base = slot_base
        self.starts = 0
        self.dir = os.path.join(WORK, name)
        os.makedirs(self.dir, exist_ok=True)
        cfg = {
            "listen": "%s:%d" % (API, PORT),
            "data_dir": os.path.join(self.dir, "data"),
            "languages": os.path.join(ROOT, "configs", "languages.json"),
            "store": STORE,
            "workers": workers,
            "lease_s": 3,
            "max_attempts": 5,
            "shutdown_grace_s": 5,
            "max_queue_size": 100000,
            "callback_allow": ["10.213.0.0/24"],
            "callbacks_max_tries": 20,
            "log_level": "info",
        }
        cfg.update(extra or {})
        self.cfg = os.path.join(self.dir, "nsjudge.json")
        with open(self.cfg, "w") as f:
            json.dump(cfg, f)
        self.proc = None

    def start(self):
        # a restarted node takes fresh sandbox slots: the killed one's boxes
        # may still be winding down
        base = self.slot_base + 10 * self.starts
        self.starts += 1
        cmd = ("hostname %s && exec %s %s --config %s --workers %d --slot-base %d"
               % (self.name, NSJUDGE, self.mode, self.cfg, self.workers, base))
        logf = open(os.path.join(self.dir, "node.log"), "ab")
        self.proc = subprocess.Popen(
            ["nsenter", "--net=/run/netns/%s%s" % (P, self.name), "unshare", "--uts", "sh", "-c", cmd],
            stdout=logf, stderr=logf)
        with open(os.path.join(WORK, "pids"), "a") as f:
            f.write("%d\n" % self.proc.pid)

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill9()


# ---- HTTP ---------------------------------------------------------------------------

class Api:
    def __init__(self):
        self.c = None

    def req(self, method, path, body=None, ctype="application/json"):
        for attempt in range(3):
            try:
                if self.c is None:
                    self.c = http.client.HTTPConnection(API, PORT, timeout=60)
                hdr = {"Content-Type": ctype} if body is not None else {}
                if isinstance(body, (dict, list)):
                    body = json.dumps(body)
                self.c.request(method, path, body=body, headers=hdr)
                r = self.c.getresponse()
                data = r.read()
                try:
                    return r.status, json.loads(data) if data else None
                except ValueError:
                    return r.status, data
            except (OSError, http.client.HTTPException):
                self.c = None
                if attempt == 2:
                    raise
                time.sleep(0.2)


def wait_api(api, timeout=30):
    t = time.time() + timeout
    while time.time() < t:
        try:
            code, body = api.req("GET", "/healthz")
            if code == 200:
                return body
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("cluster: the API node did not become healthy (see %s/api/node.log)" % WORK)


# ---- callbacks ----------------------------------------------------------------------

CALLBACKS = {}          # token -> [status ids received]
CB_LOCK = threading.Lock()


class CallbackHandler(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        try:
            j = json.loads(body)
            with CB_LOCK:
                CALLBACKS.setdefault(j["token"], []).append(j["status"]["id"])
        except (ValueError, KeyError, TypeError):
            pass
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def start_callback_listener():
    srv = http.server.ThreadingHTTPServer((CLIENT, 0), CallbackHandler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return "http://%s:%d/cb" % (CLIENT, srv.server_address[1])


# ---- the work ---------------------------------------------------------------------

def package_tgz():
    files = {"sum/problem.yaml": "name: Sum\n"}
    for i, (a, b) in enumerate([(1, 2), (5, 6), (100, 23), (7, 8)]):
        kind = "sample" if i == 0 else "secret"
        files["sum/data/%s/%d.in" % (kind, i)] = "%d %d\n" % (a, b)
        files["sum/data/%s/%d.ans" % (kind, i)] = "%d\n" % (a + b)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


PY_SUM = "a, b = map(int, input().split())\nprint(a + b)\n"
PY_SUM_SLOW = "import time\na, b = map(int, input().split())\ntime.sleep(0.3)\nprint(a + b)\n"
PY_OFF = "a, b = map(int, input().split())\nprint(a + b + 1)\n"
C_BROKEN = "int main(void) { return x; }\n"


def workload(n, cb_url):
    """n submissions: (body, expected status), a mix of kinds."""
    out = []
    for i in range(n):
        k = i % 6
        a, b = i, i * 7 + 1
        if k in (0, 1):
            body = {"language_id": 71, "source_code": PY_SUM_SLOW if k else PY_SUM,
                    "stdin": "%d %d\n" % (a, b), "expected_output": "%d\n" % (a + b)}
            want = AC
        elif k == 2:
            body = {"language_id": 71, "source_code": PY_OFF, "stdin": "%d %d\n" % (a, b),
                    "expected_output": "%d\n" % (a + b)}
            want = WA
        elif k == 3:
            body = {"language_id": 50, "source_code": C_BROKEN}
            want = CE
        elif k == 4:
            body = {"language_id": 71, "source_code": PY_SUM, "problem_id": "sum"}
            want = AC
        else:
            body = {"language_id": 71, "source_code": PY_OFF, "problem_id": "sum"}
            want = WA
        if cb_url:
            body["callback_url"] = cb_url
        out.append((body, want))
    return out


def post_all(api, work):
    tokens = []
    for body, want in work:
        code, r = api.req("POST", "/submissions", body)
        if code != 201:
            raise SystemExit("cluster: POST /submissions answered %d: %r" % (code, r))
        tokens.append((r["token"], want))
    return tokens


def statuses(api, tokens):
    """token -> status id, 20 at a time through the batch endpoint"""
    got = {}
    for i in range(0, len(tokens), 20):
        chunk = tokens[i:i + 20]
        code, r = api.req("GET", "/submissions/batch?fields=token,status&tokens=" + ",".join(chunk))
        if code != 200:
            continue
        for s in r["submissions"]:
            if s:
                got[s["token"]] = s["status"]["id"]
    return got


def busy_on(api, host):
    code, h = api.req("GET", "/healthz")
    if not isinstance(h, dict):
        return False
    return any(n["owner"].startswith(host + ":") and n["busy"] > 0 for n in h.get("nodes", []))


def run_test():
    api = Api()
    cb_url = start_callback_listener()
    nodes = {"api": Node("api", "serve", 0, 0),
             "w1": Node("w1", "worker", 1, 500),
             "w2": Node("w2", "worker", 1, 600)}
    for n in nodes.values():
        n.start()
    try:
        health = wait_api(api)
        log("cluster up: %d worker processes" % len(health.get("nodes", [])))
        code, r = api.req("POST", "/problems?id=sum", package_tgz(), "application/gzip")
        if code != 201:
            raise SystemExit("cluster: problem upload answered %d: %r" % (code, r))
        work = workload(300, cb_url)
        t0 = time.time()
        tokens = post_all(api, work)
        log("posted %d submissions in %.1f s" % (len(tokens), time.time() - t0))

        kills = 0
        for victim in ["w1", "w2", "w1"]:
            t = time.time() + 60
            while time.time() < t and not busy_on(api, victim):
                time.sleep(0.1)
            time.sleep(0.2)  # well into a job
            nodes[victim].kill9()
            kills += 1
            log("kill -9 %s (%d)" % (victim, kills))
            time.sleep(0.5)
            nodes[victim].start()
            time.sleep(2)

        want = dict(tokens)
        deadline = time.time() + 600
        final = {}
        while time.time() < deadline:
            pending = [t for t in want if final.get(t, 1) < 3]
            if not pending:
                break
            final.update(statuses(api, pending))
            time.sleep(1)
        log("all judged %.1f s after the first post" % (time.time() - t0))
        # callbacks of the last jobs may still be on their way
        deadline = time.time() + 60
        while time.time() < deadline:
            with CB_LOCK:
                if all(t in CALLBACKS for t in want):
                    break
            time.sleep(0.5)

        # results written, from the worker nodes' logs: a job line, less
        # the ones whose result the store refused (a stale attempt)
        written = {}
        for name in ("w1", "w2"):
            with open(os.path.join(nodes[name].dir, "node.log"), errors="replace") as f:
                for line in f:
                    kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
                    tok = kv.get("token")
                    if kv.get("event") == "job" and tok:
                        written[tok] = written.get(tok, 0) + 1
                    elif kv.get("event") == "job_result_dropped" and tok:
                        written[tok] = written.get(tok, 0) - 1
        passed = failed = 0
        for tok, w in tokens:
            st = final.get(tok)
            with CB_LOCK:
                cbs = list(CALLBACKS.get(tok, []))
            problems = []
            if st != w:
                problems.append("status %s, want %d" % (st, w))
            if written.get(tok, 0) != 1:
                problems.append("result written %d times" % written.get(tok, 0))
            if not cbs:
                problems.append("no callback")
            elif any(c != w for c in cbs):
                problems.append("callbacks said %s" % cbs)
            if problems:
                failed += 1
                print("FAIL %s: %s" % (tok, "; ".join(problems)))
            else:
                passed += 1
        dup = sum(1 for t, _ in tokens if len(CALLBACKS.get(t, [])) > 1)
        # nothing left queued or processing anywhere in the store
        code, h = api.req("GET", "/healthz")
        left = h.get("queue", -1) if isinstance(h, dict) else -1
        if left != 0:
            failed += 1
            print("FAIL queue not empty at the end: %s" % left)
        else:
            passed += 1
        if kills != 3:
            failed += 1
            print("FAIL only %d kills" % kills)
        else:
            passed += 1
        requeued = 0
        for name in ("api", "w1", "w2"):
            with open(os.path.join(nodes[name].dir, "node.log"), errors="replace") as f:
                requeued += sum(1 for line in f if "event=requeued" in line)
        log("kills=%d requeue events=%d duplicate callbacks=%d (identical)" % (kills, requeued, dup))
    finally:
        for n in nodes.values():
            n.stop()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def throughput(api, n, cb_url=None):
    work = workload(n, cb_url)
    t0 = time.time()
    tokens = [t for t, _ in post_all(api, work)]
    final = {}
    while len([t for t in tokens if final.get(t, 1) >= 3]) < n:
        final.update(statuses(api, [t for t in tokens if final.get(t, 1) < 3]))
        time.sleep(0.2)
    return n / (time.time() - t0)


def judge_ms(node_dirs):
    """token -> ms the worker spent judging it (its log's job lines)"""
    out = {}
    for d in node_dirs:
        with open(os.path.join(d, "node.log"), errors="replace") as f:
            for line in f:
                if "event=job " not in line:
                    continue
                kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
                if "token" in kv and "ms" in kv:
                    out[kv["token"]] = float(kv["ms"])
    return out


def latency(api, node_dirs, rounds=20):
    """The overhead of a wait=true round trip on an idle cluster beyond the
    judging itself: POST -> a worker starts (LISTEN/NOTIFY wake-up, claim)
    plus result -> answer (NOTIFY to the API node). Milliseconds, p50/p90."""
    times = {}
    for _ in range(rounds):
        time.sleep(0.3)  # idle again
        t0 = time.time()
        code, r = api.req("POST", "/submissions?wait=true&fields=token,status",
                          {"language_id": 71, "source_code": "pass\n"})
        times[r["token"]] = (time.time() - t0) * 1000
    time.sleep(0.5)
    ms = judge_ms(node_dirs)
    samples = sorted(max(0.0, t - ms[k]) for k, t in times.items() if k in ms)
    return samples[len(samples) // 2], samples[int(len(samples) * 0.9)]


def run_bench():
    api = Api()
    out = {}
    nodes = {"api": Node("api", "serve", 0, 0),
             "w1": Node("w1", "worker", 1, 500),
             "w2": Node("w2", "worker", 1, 600)}
    nodes["api"].start()
    nodes["w1"].start()
    try:
        wait_api(api)
        api.req("POST", "/problems?id=sum", package_tgz(), "application/gzip")
        out["pg_1_node_jobs_per_s"] = throughput(api, 120)
        out["pg_idle_overhead_ms_p50_p90"] = latency(api, [nodes["w1"].dir])
        nodes["w2"].start()
        time.sleep(2)
        out["pg_2_nodes_jobs_per_s"] = throughput(api, 120)
    finally:
        for n in nodes.values():
            n.stop()
    # SQLite on one node: one serve with its worker, same workload
    solo = Node("api", "serve", 1, 700, {"store": "sqlite:" + os.path.join(WORK, "solo.db")})
    solo.start()
    try:
        wait_api(api)
        api.req("POST", "/problems?id=sum", package_tgz(), "application/gzip")
        out["sqlite_1_node_jobs_per_s"] = throughput(api, 120)
        out["sqlite_idle_overhead_ms_p50_p90"] = latency(api, [solo.dir])
    finally:
        solo.stop()
    for k, v in out.items():
        print("%s: %s" % (k, ("%.1f" % v) if isinstance(v, float) else
                          " / ".join("%.1f" % x for x in v)))
    return 0


if __name__ == "__main__":
    sys.exit(run_bench() if MODE == "bench" else run_test())
