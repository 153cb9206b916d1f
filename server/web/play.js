/* play.js - the playground: pick a language, write code, Run. The result
 * comes from the submission's event stream (no polling); /#TOKEN shows a
 * past run again. */
"use strict";
const SAMPLES = {
  c: '#include <stdio.h>\n\nint main(void) {\n    char name[100];\n    if (scanf("%99s", name) == 1)\n        printf("hello, %s\\n", name);\n    return 0;\n}\n',
  "c++": '#include <iostream>\n#include <string>\n\nint main() {\n    std::string name;\n    if (std::cin >> name)\n        std::cout << "hello, " << name << "\\n";\n}\n',
  python: 'name = input().strip()\nprint(f"hello, {name}")\n',
  javascript: 'const name = require("fs").readFileSync(0, "utf8").trim();\nconsole.log(`hello, ${name}`);\n',
  bash: 'read name\necho "hello, $name"\n',
};
const $ = id => document.getElementById(id);
let ed, langs = [];

function sampleFor(name) {
  const n = name.toLowerCase();
  for (const k of ["c++", "c", "python", "javascript", "bash"])
    if (n.startsWith(k === "c" ? "c " : k)) return SAMPLES[k];
  return "";
}
function langName(id) {
  const l = langs.find(x => String(x.id) === String(id));
  return l ? l.name : "";
}
function onLang(keepSource) {
  const name = langName($("lang").value);
  ed.mode(NS.modeFor(name));
  const cur = ed.get();
  if (!keepSource && (!cur.trim() || Object.values(SAMPLES).includes(cur))) ed.set(sampleFor(name));
}
function show(s) {
  $("result").hidden = false;
  const st = s.status || {};
  $("status").textContent = st.description || "?";
  $("status").className = "status " + (st.id === 3 ? "ok" : st.id > 3 ? "bad" : "muted");
  $("time").textContent = s.time ?? "-";
  $("memory").textContent = s.memory ?? "-";
  $("exit").textContent = s.exit_signal ? "signal " + s.exit_signal : (s.exit_code ?? "-");
  $("stdout").textContent = NS.b64dec(s.stdout) ?? "";
  $("stderr").textContent = NS.b64dec(s.stderr) ?? "";
  const co = NS.b64dec(s.compile_output);
  $("compile-box").hidden = !co;
  $("compile").textContent = co || "";
  const msg = NS.b64dec(s.message);
  $("message-box").hidden = !msg;
  $("message").textContent = msg || "";
}
function shareLink(token) {
  const a = NS.el("a", { href: "/#" + token, text: "link to this run" });
  $("share").textContent = "";
  $("share").append(a);
}
async function run() {
  $("error").textContent = "";
  $("run").disabled = true;
  $("result").hidden = false;
  $("status").textContent = "In Queue";
  $("status").className = "status muted";
  for (const k of ["stdout", "stderr", "compile", "message"]) $(k).textContent = "";
  try {
    const body = { source_code: NS.b64enc(ed.get()), language_id: Number($("lang").value),
                   stdin: NS.b64enc($("stdin").value) };
    if ($("expected").value) body.expected_output = NS.b64enc($("expected").value);
    if ($("options").value.trim()) body.compiler_options = NS.b64enc($("options").value.trim());
    const { token } = await NS.api("/submissions?base64_encoded=true", { method: "POST", json: body });
    history.replaceState(null, "", "/#" + token);
    shareLink(token);
    $("status").textContent = "Processing";
    await NS.events(token, (ev, data) => { if (ev === "done") show(data); else if (ev === "error") throw new Error(data.error); });
  } catch (e) {
    $("error").textContent = e.message;
  } finally {
    $("run").disabled = false;
  }
}
async function load(token) {
  try {
    const s = await NS.api("/submissions/" + encodeURIComponent(token) + "?base64_encoded=true&fields=*");
    $("lang").value = s.language_id;
    onLang(true);
    ed.set(NS.b64dec(s.source_code) || "");
    $("stdin").value = NS.b64dec(s.stdin) || "";
    $("expected").value = NS.b64dec(s.expected_output) || "";
    shareLink(token);
    if (s.status && s.status.id <= 2)
      await NS.events(token, (ev, data) => { if (ev === "done") show(data); });
    else show(s);
  } catch (e) {
    $("error").textContent = "run " + token + ": " + e.message;
  }
}
(async () => {
  ed = NS.editor($("source"));
  try {
    langs = await NS.languages($("lang"), "C (");
  } catch (e) {
    $("error").textContent = "languages: " + e.message;
  }
  $("lang").onchange = () => onLang(false);
  $("run").onclick = run;
  const token = location.hash.slice(1);
  if (token) await load(token);
  else { onLang(false); $("stdin").value = "world\n"; }
  document.body.dataset.ready = "1";
})();
