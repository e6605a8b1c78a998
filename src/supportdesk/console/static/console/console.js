// Live countdowns to the first-response due time: every element with data-due. The words
// come from the page (body's data-countdown-in and data-countdown-overdue, "%s" for the span),
// in the viewer's language.
(function () {
  "use strict";
  function words(name, fallback) {
    var value = document.body && document.body.getAttribute("data-countdown-" + name);
    return value && value.indexOf("%s") >= 0 ? value : fallback;
  }
  function text(due, now) {
    var seconds = Math.round((due - now) / 1000);
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var hours = Math.floor(minutes / 60);
    minutes = minutes % 60;
    var span = hours ? hours + " h " + (minutes < 10 ? "0" : "") + minutes + " min" : minutes + " min";
    return (seconds >= 0 ? words("in", "in %s") : words("overdue", "overdue by %s")).replace("%s", span);
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
