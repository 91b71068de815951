// The gateway's page: plain JS, no build step. It logs in once with the token
// (POST /v1/login sets an HttpOnly cookie), then lists the accounts with their QR
// codes, shows live events (EventSource, which resumes with Last-Event-ID by itself)
// and sends texts. Every text from the server goes through textContent.
"use strict";

const $ = (s) => document.querySelector(s);
const MAX_EVENTS = 300;
const REFRESH_ON = new Set(["qr_code", "scanned", "logged_in", "contacts_loaded", "ready",
  "logged_out", "resume_failed", "push_login_sent", "push_login_failed"]);
let source = null;

async function call(method, path, body) {
  const init = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
  return { status: r.status, json, text };
}

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function render(accounts) {
  const box = $("#accounts");
  box.replaceChildren();
  const select = $("#send-account");
  const chosen = select.value;
  select.replaceChildren();
  for (const a of accounts) {
    const div = el("div", { class: "account", "data-id": a.id, "data-state": a.state });
    const title = a.user ? a.user.nick_name : (a.name || a.id);
    div.append(el("strong", {}, title), " ", el("span", { class: "state " + a.state }, a.state));
    div.append(el("div", { class: "id" }, "id " + a.id + (a.user ? " · " + a.user.user_name : "")));
    if (a.reason) div.append(el("div", { class: "reason" }, a.reason));
    if (a.state === "waiting_scan" && a.qr_url) {
      const img = el("img", { class: "qr", alt: "QR code to scan with WeChat",
        src: "/v1/accounts/" + encodeURIComponent(a.id) + "/qr.png?u=" + encodeURIComponent(a.qr_url) });
      div.append(img);
    }
    box.append(div);
    const opt = el("option", { value: a.id }, title + " (" + a.state + ")");
    select.append(opt);
  }
  if (chosen) select.value = chosen;
  if (!accounts.length) box.append(el("div", {}, "No account yet."));
}

async function refresh() {
  const r = await call("GET", "/v1/accounts");
  if (r.status === 401) return showLogin();
  if (r.status === 200) render(r.json);
}

function addEvent(ev) {
  const list = $("#events");
  const li = el("li", { "data-event": ev.event || "" });
  let line = "#" + ev.seq + " " + ev.account + " " + ev.event;
  if (ev.event === "message") {
    const k = ev.kind || {};
    line += " " + (ev.outgoing ? "→ " : "← ") + ev.chat + ": " + (k.text !== undefined ? k.text : k.kind);
  } else if (ev.event === "command") {
    line += " " + (ev.kind || "");
  }
  li.textContent = line;
  list.prepend(li);
  while (list.children.length > MAX_EVENTS) list.lastChild.remove();
}

function listen() {
  if (source) return;
  source = new EventSource("/v1/events");
  source.onmessage = (m) => {
    let ev;
    try { ev = JSON.parse(m.data); } catch (_) { return; }
    addEvent(ev);
    if (REFRESH_ON.has(ev.event)) refresh();
  };
}

function showLogin() {
  if (source) { source.close(); source = null; }
  $("#app").hidden = true;
  $("#login").hidden = false;
  $("#token").focus();
}

async function start() {
  const r = await call("GET", "/v1/accounts");
  if (r.status === 401) return showLogin();
  $("#login").hidden = true;
  $("#app").hidden = false;
  render(r.json || []);
  listen();
}

$("#login-button").addEventListener("click", async () => {
  const r = await call("POST", "/v1/login", { token: $("#token").value });
  if (r.status === 200) {
    $("#login-error").textContent = "";
    start();
  } else {
    $("#login-error").textContent = (r.json && r.json.error && r.json.error.message) || ("HTTP " + r.status);
  }
});
$("#token").addEventListener("keydown", (e) => { if (e.key === "Enter") $("#login-button").click(); });

$("#add-account").addEventListener("click", async () => {
  await call("POST", "/v1/accounts", {});
  refresh();
});

$("#send-button").addEventListener("click", async () => {
  const id = $("#send-account").value;
  const out = $("#send-result");
  if (!id) { out.textContent = "no account"; return; }
  out.textContent = "sending…";
  const r = await call("POST", "/v1/accounts/" + encodeURIComponent(id) + "/messages",
    { to: $("#send-to").value, text: $("#send-text").value });
  if (r.status === 200 && r.json && r.json.result) {
    out.textContent = "sent (msg_id " + r.json.result.msg_id + ")";
    $("#send-text").value = "";
  } else {
    out.textContent = "not sent: " + ((r.json && r.json.error && r.json.error.message) || r.text);
  }
});
$("#send-text").addEventListener("keydown", (e) => { if (e.key === "Enter") $("#send-button").click(); });

setInterval(refresh, 5000);
start();
