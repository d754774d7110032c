// Progressive enhancement only: every page works without this file.
document.addEventListener("click", function (event) {
  // Copy buttons: <button data-copy-target="element-id">.
  const button = event.target.closest("[data-copy-target]");
  if (button) {
    const target = document.getElementById(button.dataset.copyTarget);
    if (!target) return;
    const text = target.value !== undefined ? target.value : target.textContent.trim();
    const done = function () {
      const label = button.dataset.label || button.textContent;
      button.dataset.label = label;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
    } else {
      const range = document.createRange();
      if (target.select) { target.select(); } else {
        range.selectNodeContents(target);
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
      }
      try { document.execCommand("copy"); done(); } catch (e) { /* ignore */ }
    }
    return;
  }
  // Close the gear menu when clicking elsewhere.
  document.querySelectorAll("details.gear-menu[open]").forEach(function (menu) {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});
document.addEventListener("submit", function (event) {
  // Forms with data-confirm ask first (the server still requires its own confirmation step).
  const form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// Phones: the main navigation folds behind a disclosure button (a native <button>, so
// Enter and Space open it); Escape closes it and gives the focus back to the button.
(function () {
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("mainnav");
  if (!toggle || !nav) return;
  toggle.hidden = false;
  document.documentElement.classList.add("has-nav-toggle");
  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("open", open);
  }
  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
})();

// Copy buttons are added next to <code data-copy> values (kiosk URLs, ids) when the page
// can copy; without JavaScript the value is still there to select by hand.
(function () {
  document.querySelectorAll("[data-copy]").forEach(function (code, index) {
    if (!code.id) code.id = "copy-value-" + index;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.dataset.copyTarget = code.id;
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy " + (code.dataset.copy || "value"));
    code.insertAdjacentElement("afterend", button);
  });
})();

// First visit of an account with no time zone: propose the browser's, once.
(function () {
  const url = document.body.dataset.timeZoneDetect;
  if (!url || !window.fetch || !window.Intl) return;
  let zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (!zone) return;
  const body = new URLSearchParams({ time_zone: zone });
  fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": document.body.dataset.csrfToken },
    body: body,
  }).catch(function () { /* offline: Preferences still lets the admin choose */ });
})();
