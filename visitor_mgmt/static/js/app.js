// Progressive enhancement only: every page works without this file.
document.addEventListener("click", function (event) {
  // Copy buttons: <button data-copy-target="element-id">.
  const button = event.target.closest("[data-copy-target]");
  if (button) {
    const target = document.getElementById(button.dataset.copyTarget);
    if (!target) return;
    const text = target.value !== undefined ? target.value : target.textContent.trim();
    const done = function () {
      const label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
    } else {
      if (target.select) { target.select(); }
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
