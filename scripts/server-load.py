#!/usr/bin/env python3
"""Load and fault test for `nsjudge serve` (127.0.0.1 only).

Starts build/nsjudge serve on a free port with a temporary data dir, posts
JOBS submissions in batches, optionally kills the server with SIGKILL
KILLS times while they run (restarting it each time), waits until every
submission has a final status, and prints throughput and the outcome.
Exit code 0 when nothing was lost and every job got the expected verdict.

  python3 scripts/server-load.py --jobs 200 --kills 3
"""
import argparse, json, os, random, signal, socket, subprocess, sys, tempfile, time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROGRAMS = [  # (language_id, source, stdin, expected stdout)
    (50, '#include <stdio.h>\nint main(void){int a,b;scanf("%d %d",&a,&b);printf("%d\\n",a+b);return 0;}\n', "2 3", "5\n"),
    (71, "a, b = map(int, input().split())\nprint(a + b)\n", "4 5", "9\n"),
    (46, "read a b; echo $((a + b))\n", "1 1", "2\n"),
    (43, "plain\n", "", "plain\n"),
]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Server:
    def __init__(self, binary, workers):
        self.dir = tempfile.mkdtemp(prefix="nsjudge-load-")
        self.port = free_port()
        self.binary = binary
        self.cfg = os.path.join(self.dir, "nsjudge.json")
        with open(self.cfg, "w") as f:
            json.dump({"listen": "127.0.0.1:%d" % self.port, "data_dir": self.dir + "/data",
                       "languages": ROOT + "/configs/languages.json", "workers": workers,
                       "slot_id_base": 80000 + os.getpid() % 1000 * 8, "max_queue_size": 100000,
                       "log_level": "warn"}, f)
        self.proc = None

    def start(self):
        log = open(os.path.join(self.dir, "server.log"), "a")
        self.proc = subprocess.Popen([self.binary, "serve", "--config", self.cfg], stderr=log)
        for _ in range(200):
            try:
                self.get("/healthz")
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("server did not start, see " + self.dir)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait()

    def get(self, path):
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.port, path), timeout=30) as r:
            return json.load(r)

    def post(self, path, obj):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path),
                                     data=json.dumps(obj).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=100)
    ap.add_argument("--kills", type=int, default=0, help="SIGKILL the server this many times")
    ap.add_argument("--workers", type=int, default=0, help="0 = one per core")
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "nsjudge"))
    args = ap.parse_args()

    srv = Server(args.bin, args.workers)
    srv.start()
    expected = {}
    t0 = time.time()
    for i in range(0, args.jobs, 20):
        batch = [random.choice(PROGRAMS) for _ in range(min(20, args.jobs - i))]
        res = srv.post("/submissions/batch", {"submissions": [
            {"language_id": l, "source_code": s, "stdin": x, "expected_output": e} for l, s, x, e in batch]})
        for r, p in zip(res, batch):
            expected[r["token"]] = p
    posted = time.time() - t0
    for k in range(args.kills):
        time.sleep(random.uniform(0.2, 1.0))
        srv.kill9()
        srv.start()
    pending = set(expected)
    finals = {}
    while pending:
        chunk = list(pending)[:20]
        for s in srv.get("/submissions/batch?fields=token,status_id,stdout,verdict&tokens=" + ",".join(chunk))["submissions"]:
            if s and s["status_id"] >= 3:
                pending.discard(s["token"])
                finals[s["token"]] = s
        if pending:
            time.sleep(0.05)
        if time.time() - t0 > 600:
            raise SystemExit("timeout: %d jobs still pending" % len(pending))
    total = time.time() - t0
    wrong = [t for t, s in finals.items() if s["status_id"] != 3 or s["stdout"] != expected[t][3]]
    meta = srv.get("/submissions?per_page=1")["meta"]
    code = srv.stop()
    print("jobs=%d kills=%d posted_in=%.2fs all_final_in=%.2fs throughput=%.1f jobs/s stored=%d wrong=%d exit=%d"
          % (args.jobs, args.kills, posted, total, args.jobs / total, meta["total_count"], len(wrong), code))
    for t in wrong[:5]:
        print("  unexpected:", t, finals[t])
    ok = not wrong and meta["total_count"] == args.jobs and code == 0
    if ok:
        subprocess.call(["rm", "-rf", srv.dir])
    else:
        print("kept", srv.dir)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
