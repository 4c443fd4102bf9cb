// Small helpers for Verbind's pages. No inline scripts: this file is the only one besides htmx.
// Everything here also works without it: it only adds keyboard comfort and announcements.
(function () {
  "use strict";

  // A button that copies a value (an API token) to the clipboard.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      button.textContent = button.getAttribute("data-copied") || "Copied";
      announce(button.textContent);
    });
  });

  // Say something to screen readers through the page's polite live region.
  function announce(text) {
    var region = document.getElementById("announce");
    if (!region || !text) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text.trim(); }, 50);
  }

  // After a form comes back with errors, focus its first wrong field (its error is read with
  // it, through aria-describedby); after an action, focus what it reports.
  function focusOutcome(root) {
    var invalid = root.querySelector("[aria-invalid='true'], .form-error[role='alert']");
    if (invalid) {
      if (!invalid.matches("input, select, textarea")) invalid.setAttribute("tabindex", "-1");
      invalid.focus();
      return true;
    }
    var done = root.querySelector(".flash-list, .saved, .after-change");
    if (done) {
      if (!done.hasAttribute("tabindex")) done.setAttribute("tabindex", "-1");
      done.focus();
      announce(done.textContent);
      return true;
    }
    return false;
  }

  // Where the top bar stays in view, whatever gets focus scrolls clear of it.
  function clearTheBar() {
    var bar = document.querySelector(".topbar");
    if (!bar) return;
    var sticky = getComputedStyle(bar).position === "sticky";
    document.documentElement.style.scrollPaddingTop = sticky ? bar.offsetHeight + 16 + "px" : "";
  }
  window.addEventListener("resize", clearTheBar);

  document.addEventListener("DOMContentLoaded", function () {
    clearTheBar();
    var main = document.getElementById("main");
    if (main) focusOutcome(main);
  });

  // htmx swapped in a part of the page (a quick action's panel, a timeline entry): focus
  // would otherwise fall back to the top of the page.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt;
    if (target && document.body.contains(target)) {
      focusOutcome(target.closest(".quick-action, .entry, li, section") || target);
    }
  });

  // Tabs (the person page's quick actions), as the WAI-ARIA practices describe: arrows move
  // between tabs, Home and End jump, only the chosen tab is in the Tab order.
  function choose(tab, focus) {
    var list = tab.closest("[role=tablist]");
    list.querySelectorAll("[role=tab]").forEach(function (other) {
      var chosen = other === tab;
      other.setAttribute("aria-selected", chosen ? "true" : "false");
      other.setAttribute("tabindex", chosen ? "0" : "-1");
      var panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !chosen;
    });
    if (focus) tab.focus();
  }
  document.addEventListener("click", function (event) {
    var tab = event.target.closest("[role=tab]");
    if (tab) choose(tab, false);
  });
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest("[role=tab]");
    if (!tab) return;
    var tabs = Array.prototype.slice.call(tab.closest("[role=tablist]").querySelectorAll("[role=tab]"));
    var at = tabs.indexOf(tab), next = null;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") next = tabs[(at + 1) % tabs.length];
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = tabs[(at - 1 + tabs.length) % tabs.length];
    else if (event.key === "Home") next = tabs[0];
    else if (event.key === "End") next = tabs[tabs.length - 1];
    if (next) {
      event.preventDefault();
      choose(next, true);
    }
  });

  // The account menu closes on Escape (focus back on its button) and when focus leaves it.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
  document.addEventListener("focusin", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });
})();
