// Live countdowns to the first-response due time: every element with data-due.
(function () {
  "use strict";
  function text(due, now) {
    var seconds = Math.round((due - now) / 1000);
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var hours = Math.floor(minutes / 60);
    minutes = minutes % 60;
    var span = hours ? hours + " h " + (minutes < 10 ? "0" : "") + minutes + " min" : minutes + " min";
    return seconds >= 0 ? "in " + span : "overdue by " + span;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) { return; }
      el.textContent = text(due, now);
      el.classList.toggle("overdue", due < now);
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  setInterval(tick, 30000);
})();
