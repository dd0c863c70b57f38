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
    else continue;
    times[i].parentNode.insertBefore(note, times[i].nextSibling);
  }
})();
