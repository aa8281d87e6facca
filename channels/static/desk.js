// Care desk: queue, transcript, replies, customer panel, prescriptions, audit.
// Live updates come over /desk/ws; every POST carries the session's CSRF token.
// Everything shown is set with textContent: nothing a customer typed becomes markup.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  let csrf = "";
  let me = null;
  let current = null; // the ticket open in the middle pane
  let tickets = [];
  const shown = new Set(); // message ids in the transcript
  let socket = null;
  let retry = 1000;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  async function api(path, options = {}) {
    const headers = Object.assign({}, options.headers || {});
    if (options.method && options.method !== "GET") {
      headers["X-CSRF-Token"] = csrf;
      headers["Content-Type"] = "application/json";
    }
    const response = await fetch(path, Object.assign({ credentials: "same-origin" }, options, { headers }));
    if (response.status === 401) { window.location.assign("/desk"); throw new Error("signed out"); }
    const body = await response.json().catch(() => ({}));
    if (!response.ok && response.status !== 502) throw new Error(body.detail || ("HTTP " + response.status));
    return body;
  }

  function showError(text) {
    const node = $("ticket-error");
    node.textContent = text || "";
    node.hidden = !text;
  }

  function waitText(seconds) {
    const m = Math.floor(seconds / 60), s = seconds % 60;
    return m ? `${m} min ${s} s` : `${s} s`;
  }

  function colourFor(t) {
    if (t.claimed_by) return "claimed";
    const waited = Math.max(0, Math.floor((Date.now() - Date.parse(t.created_at)) / 1000));
    if (waited >= t.wait_target_seconds) return "red";
    if (waited >= t.wait_target_seconds / 2) return "amber";
    return "green";
  }

  function renderQueue() {
    const list = $("queue");
    list.replaceChildren();
    $("queue-count").textContent = String(tickets.length);
    $("queue-empty").hidden = tickets.length > 0;
    for (const t of tickets) {
      const item = el("li", "ticket wait-" + colourFor(t));
      item.dataset.ticket = t.ticket_id;
      if (current && current.ticket_id === t.ticket_id) item.classList.add("selected");
      const button = el("button", "ticket-open");
      button.type = "button";
      const waited = Math.max(0, Math.floor((Date.now() - Date.parse(t.created_at)) / 1000));
      button.append(
        el("span", "badge channel-" + t.channel, t.channel),
        t.urgent ? el("span", "badge urgent", "urgent") : "",
        el("span", "who", t.customer_name || t.customer_id || "Unverified visitor"),
        el("span", "reason", t.reason || ""),
        el("span", "wait", waitText(waited) + (t.overdue || colourFor(t) === "red" ? " · overdue" : "")),
        el("span", "claimed", t.claimed_by_name ? "with " + t.claimed_by_name : "unclaimed"),
      );
      button.addEventListener("click", () => openTicket(t.ticket_id));
      item.append(button);
      list.append(item);
    }
  }

  function entryItem(from, text, extra) {
    const item = el("li", "entry from-" + from);
    const who = from === "user" || from === "customer" ? "Customer"
      : from === "bot" || from === "assistant" ? "Assistant"
      : from === "staff" ? (extra && extra.staff_name) || "Staff" : "Desk";
    item.append(el("span", "entry-who", who + ": "), el("span", "entry-text", text));
    if (extra && extra.delivery && extra.delivery.state) {
      item.append(el("span", "delivery delivery-" + extra.delivery.state,
        extra.delivery.state + (extra.delivery.error ? " (" + extra.delivery.error + ")" : "")));
    }
    return item;
  }

  function addEntry(from, text, extra) {
    const item = entryItem(from, text, extra);
    $("transcript").append(item);
    item.scrollIntoView({ block: "end" });
  }

  function addMessage(message) {
    if (shown.has(message.id)) return;
    shown.add(message.id);
    addEntry(message.from, message.text, message);
  }

  function renderTicketHeader(t) {
    $("ticket-title").textContent = `Ticket ${t.ticket_id}`;
    $("ticket-meta").textContent = [t.channel, t.reason, t.summary, t.status,
      t.claimed_by_name ? "claimed by " + t.claimed_by_name : "unclaimed"].filter(Boolean).join(" · ");
    const mine = t.claimed_by === me.staff_id;
    $("ticket-actions").hidden = t.status !== "open";
    $("claim").hidden = Boolean(t.claimed_by);
    $("resolve").textContent = t.channel === "voice" ? "Done" : "Resolve";
    $("resolve").hidden = Boolean(t.claimed_by) && !mine && me.role !== "admin";
    $("reply-form").hidden = !(t.status === "open" && mine) || t.channel === "voice";
    $("callback").hidden = t.channel !== "voice" && !t.callback_number;
    $("callback-number").textContent = t.callback_number || "number withheld";
  }

  async function openTicket(id) {
    showError("");
    const data = await api(`/desk/api/tickets/${encodeURIComponent(id)}`);
    current = data.ticket;
    shown.clear();
    $("transcript").replaceChildren();
    for (const entry of data.history || []) addEntry(entry.from, entry.text || "");
    for (const message of data.messages || []) addMessage(message);
    if (data.earlier) showEarlierButton(id, null);
    renderTicketHeader(current);
    renderQueue();
    if (current.customer_id) loadCustomer(current.customer_id);
    else $("customer").replaceChildren(el("p", "muted", "Unverified visitor: no customer data."));
  }

  // Earlier sessions of the ticket's conversation, one at a time, above the transcript.
  function showEarlierButton(id, before) {
    const item = el("li", "earlier-item");
    const button = el("button", "btn btn-outline earlier", "Earlier conversations");
    button.type = "button";
    button.addEventListener("click", async () => {
      button.disabled = true;
      let data;
      try {
        const query = before === null ? "" : `?before=${before}`;
        data = await api(`/desk/api/tickets/${encodeURIComponent(id)}/earlier${query}`);
      } catch (error) {
        button.disabled = false;
        showError(error.message);
        return;
      }
      if (!current || current.ticket_id !== id) return;
      item.remove();
      const block = [el("li", "entry-note muted",
        (data.history || []).length ? "Earlier conversation" : "No earlier messages.")];
      for (const entry of data.history || []) block.push(entryItem(entry.from, entry.text || ""));
      $("transcript").prepend(...block);
      if (typeof data.before === "number") showEarlierButton(id, data.before);
    });
    item.append(button);
    $("transcript").prepend(item);
  }

  function section(title, rows) {
    const box = el("section", "panel-section");
    box.append(el("h3", "", title));
    const list = el("ul", "");
    if (!rows.length) list.append(el("li", "muted", "None."));
    for (const row of rows) list.append(el("li", "", row));
    box.append(list);
    return box;
  }

  async function loadCustomer(customerId) {
    const data = await api(`/desk/api/customers/${encodeURIComponent(customerId)}`);
    const c = data.customer;
    const box = $("customer");
    box.replaceChildren(
      el("p", "customer-name", c.name || c.customer_id),
      el("p", "muted", [c.customer_id, c.phone_masked, c.language].filter(Boolean).join(" · ")),
      section("Recent orders", c.orders.map((o) => `${o.order_id} · ${o.status} · ₹${o.total_inr} · ${o.items.join(", ")}`)),
      section("Prescriptions", c.prescriptions.map((p) => `${p.rx_id} · ${p.status}${p.valid_until ? " · until " + p.valid_until.slice(0, 10) : ""}${p.skus.length ? " · " + p.skus.join(", ") : ""}`)),
      section("Bookings", c.bookings.map((b) => `${b.kind}: ${b.what} · ${(b.start || "").slice(0, 16).replace("T", " ")} · ${b.status}`)),
    );
  }

  async function claim() {
    try {
      const data = await api(`/desk/api/tickets/${current.ticket_id}/claim`, { method: "POST" });
      current = data.ticket;
      renderTicketHeader(current);
      $("reply-text").focus();
    } catch (e) { showError(e.message); }
  }

  async function resolve() {
    try {
      const data = await api(`/desk/api/tickets/${current.ticket_id}/resolve`, { method: "POST" });
      current = data.ticket;
      renderTicketHeader(current);
    } catch (e) { showError(e.message); }
  }

  async function sendReply(event) {
    event.preventDefault();
    const text = $("reply-text").value.trim();
    if (!text) return;
    try {
      const data = await api(`/desk/api/tickets/${current.ticket_id}/reply`, {
        method: "POST", body: JSON.stringify({ text }),
      });
      addMessage(data.message);
      $("reply-text").value = "";
      if (data.message.delivery && data.message.delivery.state === "failed") showError("Not delivered: " + (data.message.delivery.error || ""));
    } catch (e) { showError(e.message); }
  }

  async function loadPrescriptions() {
    const data = await api("/desk/api/prescriptions");
    const list = $("rx-list");
    list.replaceChildren();
    if (!data.prescriptions.length) list.append(el("li", "muted", "No pending prescriptions."));
    for (const p of data.prescriptions) {
      const item = el("li", "rx");
      item.dataset.rx = p.rx_id;
      const link = el("a", "", `${p.rx_id} (${p.content_type}, ${p.bytes < 1024 ? p.bytes + " bytes" : Math.round(p.bytes / 1024) + " KB"})`);
      link.href = `/desk/api/prescriptions/${encodeURIComponent(p.rx_id)}/file`;
      link.target = "_blank";
      link.rel = "noopener";
      item.append(el("p", "", `Customer ${p.customer_id || "unverified"} · ${p.channel} · ${p.uploaded_at.slice(0, 16).replace("T", " ")}`), link);
      if (p.content_type && p.content_type.startsWith("image/")) {
        const img = el("img", "rx-preview");
        img.alt = "Prescription " + p.rx_id;
        img.src = link.href;
        item.append(img);
      }
      const form = el("form", "rx-form");
      const skus = el("input"); skus.name = "skus"; skus.placeholder = "SKUs, e.g. MED0001, MED0002"; skus.setAttribute("aria-label", "Medicines (SKUs)");
      const until = el("input"); until.name = "valid_until"; until.type = "date"; until.setAttribute("aria-label", "Valid until");
      const doctor = el("input"); doctor.name = "doctor"; doctor.placeholder = "Doctor"; doctor.setAttribute("aria-label", "Doctor");
      const approve = el("button", "btn", "Approve"); approve.type = "submit";
      const reason = el("input"); reason.name = "reason"; reason.placeholder = "Reason to reject"; reason.setAttribute("aria-label", "Reason to reject");
      const reject = el("button", "btn btn-outline", "Reject"); reject.type = "button";
      const status = el("p", "rx-status"); status.setAttribute("role", "status");
      form.append(skus, until, doctor, approve, reason, reject, status);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          await api(`/desk/api/prescriptions/${p.rx_id}/approve`, { method: "POST", body: JSON.stringify({
            skus: skus.value.split(/[\s,]+/).filter(Boolean), valid_until: until.value, doctor_name: doctor.value,
          }) });
          status.textContent = "Approved; the customer was told.";
          form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
        } catch (e) { status.textContent = e.message; }
      });
      reject.addEventListener("click", async () => {
        try {
          await api(`/desk/api/prescriptions/${p.rx_id}/reject`, { method: "POST", body: JSON.stringify({ reason: reason.value }) });
          status.textContent = "Rejected; the customer was told.";
          form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
        } catch (e) { status.textContent = e.message; }
      });
      item.append(form);
      list.append(item);
    }
  }

  async function loadAudit() {
    const data = await api("/desk/api/audit");
    const rows = $("audit-rows");
    rows.replaceChildren();
    for (const e of data.entries) {
      const row = el("tr");
      for (const value of [e.at.slice(0, 19).replace("T", " "), e.staff_id, e.role, e.action, e.customer_id || "", e.subject || ""]) row.append(el("td", "", value));
      rows.append(row);
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/desk/ws`);
    socket.addEventListener("open", () => { $("live").textContent = "Live"; retry = 1000; });
    // Watching the queue is activity: each ping renews the session's idle timer server-side.
    const keepAlive = setInterval(() => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
    }, 60000);
    socket.addEventListener("close", () => clearInterval(keepAlive));
    socket.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "queue") {
        tickets = frame.tickets || [];
        renderQueue();
        if (current) {
          const fresh = tickets.find((t) => t.ticket_id === current.ticket_id);
          if (fresh && fresh.claimed_by !== current.claimed_by) {
            current.claimed_by = fresh.claimed_by; current.claimed_by_name = fresh.claimed_by_name;
            renderTicketHeader(current);
          }
        }
      } else if (frame.type === "message" && current && frame.message.ticket_id === current.ticket_id) {
        addMessage(frame.message);
      }
    });
    socket.addEventListener("close", (event) => {
      $("live").textContent = "Offline — reconnecting…";
      if (event.code === 4401) { window.location.assign("/desk"); return; }
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 15000);
    });
  }

  async function start() {
    const data = await api("/desk/api/me");
    me = data.staff;
    csrf = data.csrf;
    $("me").textContent = `${me.name} (${me.role})`;
    $("show-rx").hidden = !me.permissions.includes("prescriptions");
    $("show-audit").hidden = !me.permissions.includes("audit");
    for (const text of data.canned || []) {
      const option = el("option", "", text);
      option.value = text;
      $("canned").append(option);
    }
    $("canned").addEventListener("change", () => {
      if ($("canned").value) $("reply-text").value = $("canned").value;
      $("canned").value = "";
      $("reply-text").focus();
    });
    $("claim").addEventListener("click", claim);
    $("resolve").addEventListener("click", resolve);
    $("reply-form").addEventListener("submit", sendReply);
    $("reply-text").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("reply-form").requestSubmit(); }
    });
    $("sign-out").addEventListener("click", async () => {
      await api("/desk/logout", { method: "POST" }).catch(() => {});
      window.location.assign("/desk");
    });
    $("show-rx").addEventListener("click", () => { $("rx-panel").hidden = false; loadPrescriptions(); });
    $("rx-close").addEventListener("click", () => { $("rx-panel").hidden = true; });
    $("show-audit").addEventListener("click", () => { $("audit-panel").hidden = false; loadAudit(); });
    $("audit-close").addEventListener("click", () => { $("audit-panel").hidden = true; });
    setInterval(renderQueue, 5000); // wait times and colours move on between frames
    connect();
  }

  start().catch((e) => showError(e.message));
})();
