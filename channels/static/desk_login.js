// Care desk sign-in: JSON to /desk/login (the session lives in an HttpOnly cookie).
"use strict";
(() => {
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const body = JSON.stringify({
      email: document.getElementById("email").value,
      password: document.getElementById("password").value,
    });
    let response;
    try {
      response = await fetch("/desk/login", {
        method: "POST", headers: { "Content-Type": "application/json" }, body,
        credentials: "same-origin",
      });
    } catch (e) {
      error.textContent = "The desk can't be reached. Try again.";
      error.hidden = false;
      return;
    }
    if (response.ok) {
      // Back to the staff page that asked for the sign-in (the desk or /desk/ops).
      window.location.assign(window.location.pathname === "/desk/ops" ? "/desk/ops" : "/desk");
      return;
    }
    const answer = await response.json().catch(() => ({}));
    error.textContent = answer.detail || "Sign-in failed.";
    error.hidden = false;
  });
})();
