/* admin.js - the operator view: /admin/stats every few seconds (a
 * dashboard, not a result), drawn as tables and a canvas chart of jobs/s
 * and judge latency per 10 s over the last minutes. */
"use strict";
const $ = id => document.getElementById(id);
const REFRESH_MS = 3000;

function cssVar(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

function chart(series, bucket) {
  const c = $("chart"), g = c.getContext("2d");
  const w = c.width = c.clientWidth * devicePixelRatio, h = c.height = 180 * devicePixelRatio;
  g.clearRect(0, 0, w, h);
  const pad = 28 * devicePixelRatio, n = series.length;
  const maxJ = Math.max(0.1, ...series.map(s => s.jobs_per_s));
  const maxL = Math.max(0.1, ...series.map(s => s.latency || 0));
  g.strokeStyle = cssVar("--line");
  g.fillStyle = cssVar("--muted");
  g.font = (11 * devicePixelRatio) + "px system-ui";
  g.beginPath(); g.moveTo(pad, h - pad); g.lineTo(w - pad, h - pad); g.stroke();
  g.fillText(maxJ.toFixed(2) + "/s", 2, pad);
  g.textAlign = "right";
  g.fillText(maxL.toFixed(2) + "s", w - 2, pad);
  g.textAlign = "left";
  g.fillText("-" + Math.round(n * bucket / 60) + " min", pad, h - 8 * devicePixelRatio);
  g.textAlign = "right";
  g.fillText("now", w - pad, h - 8 * devicePixelRatio);
  const x = i => pad + (w - 2 * pad) * (i + 0.5) / n;
  const bw = (w - 2 * pad) / n * 0.7;
  g.fillStyle = cssVar("--accent");
  series.forEach((s, i) => {
    const bh = (h - 2 * pad) * s.jobs_per_s / maxJ;
    g.fillRect(x(i) - bw / 2, h - pad - bh, bw, bh);
  });
  g.strokeStyle = cssVar("--warn");
  g.lineWidth = 2 * devicePixelRatio;
  g.beginPath();
  let pen = false;
  series.forEach((s, i) => {
    if (s.latency === null) { pen = false; return; }
    const y = h - pad - (h - 2 * pad) * s.latency / maxL;
    if (pen) g.lineTo(x(i), y); else g.moveTo(x(i), y);
    pen = true;
    g.fillStyle = cssVar("--warn");
    g.fillRect(x(i) - 2, y - 2, 4, 4);
  });
  g.stroke();
}

function fill(tbody, rows) {
  tbody.textContent = "";
  for (const r of rows) tbody.append(NS.el("tr", {}, ...r.map(v => v instanceof Node ? NS.el("td", {}, v) : NS.el("td", { text: v ?? "" }))));
}

async function refresh() {
  try {
    const s = await NS.api("/admin/stats");
    $("error").textContent = "";
    $("queue").textContent = s.queue;
    $("processing").textContent = s.processing;
    $("total").textContent = s.total ?? "-";
    $("slots").textContent = s.workers.reduce((a, w) => a + w.slots, 0) + " slots in " + s.workers.length + " process(es)";
    fill(document.querySelector("#by-status tbody"),
         s.by_status.filter(b => b.count > 0).map(b => [b.description, String(b.count)]));
    fill(document.querySelector("#workers tbody"),
         s.workers.map(w => [w.owner, w.slots, w.busy, w.idle, w.failed,
                             w.heartbeat_age_s.toFixed(1) + " s ago"]));
    fill(document.querySelector("#recent tbody"), s.recent.map(j => [
      NS.el("a", { href: "/#" + j.token, text: j.token.slice(0, 8) }), j.language_id,
      NS.el("span", { class: "v-" + (j.verdict || ""), text: j.verdict ? j.verdict + " (" + j.status + ")" : j.status }),
      j.created_at.slice(11, 19), j.latency === null ? "" : j.latency.toFixed(3)]));
    $("window").textContent = "last " + Math.round(s.series.length * s.bucket_seconds / 60) + " minutes, per " + s.bucket_seconds + " s";
    chart(s.series, s.bucket_seconds);
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
    document.body.dataset.ready = "1";
  } catch (e) {
    $("error").textContent = e.status === 403 ? "forbidden: set X-Auth-User (auth link above)" : e.message;
    document.body.dataset.ready = "1";
  }
}
refresh();
setInterval(refresh, REFRESH_MS);
