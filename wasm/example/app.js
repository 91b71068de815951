// webwx in a page: the package, in relay mode, through the `webwx relay` that serves
// this page (same origin, no CORS). Run it with
//   webwx relay --static wasm/example                         (a real account)
//   webwx relay --static wasm/example --upstream http://127.0.0.1:PORT   (webwx sim)
import init, { WebWx } from "./pkg/webwx_wasm.js";

const $ = (id) => document.getElementById(id);
const status = (text) => ($("status").textContent = text);

await init();
const saved = sessionStorage.getItem("webwx-session");
const wx = new WebWx({ origin: location.origin, relay: true, session: saved });
let chat = null; // the UserName of the open chat
const names = new Map(); // UserName -> shown name

wx.onEvent((ev) => {
  switch (ev.event) {
    case "qr_code":
      $("qr").innerHTML = wx.qrSvg(); // drawn by the package: no <img> through the relay
      $("login").hidden = false;
      status("waiting for a scan");
      break;
    case "scanned":
      $("login-hint").textContent = "Scanned: confirm on the phone.";
      break;
    case "logged_in":
      status(`logged in as ${ev.nick_name}`);
      break;
    case "ready":
      $("login").hidden = true;
      $("contacts").hidden = $("chat").hidden = $("logout").hidden = false;
      showContacts();
      break;
    case "contact":
      showContacts();
      break;
    case "message":
      // The phone's own bookkeeping (status_notify) is no conversation.
      if (ev.kind?.kind !== "status_notify") showMessage(ev);
      break;
    case "session_changed":
      sessionStorage.setItem("webwx-session", wx.snapshot());
      break;
    case "logged_out":
      sessionStorage.removeItem("webwx-session");
      status(`logged out (${ev.reason.reason})`);
      break;
  }
});

function showContacts() {
  const list = $("contact-list");
  list.replaceChildren();
  const contacts = wx.contacts().filter((c) => c.kind === "friend" || c.kind === "group" || c.kind === "file_helper");
  $("contact-count").textContent = `(${contacts.length})`;
  for (const c of contacts) {
    const shown = c.remark_name || c.nick_name || c.user_name;
    names.set(c.user_name, shown);
    const li = document.createElement("li");
    li.dataset.user = c.user_name;
    li.textContent = shown;
    const kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = c.kind.replace("_", " ");
    li.append(kind);
    li.onclick = () => open(c.user_name);
    list.append(li);
  }
  if (!chat && contacts.length) open(contacts[0].user_name);
}

function open(user) {
  chat = user;
  $("chat-with").textContent = `with ${names.get(user) ?? user}`;
  for (const li of $("contact-list").children) li.classList.toggle("selected", li.dataset.user === user);
}

function textOf(ev) {
  const k = ev.kind ?? {};
  if (k.kind === "text") return k.text;
  if (k.kind === "file" || k.kind === "app") return `[file] ${k.title ?? k.file_name ?? ""}`;
  return `[${k.kind ?? "message"}]`;
}

function showMessage(ev, outgoing = ev.outgoing) {
  const li = document.createElement("li");
  li.className = outgoing ? "out" : "in";
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = outgoing ? "me" : names.get(ev.sender) ?? names.get(ev.chat) ?? ev.chat;
  li.append(who, typeof ev === "string" ? ev : textOf(ev));
  $("messages").append(li);
  li.scrollIntoView();
}

$("send").onsubmit = async (e) => {
  e.preventDefault();
  const text = $("text").value.trim();
  if (!text || !chat) return;
  $("text").value = "";
  try {
    await wx.sendText(chat, text);
    showMessage(text, true);
  } catch (err) {
    showMessage(`not sent: ${err.message}`, true);
  }
};

$("file").onchange = async () => {
  const file = $("file").files[0];
  if (!file || !chat) return;
  try {
    await wx.sendFile(chat, file, file.name); // a File is a Blob: read chunk by chunk
    showMessage(`[file] ${file.name}`, true);
  } catch (err) {
    showMessage(`not sent: ${err.message}`, true);
  }
  $("file").value = "";
};

$("logout").onclick = () => wx.logout();

status(saved ? "resuming" : "connecting");
wx.login();
