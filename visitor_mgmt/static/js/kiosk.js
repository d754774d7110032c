// Kiosk progressive enhancement: every kiosk page works without this file.
// 1) Typeahead on the host search field (data-search-url → JSON of public host entries).
// 2) Pages with data-idle-return go back to the start screen when left alone, so a
//    visitor who walks away does not leave their details on the screen.
(function () {
  "use strict";

  function choiceButton(field, value, label, meta) {
    var button = document.createElement("button");
    button.type = "submit";
    button.name = field;
    button.value = value;
    button.className = "kiosk-choice";
    var name = document.createElement("span");
    name.className = "kiosk-choice-name";
    name.textContent = label;
    button.appendChild(name);
    if (meta) {
      var extra = document.createElement("span");
      extra.className = "kiosk-choice-meta";
      extra.textContent = meta;
      button.appendChild(extra);
    }
    return button;
  }

  function note(text) {
    var p = document.createElement("p");
    p.className = "kiosk-empty";
    p.textContent = text;
    return p;
  }

  function setupTypeahead() {
    var input = document.getElementById("host-q");
    var results = document.getElementById("host-results");
    if (!input || !results || !input.dataset.searchUrl || !window.fetch) return;
    var groupSection = document.getElementById("group-section");
    var groupResults = document.getElementById("group-results");
    var minLength = parseInt(input.dataset.minLength || "2", 10);
    var timer = null;
    var sequence = 0;

    function render(data, query) {
      var nodes = [];
      (data.results || []).forEach(function (host) {
        nodes.push(choiceButton("host", host.public_id, host.name, host.department));
      });
      // "Nobody matches" only when no team matches either: a matching team is an answer.
      var groupCount = (data.groups || []).length;
      if (!nodes.length && !groupCount && query.length >= minLength) {
        nodes.push(note("Nobody matches \u201c" + query + "\u201d."));
      }
      results.replaceChildren.apply(results, nodes);
      if (groupResults && groupSection) {
        var groups = (data.groups || []).map(function (group) {
          return choiceButton("group", group.public_id, group.name, "Team");
        });
        groupResults.replaceChildren.apply(groupResults, groups);
        groupSection.hidden = groups.length === 0;
      }
    }

    function search() {
      var query = input.value.replace(/\s+/g, " ").trim();
      var mine = ++sequence;
      var url = input.dataset.searchUrl + "?q=" + encodeURIComponent(query);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 429) {
            // Too fast: try again in a moment with whatever is typed then.
            clearTimeout(timer);
            timer = setTimeout(search, 1000);
            return null;
          }
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data && mine === sequence) render(data, query);
        })
        .catch(function () { /* offline: the Search button still works */ });
    }

    var hint = document.getElementById("host-q-hint");
    function updateHint() {
      // The "type at least N letters" hint is for an empty or too short field only.
      if (hint) hint.hidden = input.value.replace(/\s+/g, " ").trim().length >= minLength;
    }
    updateHint();

    input.addEventListener("input", function () {
      updateHint();
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
  }

  function setupIdleReturn() {
    var target = document.body.dataset.idleReturn;
    var seconds = parseInt(document.body.dataset.idleSeconds || "120", 10);
    if (!target) return;
    var timer = null;
    function reset() {
      clearTimeout(timer);
      timer = setTimeout(function () { window.location.assign(target); }, seconds * 1000);
    }
    ["input", "pointerdown", "keydown"].forEach(function (name) {
      document.addEventListener(name, reset, { passive: true });
    });
    reset();
  }

  setupTypeahead();
  setupIdleReturn();
})();
