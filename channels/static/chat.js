// Web chat client: one WebSocket to the gateway (/ws/chat), JSON frames, no framework.
// The session token lives in localStorage so a reload or reconnect resumes the
// same conversation; the gateway replays the history on every (re)connect. A guest's
// token is renewed while they chat ("token" frames); "Sign out" / "End chat" revokes
// the session on the server; "Verify with a code" upgrades it by a one-time SMS code.
"use strict";

(function () {
  const TOKEN_KEY = "pharmacy-care-chat:token";
  const PING_MS = 25000;
  const MAX_BACKOFF_MS = 30000;

  const $ = (id) => document.getElementById(id);
  const chat = $("chat");
  const log = $("log");
  const welcome = $("welcome");
  const typing = $("typing");
  const form = $("composer");
  const input = $("message");
  const statusBox = $("status");
  const statusText = $("status-text");
  const banner = $("banner");
  const bannerText = $("banner-text");
  const who = $("who");
  const demoOpen = $("demo-open");
  const signOut = $("sign-out");
  const dialog = $("demo-dialog");
  const demoList = $("demo-list");
  const otpOpen = $("otp-open");
  const otpDialog = $("otp-dialog");
  const otpStart = $("otp-start");
  const otpVerify = $("otp-verify");
  const otpOrder = $("otp-order");
  const otpCode = $("otp-code");
  const otpMessage = $("otp-message");

  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  let ws = null; // the live socket (older ones are ignored)
  let ready = false; // hello answered and history shown
  let attempts = 0; // reconnects since the last good connection
  let reconnectTimer = null;
  let pingTimer = null;
  let pending = []; // [{frame, text}] sent while offline, flushed after history
  let demoAvailable = false;
  let customer = null;
  let socketToken = null; // the token this socket's session runs on
  let sessionNote = null; // what the session frame said about an old token
  let idle = false; // the gateway closed a quiet socket: reconnect when the visitor acts

  // -- token storage (localStorage may be blocked: then the session lasts a page view) --
  let memoryToken = null;
  function loadToken() {
    try { return window.localStorage.getItem(TOKEN_KEY) || memoryToken; } catch (e) { return memoryToken; }
  }
  function saveToken(token) {
    memoryToken = token;
    try { window.localStorage.setItem(TOKEN_KEY, token); } catch (e) { /* memory only */ }
  }
  function clearToken() {
    memoryToken = null;
    try { window.localStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing stored */ }
  }

  // -- rendering --------------------------------------------------------------
  const RICH = /(\*\*[^*\n]+\*\*|https?:\/\/[^\s<>()"]+)/g;

  function richText(text) {
    // Safe rendering: text nodes only, plus <strong> for **bold** and links for URLs.
    const fragment = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(RICH)) {
      fragment.append(text.slice(last, match.index));
      const token = match[0];
      if (token.startsWith("**")) {
        const strong = document.createElement("strong");
        strong.textContent = token.slice(2, -2);
        fragment.append(strong);
      } else {
        const url = token.replace(/[.,;:!?]+$/, "");
        const link = document.createElement("a");
        link.href = url;
        link.textContent = url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        fragment.append(link);
        if (url.length < token.length) fragment.append(token.slice(url.length));
      }
      last = match.index + token.length;
    }
    fragment.append(text.slice(last));
    return fragment;
  }

  function scrollToEnd() {
    chat.scrollTo({ top: chat.scrollHeight, behavior: reduceMotion ? "auto" : "smooth" });
  }

  function updateWelcome() {
    const started = log.querySelector(".msg") !== null;
    welcome.hidden = started;
    if (!customer) signOut.hidden = !started;
  }

  function clearQuickReplies() {
    for (const node of log.querySelectorAll(".quick-replies-item")) node.remove();
  }

  function makeMessage(from, message) {
    const item = document.createElement("li");
    item.className = "msg msg-" + from;
    const label = document.createElement("span");
    label.className = "sr-only";
    label.textContent = from === "bot" ? "Assistant: " : "You: ";
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    if (message.text) bubble.append(richText(String(message.text)));
    if (message.image) {
      const image = document.createElement("img");
      image.src = message.image;
      image.alt = "";
      image.loading = "lazy";
      bubble.append(image);
    }
    item.append(label, bubble);
    return item;
  }

  function addMessage(from, message) {
    const item = makeMessage(from, message);
    log.append(item);
    updateWelcome();
    return item;
  }

  // Earlier sessions of this conversation, a session at a time, above what is shown.
  function showEarlierButton(before) {
    for (const node of log.querySelectorAll(".earlier-item")) node.remove();
    const item = document.createElement("li");
    item.className = "earlier-item";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "earlier";
    button.textContent = "Show earlier messages";
    button.addEventListener("click", () => {
      if (!ready || !ws || ws.readyState !== WebSocket.OPEN) return;
      button.disabled = true;
      ws.send(JSON.stringify({ type: "earlier", before }));
    });
    item.append(button);
    log.prepend(item);
  }

  function showEarlier(frame) {
    for (const node of log.querySelectorAll(".earlier-item")) node.remove();
    const height = chat.scrollHeight;
    const block = document.createDocumentFragment();
    const messages = Array.isArray(frame.messages) ? frame.messages : [];
    const note = document.createElement("li");
    note.className = "note";
    note.textContent = frame.complete === false
      ? "Earlier messages couldn't be loaded right now."
      : messages.length ? "Earlier conversation" : "No earlier messages.";
    block.append(note);
    for (const entry of messages) block.append(makeMessage(entry.from === "user" ? "user" : "bot", entry));
    log.prepend(block);
    updateWelcome();
    // After a failed read the same page can be asked for again.
    if (typeof frame.before === "number" || frame.complete === false) showEarlierButton(frame.before ?? null);
    chat.scrollTop += chat.scrollHeight - height;
  }

  function addNote(text) {
    const item = document.createElement("li");
    item.className = "note";
    item.textContent = text;
    log.append(item);
    scrollToEnd();
  }

  function showQuickReplies(buttons) {
    clearQuickReplies();
    if (!buttons.length) return;
    const item = document.createElement("li");
    item.className = "quick-replies-item";
    const group = document.createElement("div");
    group.className = "quick-replies";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Quick replies");
    for (const button of buttons) {
      const element = document.createElement("button");
      element.type = "button";
      element.className = "quick-reply";
      element.textContent = button.title;
      element.addEventListener("click", () => sendPayload(button));
      group.append(element);
    }
    item.append(group);
    log.append(item);
  }

  function showBotMessages(messages) {
    const buttons = [];
    for (const message of messages) {
      addMessage("bot", message);
      if (Array.isArray(message.buttons)) buttons.push(...message.buttons);
    }
    showQuickReplies(buttons);
    scrollToEnd();
  }

  function renderHistory(entries) {
    log.textContent = "";
    let trailing = [];
    for (const entry of entries) {
      addMessage(entry.from === "user" ? "user" : "bot", entry);
      if (entry.from === "user") trailing = [];
      else if (Array.isArray(entry.buttons)) trailing.push(...entry.buttons);
    }
    showQuickReplies(trailing);
    updateWelcome();
    chat.scrollTop = chat.scrollHeight;
  }

  function showTyping() {
    typing.hidden = false;
    scrollToEnd();
  }
  function hideTyping() {
    typing.hidden = true;
  }

  function setStatus(state) {
    statusBox.dataset.state = state;
    statusText.textContent = state === "online" ? "Online"
      : state === "offline" ? "Offline · reconnecting…"
      : state === "idle" ? "Paused · send a message to carry on" : "Connecting…";
  }

  function setIdentity(info) {
    customer = info || null;
    if (customer) {
      const name = customer.name || customer.customer_id;
      who.textContent = "Signed in as " + name;
    } else {
      who.textContent = "Guest";
    }
    who.classList.toggle("who-signed-in", Boolean(customer));
    signOut.textContent = customer ? "Sign out" : "End chat";
    signOut.hidden = !customer && log.querySelector(".msg") === null;
    demoOpen.hidden = Boolean(customer) || !demoAvailable;
    otpOpen.hidden = Boolean(customer);
  }

  // -- connection -------------------------------------------------------------
  function socketUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/chat";
  }

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    idle = false;
    setStatus(attempts ? "offline" : "connecting");
    let socket;
    try {
      socket = new WebSocket(socketUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    ws = socket;
    ready = false;
    socket.addEventListener("open", () => {
      if (socket !== ws) return;
      socket.send(JSON.stringify({ type: "hello", token: loadToken() }));
    });
    socket.addEventListener("message", (event) => {
      if (socket !== ws) return;
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && typeof frame === "object") handle(frame);
    });
    socket.addEventListener("close", () => {
      if (socket !== ws) return;
      ws = null;
      ready = false;
      clearInterval(pingTimer);
      hideTyping();
      if (idle) {
        setStatus("idle");
        return;
      }
      scheduleReconnect();
    });
  }

  function restart() {
    // Drop the current socket (e.g. after signing in or out) and start a new session.
    const old = ws;
    ws = null;
    ready = false;
    attempts = 0;
    clearInterval(pingTimer);
    hideTyping();
    if (old) old.close(1000);
    connect();
  }

  function scheduleReconnect() {
    if (reconnectTimer) return;
    attempts += 1;
    const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (attempts - 1));
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    setStatus("offline");
    bannerText.textContent = "Connection lost. Reconnecting in " + Math.ceil(delay / 1000) + " s… Your conversation is saved.";
    banner.hidden = false;
    reconnectTimer = setTimeout(connect, delay);
  }

  function reconnectNow() {
    if (ws) return;
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    connect();
  }

  function sendFrame(frame, text) {
    if (ready && ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(frame));
    } else {
      pending.push({ frame, text });
      reconnectNow();
    }
  }

  function handle(frame) {
    switch (frame.type) {
      case "session":
        if (typeof frame.token === "string") saveToken(frame.token);
        socketToken = frame.token;
        setIdentity(frame.customer);
        // Shown once the history (which replaces the log) is in.
        sessionNote = frame.notice === "expired"
          ? "Your session expired, so a new conversation has started."
          : frame.notice === "ended"
            ? "This chat was signed out, so a new conversation has started." : null;
        break;
      case "token":
        // Another tab may have verified or signed in meanwhile: keep its token then.
        if (typeof frame.token === "string" && loadToken() === socketToken) saveToken(frame.token);
        socketToken = frame.token;
        break;
      case "history": {
        renderHistory(Array.isArray(frame.messages) ? frame.messages : []);
        if (sessionNote) addNote(sessionNote);
        sessionNote = null;
        if (frame.complete === false) addNote("Earlier messages couldn't be loaded right now.");
        if (frame.earlier === true) showEarlierButton(null);
        ready = true;
        attempts = 0;
        banner.hidden = true;
        setStatus("online");
        clearInterval(pingTimer);
        pingTimer = setInterval(() => {
          if (ready && ws && ws.readyState === WebSocket.OPEN) ws.send('{"type":"ping"}');
        }, PING_MS);
        const queued = pending;
        pending = [];
        for (const { frame: queuedFrame, text } of queued) {
          addMessage("user", { text });
          ws.send(JSON.stringify(queuedFrame));
        }
        if (queued.length) showTyping();
        break;
      }
      case "earlier":
        showEarlier(frame);
        break;
      case "typing":
        showTyping();
        break;
      case "bot":
        hideTyping();
        showBotMessages(Array.isArray(frame.messages) ? frame.messages : []);
        break;
      case "error":
        hideTyping();
        if (frame.code === "idle") {
          idle = true; // the socket closes next; no note, no reconnect until needed
          break;
        }
        if (frame.code === "session_expired" || frame.code === "session_ended") {
          if (loadToken() === socketToken) clearToken(); // not a newer one from another tab
          setIdentity(null);
          restart();
        }
        addNote(typeof frame.message === "string" ? frame.message : "Something went wrong.");
        break;
      default:
        break; // pong and anything newer
    }
  }

  // -- sending ----------------------------------------------------------------
  function sendText(text) {
    text = text.trim();
    if (!text) return;
    clearQuickReplies();
    addMessage("user", { text });
    if (ready) showTyping();
    sendFrame({ type: "message", text }, text);
    scrollToEnd();
  }

  function sendPayload(button) {
    clearQuickReplies();
    addMessage("user", { text: button.title });
    if (ready) showTyping();
    sendFrame({ type: "payload", payload: button.payload }, button.title);
    input.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    sendText(text);
    input.focus();
  });

  for (const suggestion of document.querySelectorAll(".suggestion")) {
    suggestion.addEventListener("click", () => {
      sendText(suggestion.dataset.text || suggestion.textContent);
      input.focus();
    });
  }

  $("retry").addEventListener("click", reconnectNow);
  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") reconnectNow();
  });

  // -- demo sign-in -----------------------------------------------------------
  async function loadDemoCustomers() {
    try {
      const response = await fetch("/web/demo-customers", { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const body = await response.json();
      demoList.textContent = "";
      for (const person of body.customers || []) {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "demo-customer";
        const name = document.createElement("span");
        name.className = "demo-name";
        name.textContent = person.name;
        const id = document.createElement("span");
        id.className = "demo-id";
        id.textContent = person.customer_id;
        button.append(name, id);
        button.addEventListener("click", () => demoSignIn(person.customer_id, button));
        item.append(button);
        demoList.append(item);
      }
      demoAvailable = demoList.children.length > 0;
      setIdentity(customer);
    } catch (e) {
      /* no demo sign-in */
    }
  }

  async function demoSignIn(customerId, button) {
    button.disabled = true;
    try {
      const response = await fetch("/web/demo-login", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ customer_id: customerId }),
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const body = await response.json();
      saveToken(body.token);
      setIdentity(body.customer);
      dialog.close();
      pending = [];
      log.textContent = "";
      updateWelcome();
      restart();
      input.focus();
    } catch (e) {
      addNote("Demo sign-in didn't work. Please try again.");
      dialog.close();
    } finally {
      button.disabled = false;
    }
  }

  demoOpen.addEventListener("click", () => {
    dialog.showModal();
    const first = demoList.querySelector("button");
    if (first) first.focus();
  });
  $("demo-cancel").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close(); // click on the backdrop
  });
  dialog.addEventListener("close", () => demoOpen.focus());

  async function revoke(token) {
    // Server-side sign-out: the token (and its conversation) can't be used again.
    try {
      await fetch("/web/logout", {
        method: "POST",
        headers: { Authorization: "Bearer " + token, Accept: "application/json" },
      });
    } catch (e) {
      /* offline: the token is forgotten here and expires on its own */
    }
  }

  signOut.addEventListener("click", async () => {
    const token = loadToken();
    signOut.disabled = true;
    if (token) await revoke(token);
    signOut.disabled = false;
    clearToken();
    setIdentity(null);
    pending = [];
    log.textContent = "";
    updateWelcome();
    restart();
    input.focus();
  });

  // -- verify with a one-time code ---------------------------------------------
  let otpOrderId = "";

  function otpSay(text, kind) {
    otpMessage.textContent = text || "";
    otpMessage.dataset.kind = kind || "info";
  }

  async function otpPost(path, body) {
    const token = loadToken();
    const response = await fetch(path, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        Authorization: "Bearer " + (token || ""),
      },
      body: JSON.stringify(body),
    });
    let answer = {};
    try { answer = await response.json(); } catch (e) { /* no body */ }
    return { ok: response.ok, status: response.status, body: answer };
  }

  function otpReset() {
    otpStart.hidden = false;
    otpVerify.hidden = true;
    otpOrder.value = "";
    otpCode.value = "";
    otpSay("");
  }

  async function otpSend() {
    const orderId = otpOrder.value.trim();
    if (!orderId) {
      otpSay("Please type your order number.", "error");
      otpOrder.focus();
      return;
    }
    otpSay("Sending…");
    try {
      const { ok, status, body } = await otpPost("/web/otp/start", { order_id: orderId });
      if (status === 401) {
        otpSay("Please wait a moment for the chat to connect, then try again.", "error");
        return;
      }
      otpSay(body.message || "Something went wrong. Please try again.", ok ? "info" : "error");
      if (ok) {
        otpOrderId = orderId;
        otpStart.hidden = true;
        otpVerify.hidden = false;
        otpCode.value = "";
        otpCode.focus();
      }
    } catch (e) {
      otpSay("You seem to be offline. Please try again.", "error");
    }
  }

  async function otpCheck() {
    const code = otpCode.value.trim();
    if (!/^[0-9]{6}$/.test(code)) {
      otpSay("Please type the 6 digits from the SMS.", "error");
      otpCode.focus();
      return;
    }
    try {
      const { ok, body } = await otpPost("/web/otp/verify", { order_id: otpOrderId, code });
      if (ok && typeof body.token === "string") {
        saveToken(body.token);
        setIdentity(body.customer);
        otpDialog.close();
        restart(); // the same conversation, now verified
        input.focus();
        return;
      }
      otpSay(body.message || "Something went wrong. Please try again.", "error");
      if (body.status === "wrong") {
        otpCode.select();
      } else if (body.status === "locked") {
        otpVerify.hidden = true; // nothing more to try here: sign in, or call us
      }
    } catch (e) {
      otpSay("You seem to be offline. Please try again.", "error");
    }
  }

  otpOpen.addEventListener("click", () => {
    otpReset();
    otpDialog.showModal();
    otpOrder.focus();
  });
  otpStart.addEventListener("submit", (event) => {
    event.preventDefault();
    otpSend();
  });
  otpVerify.addEventListener("submit", (event) => {
    event.preventDefault();
    otpCheck();
  });
  $("otp-resend").addEventListener("click", () => {
    otpOrder.value = otpOrderId;
    otpSend();
  });
  $("otp-cancel").addEventListener("click", () => otpDialog.close());
  otpDialog.addEventListener("click", (event) => {
    if (event.target === otpDialog) otpDialog.close();
  });
  otpDialog.addEventListener("close", () => { if (!otpOpen.hidden) otpOpen.focus(); });

  setIdentity(null);
  loadDemoCustomers();
  connect();
})();
