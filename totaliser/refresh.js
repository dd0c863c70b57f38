// Totaliser's dev server: a saved story is shown in place, without reloading
// the page. A reload makes the browser tear the page down and build it again
// (about 0.1 s on a slow machine) and scrolls back to the top; here the page
// is fetched, and its body swapped for the new one, so the reader stays on
// the paragraph being edited. Anything that is not a story or page's text
// (a stylesheet, a script, an image, a template, site.yaml), and any page
// whose styles, scripts or status changed (a build error adds its panel's
// styles), is reloaded as before.
//
// A livereload.js plugin: livereload.js takes up every window property named
// LiveReloadPlugin... when it starts, so this script runs before it.
(function () {
  "use strict";

  var latest = 0; // a newer save's refresh wins over a slower, older one
  // The build this page shows, as the server served it: said to the server
  // when livereload.js connects, so that a page that connects only after a
  // newer build was announced is told of it.
  var script = document.currentScript;
  var build = script ? script.getAttribute("data-build") : null;

  function TotaliserRefresh(window) {
    this.window = window;
  }
  TotaliserRefresh.identifier = "totaliser-refresh";
  TotaliserRefresh.version = "1.0";

  TotaliserRefresh.prototype.analyze = function () {
    return { build: build };
  };

  TotaliserRefresh.prototype.reload = function (path) {
    if (!/\.md$/.test(path)) return false; // livereload.js reloads the page
    refresh(this.window, ++latest);
    return true;
  };

  function refresh(window, number) {
    var document = window.document;
    var reloadPage = function () { window.location.reload(); };
    window.fetch(window.location.href, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || response.redirected || type.indexOf("text/html") !== 0) throw new Error("not the same page");
        return response.text();
      })
      .then(function (text) {
        if (number !== latest) return;
        var fresh = new window.DOMParser().parseFromString(text, "text/html");
        if (resources(fresh) !== resources(document) || !fresh.body) {
          reloadPage();
          return;
        }
        document.title = fresh.title;
        document.body.replaceWith(document.adoptNode(fresh.body));
        runScriptsAgain(document);
      })
      .catch(reloadPage);
  }

  // What the head loads: the same list before and after means the new body
  // can be shown with what the page already has.
  function resources(doc) {
    var found = [];
    var nodes = doc.head ? doc.head.querySelectorAll("link[rel~=stylesheet], script[src], style, meta[http-equiv]") : [];
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      found.push(node.localName + " " + (node.getAttribute("href") || node.getAttribute("src") || node.getAttribute("content") || node.textContent));
    }
    return found.join("\n");
  }

  // The page's scripts change the body they run over (countdowns to a
  // deadline), and a script taken from a parsed document never runs: each is
  // replaced by a new element that does.
  function runScriptsAgain(document) {
    var scripts = document.body.querySelectorAll("script[src]");
    for (var i = 0; i < scripts.length; i++) {
      var again = document.createElement("script");
      again.src = scripts[i].getAttribute("src");
      again.async = false; // in the page's order, as the deferred originals ran
      scripts[i].parentNode.replaceChild(again, scripts[i]);
    }
  }

  window.LiveReloadPluginTotaliser = TotaliserRefresh;
})();
