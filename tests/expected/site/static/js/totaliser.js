// Countdowns to appeal deadlines, worked out in the reader's browser so that
// the built site never depends on the day it was built. Without this script
// the page simply shows the date.
(function () {
  "use strict";
  var DAY = 24 * 60 * 60 * 1000;
  var now = new Date();
  var today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  var times = document.querySelectorAll("time[data-countdown]");
  for (var i = 0; i < times.length; i++) {
    var parts = (times[i].getAttribute("datetime") || "").split("-");
    if (parts.length !== 3) continue;
    var deadline = Date.UTC(+parts[0], +parts[1] - 1, +parts[2]);
    var days = Math.round((deadline - today) / DAY);
    var note = document.createElement("span");
    note.className = "countdown";
    if (days > 1) note.textContent = " (" + days + " days to go)";
    else if (days === 1) note.textContent = " (1 day to go)";
    else if (days === 0) note.textContent = " (today)";
    else {
      // Past: say so in words, not only by the date.
      note.textContent = " (deadline passed)";
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
