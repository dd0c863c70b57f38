// Countdowns to appeal deadlines, worked out in the reader's browser so that
// the built site never depends on the day it was built. Without this script
// the page simply shows the date.
(function () {
  "use strict";
  var DAY = 24 * 60 * 60 * 1000;
  var now = new Date();
  var today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  var times = document.querySelectorAll("time[data-countdown]");
  // The words are the page's, in its language: one for each plural form
  // (data-days-one, data-days-few, ...), chosen by the browser's own rules.
  function daysToGo(time, days) {
    var lang = (time.closest("[lang]") || document.documentElement).getAttribute("lang") || "en";
    var form = "other";
    try { form = new Intl.PluralRules(lang).select(days); } catch (e) { form = days === 1 ? "one" : "other"; }
    var words = time.getAttribute("data-days-" + form) || time.getAttribute("data-days-other") ||
      time.getAttribute("data-days-many") || (days === 1 ? "# day to go" : "# days to go");
    return words.replace("#", String(days));
  }
  for (var i = 0; i < times.length; i++) {
    var parts = (times[i].getAttribute("datetime") || "").split("-");
    if (parts.length !== 3) continue;
    var deadline = Date.UTC(+parts[0], +parts[1] - 1, +parts[2]);
    var days = Math.round((deadline - today) / DAY);
    var note = document.createElement("span");
    note.className = "countdown";
    if (days > 0) note.textContent = " (" + daysToGo(times[i], days) + ")";
    else if (days === 0) note.textContent = " (" + (times[i].getAttribute("data-today") || "today") + ")";
    else {
      // Past: say so in words, not only by the date.
      note.textContent = " (" + (times[i].getAttribute("data-past") || "deadline passed") + ")";
      if (times[i].parentNode.classList) times[i].parentNode.classList.add("is-past");
    }
    times[i].parentNode.insertBefore(note, times[i].nextSibling);
  }
})();

// The phone's donate bar comes up once the panel's own donate button is off
// screen, so the same button is never shown twice.
(function () {
  "use strict";
  var bar = document.querySelector("[data-donate-bar]");
  var button = document.querySelector(".donate .button-primary");
  if (!bar || !button || !("IntersectionObserver" in window)) return;
  new IntersectionObserver(function (entries) {
    var seen = entries[entries.length - 1].isIntersecting;
    bar.classList.toggle("is-hidden", seen);
  }).observe(button);
})();
