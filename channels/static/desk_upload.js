// Web chat: send a prescription (photo or PDF) to the pharmacists (POST /web/prescriptions).
// The gateway checks the file by its content; this script only picks and sends it with the
// chat's own session token, and shows the answer as a note in the conversation.
"use strict";
(() => {
  const TOKEN_KEY = "pharmacy-care-chat:token";
  const composer = document.getElementById("composer");
  const log = document.getElementById("log");
  if (!composer || !log) return;

  const input = document.createElement("input");
  input.type = "file";
  input.accept = "image/jpeg,image/png,application/pdf";
  input.id = "rx-file";
  input.hidden = true;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "attach";
  button.id = "rx-attach";
  button.textContent = "📎";
  button.title = "Send a prescription (photo or PDF)";
  button.setAttribute("aria-label", "Send a prescription");
  Object.assign(button.style, {  // CSSOM (allowed by the page's CSP), not a style attribute
    flex: "none", width: "44px", height: "44px", borderRadius: "50%", cursor: "pointer",
    border: "1px solid #b7dfd8", background: "#fff", fontSize: "1.1rem",
  });
  composer.insertBefore(button, composer.firstChild);
  composer.append(input);

  function note(text) {
    const item = document.createElement("li");
    item.className = "note";
    item.textContent = text;
    log.append(item);
    item.scrollIntoView({ block: "end" });
  }

  button.addEventListener("click", () => input.click());
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    let token = null;
    try { token = window.localStorage.getItem(TOKEN_KEY); } catch (e) { token = null; }
    if (!token) { note("Please wait until the chat is connected, then try again."); return; }
    try {
      const response = await fetch("/web/prescriptions", {
        method: "POST", body: file, headers: { Authorization: "Bearer " + token },
      });
      const answer = await response.json().catch(() => ({}));
      note(answer.message || answer.detail || "The prescription could not be sent.");
    } catch (e) {
      note("The prescription could not be sent. Please try again.");
    }
  });
})();
