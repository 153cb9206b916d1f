/* common.js - what every nsjudge page shares: API calls (with the
 * X-Auth-Token / X-Auth-User the visitor saved, when the service wants
 * them), base64 text, the event stream of a submission, the editor. */
"use strict";
const NS = (() => {
  const store = window.localStorage;
  function headers(extra) {
    const h = Object.assign({}, extra || {});
    const t = store.getItem("nsjudge.token"), u = store.getItem("nsjudge.user");
    if (t) h["X-Auth-Token"] = t;
    if (u) h["X-Auth-User"] = u;
    return h;
  }
  async function api(path, opts) {
    opts = opts || {};
    const init = { method: opts.method || "GET", headers: headers(opts.headers) };
    if (opts.json !== undefined) {
      init.body = JSON.stringify(opts.json);
      init.headers["Content-Type"] = "application/json";
    }
    const r = await fetch(path, init);
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (!r.ok) {
      let msg = body && body.error ? body.error : "HTTP " + r.status;
      if (body && !body.error && typeof body === "object") msg += ": " + JSON.stringify(body);
      const err = new Error(msg);
      err.status = r.status;
      throw err;
    }
    return body;
  }
  function b64enc(text) {
    const bytes = new TextEncoder().encode(text);
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }
  function b64dec(b) {
    if (b === null || b === undefined) return null;
    const bin = atob(b.replace(/\s/g, ""));
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder().decode(bytes);
  }
  /* GET /submissions/events/TOKEN read with fetch (so that the auth
   * headers go along, which EventSource cannot send); calls on(event, data)
   * per Server-Sent Event, resolves after "done" or the end of the stream. */
  async function events(token, on, after) {
    const q = after ? "?after=" + after : "";
    const r = await fetch("/submissions/events/" + encodeURIComponent(token) + q, { headers: headers() });
    if (!r.ok) {
      let msg = "HTTP " + r.status;
      try { msg = (await r.json()).error || msg; } catch (e) { /* not JSON */ }
      throw new Error(msg);
    }
    const reader = r.body.getReader(), dec = new TextDecoder();
    let buf = "", ended = false;
    while (!ended) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let cut;
      while ((cut = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        let name = "message", data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) name = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        if (!data) continue;
        const obj = JSON.parse(data);
        on(name, obj);
        if (name === "done" || name === "error") ended = true;
      }
    }
    if (ended) reader.cancel().catch(() => {});
    return ended;
  }
  /* CodeMirror modes for the service's language names */
  function modeFor(name) {
    const n = (name || "").toLowerCase();
    if (n.startsWith("c++")) return "text/x-c++src";
    if (n.startsWith("c ") || n === "c") return "text/x-csrc";
    if (n.startsWith("java ")) return "text/x-java";
    if (n.startsWith("python")) return "python";
    if (n.startsWith("javascript")) return "javascript";
    if (n.startsWith("bash")) return "shell";
    if (n.startsWith("perl")) return "perl";
    if (n.startsWith("pascal")) return "pascal";
    if (n.startsWith("fortran")) return "fortran";
    if (n.startsWith("go")) return "go";
    return null;
  }
  /* A textarea that becomes a CodeMirror editor when Debian's CodeMirror
   * loaded; get()/set()/mode() work either way. */
  function editor(textarea) {
    if (window.CodeMirror) {
      const cm = CodeMirror.fromTextArea(textarea, { lineNumbers: true, indentUnit: 4, matchBrackets: true });
      window.nsEditor = cm;
      return { get: () => cm.getValue(), set: v => cm.setValue(v), mode: m => cm.setOption("mode", m), cm };
    }
    return { get: () => textarea.value, set: v => { textarea.value = v; }, mode: () => {} };
  }
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const k of kids) e.append(k);
    return e;
  }
  async function languages(select, prefer) {
    const langs = await api("/languages");
    const seen = new Set();
    select.textContent = "";
    for (const l of langs) {
      if (seen.has(l.name)) continue; /* Judge0 ids alias one toolchain */
      seen.add(l.name);
      select.append(el("option", { value: l.id, text: l.name }));
    }
    if (prefer) for (const o of select.options) if (o.textContent.startsWith(prefer)) { select.value = o.value; break; }
    return langs;
  }
  function authBox() {
    const box = document.querySelector("header .auth");
    if (!box) return;
    const a = el("a", { href: "#", text: store.getItem("nsjudge.token") ? "token set" : "auth token" });
    a.onclick = e => {
      e.preventDefault();
      const t = prompt("X-Auth-Token for this service (empty: none)", store.getItem("nsjudge.token") || "");
      if (t !== null) { if (t) store.setItem("nsjudge.token", t); else store.removeItem("nsjudge.token"); }
      const u = prompt("X-Auth-User (jury / operator; empty: none)", store.getItem("nsjudge.user") || "");
      if (u !== null) { if (u) store.setItem("nsjudge.user", u); else store.removeItem("nsjudge.user"); }
      location.reload();
    };
    box.append(a);
  }
  document.addEventListener("DOMContentLoaded", authBox);
  return { api, b64enc, b64dec, events, modeFor, editor, el, languages };
})();
