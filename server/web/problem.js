/* problem.js - /p lists the stored problems, /p/ID shows one (limits,
 * samples) and judges a submission, filling the table test by test from
 * the submission's event stream. What a row shows is what the service's
 * feedback policy lets this reader see. */
"use strict";
const $ = id => document.getElementById(id);
let ed, langs = [], samples = {};

async function list() {
  $("list").hidden = false;
  const { problems } = await NS.api("/problems");
  const tb = document.querySelector("#problems tbody");
  $("none").hidden = problems.length > 0;
  for (const p of problems) {
    const a = NS.el("a", { href: "/p/" + encodeURIComponent(p.id), text: p.id });
    tb.append(NS.el("tr", {}, NS.el("td", {}, a), NS.el("td", { text: p.name || "" }),
                    NS.el("td", { text: p.tests }), NS.el("td", { class: "muted", text: (p.created_at || "").slice(0, 16).replace("T", " ") })));
  }
}

function sampleCard(s) {
  return NS.el("div", { class: "card grid2" },
    NS.el("div", {}, NS.el("label", { text: s.name + " input" }), NS.el("pre", { text: s.input })),
    NS.el("div", {}, NS.el("label", { text: "answer" }), NS.el("pre", { text: s.answer })));
}

/* Two texts line by line, the lines that differ marked in both. */
function sideBySide(expected, actual, cut) {
  const a = expected.split("\n"), b = actual.split("\n");
  const pre = (lines, other) => {
    const p = NS.el("pre");
    lines.forEach((line, i) => {
      const span = NS.el("span", { text: line + (i < lines.length - 1 ? "\n" : "") });
      if (line.trimEnd() !== (other[i] ?? "").trimEnd()) span.className = "diff-line";
      p.append(span);
    });
    return p;
  };
  return NS.el("div", { class: "diff" },
    NS.el("div", {}, NS.el("label", { text: "expected" }), pre(a, b)),
    NS.el("div", {}, NS.el("label", { text: "output" + (cut ? " (first 4 KiB)" : "") }), pre(b, a)));
}

function testRow(t) {
  const detail = NS.el("td");
  const msg = NS.b64dec(t.message);
  const out = NS.b64dec(t.output);
  if (t.sample && samples[t.name] !== undefined && out !== null) {
    /* a sample: its expected answer next to what the program printed */
    detail.append(sideBySide(samples[t.name], out, t.output_cut));
    if (msg) detail.append(NS.el("div", { class: "muted", text: msg }));
  } else if (msg) {
    detail.append(NS.el("span", { class: "muted", text: msg }));
  }
  const v = t.verdict || (t.status && t.status.description) || "?";
  return NS.el("tr", { class: "test-row", "data-verdict": v },
    NS.el("td", { text: (t.index ?? 0) + 1 }), NS.el("td", { text: t.name || "(hidden)" }),
    NS.el("td", { class: "v-" + v, text: v }), NS.el("td", { text: t.time ?? "" }),
    NS.el("td", { text: t.memory ?? "" }), detail);
}

function finish(s) {
  const v = s.verdict || (s.status && s.status.description) || "?";
  $("verdict").textContent = (s.status && s.status.description) || v;
  $("verdict").className = "status v-" + v;
  $("verdict").dataset.verdict = v;
  $("score").textContent = s.max_score ? s.score + " / " + s.max_score : (s.score ?? "-");
  $("time").textContent = s.time ?? "-";
  $("memory").textContent = s.memory ?? "-";
  const co = NS.b64dec(s.compile_output);
  $("compile-box").hidden = !co;
  $("compile").textContent = co || "";
}

async function submit(id) {
  $("error").textContent = "";
  $("submit").disabled = true;
  const tb = document.querySelector("#tests tbody");
  tb.textContent = "";
  $("result").hidden = false;
  $("verdict").textContent = "In Queue";
  $("verdict").className = "status muted";
  delete $("verdict").dataset.verdict;
  $("count").textContent = "0";
  try {
    const body = { source_code: NS.b64enc(ed.get()), language_id: Number($("lang").value), problem_id: id };
    const { token } = await NS.api("/submissions?base64_encoded=true", { method: "POST", json: body });
    $("verdict").textContent = "Judging";
    await NS.events(token, (ev, data) => {
      if (ev === "test") {
        tb.append(testRow(data));
        $("count").textContent = tb.rows.length + (data.tests_total ? " / " + data.tests_total : "");
      } else if (ev === "done") {
        finish(data);
      } else if (ev === "error") {
        $("error").textContent = data.error;
      }
    });
  } catch (e) {
    $("error").textContent = e.message;
  } finally {
    $("submit").disabled = false;
  }
}

async function one(id) {
  $("problem").hidden = false;
  const p = await NS.api("/samples/" + encodeURIComponent(id));
  document.title = p.name + " - nsjudge";
  $("title").textContent = p.name + " (" + p.id + ")";
  const lim = $("limits");
  const kv = (k, v) => lim.append(NS.el("span", {}, k + " ", NS.el("b", { text: v })));
  kv("time limit", p.time_limit + " s");
  kv("memory", Math.round(p.memory_limit_kib / 1024) + " MiB");
  kv("output", Math.round(p.output_limit_kib / 1024) + " MiB");
  kv("tests", p.tests);
  if (p.interactive) kv("type", "interactive");
  if (p.scoring) kv("scoring", "yes");
  for (const s of p.samples) { samples[s.name] = s.answer; $("samples").append(sampleCard(s)); }
  if (!p.samples.length) $("samples").append(NS.el("p", { class: "muted", text: "no sample tests" }));
  ed = NS.editor($("source"));
  langs = await NS.languages($("lang"), "C (");
  const setMode = () => { const l = langs.find(x => String(x.id) === $("lang").value); ed.mode(NS.modeFor(l && l.name)); };
  $("lang").onchange = setMode;
  setMode();
  $("file").onchange = async () => { const f = $("file").files[0]; if (f) ed.set(await f.text()); };
  $("submit").onclick = () => submit(id);
}

(async () => {
  const m = location.pathname.match(/^\/p\/([^/]+)$/);
  try {
    if (m) await one(decodeURIComponent(m[1])); else await list();
  } catch (e) {
    $("page-error").textContent = e.message;
  }
  document.body.dataset.ready = "1";
})();
