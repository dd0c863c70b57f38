// The search page: Pagefind's index, searched in the reader's browser as they
// type. Nothing leaves the site: the index and Pagefind's script are files of
// the site itself (search/pagefind/). The page's words come from its data-
// attributes, so that they are translated with the page. Without this script
// the page points to the listings instead.
(function () {
  "use strict";
  var root = document.querySelector("[data-search]");
  if (!root) return;
  var input = root.querySelector("[data-search-input]");
  var status = root.querySelector("[data-search-status]");
  var list = root.querySelector("[data-search-results]");
  var more = root.querySelector("[data-search-more]");
  var needsScript = root.querySelector("[data-search-needs-script]");
  var form = root.querySelector("form");
  var words = root.dataset;
  var PAGE = 10; // results shown at a time
  var FIRST = 4; // of the first page, those waited for before any is shown
  var DELAY = 80; // ms of quiet after a keystroke before searching
  var pagefind = null;
  var loading = null;
  var timer = 0;
  var latest = 0; // the newest search started: older answers are dropped
  var shown = [];
  var results = [];

  if (needsScript) needsScript.hidden = true;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return name in values ? values[name] : whole;
    });
  }

  function load() {
    if (!loading) {
      loading = import(words.bundle).then(function (module) {
        pagefind = module;
        return pagefind.options({ baseUrl: words.base }).then(function () {
          return pagefind.init();
        });
      });
      loading.catch(function () {
        status.textContent = words.wordsFailed;
        if (needsScript) needsScript.hidden = false;
      });
    }
    return loading;
  }

  function excerpt(html) {
    // Pagefind marks the words found with <mark>; only text and marks are kept.
    var holder = document.createElement("template");
    holder.innerHTML = html;
    var out = document.createElement("p");
    out.className = "search-excerpt";
    holder.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function figuresOf(url) {
    // An appeal's figures and status come from its own thermometer.svg, which
    // every new total updates (the index holds only what is searched).
    return fetch(url + "thermometer.svg").then(function (answer) {
      if (!answer.ok) return null;
      return answer.text();
    }).then(function (text) {
      if (!text) return null;
      var svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
      if (!svg || svg.nodeName !== "svg") return null;
      return {
        status: svg.getAttribute("data-status") || "open",
        percent: svg.getAttribute("data-percent") || "0",
        figures: svg.getAttribute("data-figures") || ""
      };
    }).catch(function () { return null; });
  }

  function withFigures(data) {
    var meta = data.meta || {};
    if (meta.kind !== "appeal") return Promise.resolve(data);
    return figuresOf(meta.url || data.url).then(function (reading) {
      data.reading = reading;
      return data;
    });
  }

  function card(data) {
    var meta = data.meta || {};
    var item = document.createElement("li");
    item.className = "search-result";
    var heading = document.createElement("h2");
    heading.className = "search-result-title";
    var link = document.createElement("a");
    link.href = meta.url || data.url;
    link.textContent = meta.title || data.url;
    heading.appendChild(link);
    item.appendChild(heading);
    if (meta.kind === "appeal") {
      var reading = data.reading;
      if (reading) {
        var state = reading.status in { open: 1, funded: 1, closed: 1, draft: 1 } ? reading.status : "open";
        item.classList.add("status-" + state);
        var badge = document.createElement("span");
        badge.className = "badge badge-" + state;
        badge.textContent = words["words" + state.charAt(0).toUpperCase() + state.slice(1)];
        item.appendChild(badge);
      }
      if (meta.about) {
        var about = document.createElement("p");
        about.className = "search-about";
        about.textContent = meta.about;
        item.appendChild(about);
      }
      if (reading) {
        var figures = document.createElement("p");
        figures.className = "search-figures";
        figures.textContent = reading.figures;
        var bar = document.createElement("span");
        bar.className = "search-bar";
        bar.setAttribute("aria-hidden", "true");
        var fillBar = document.createElement("span");
        fillBar.style.width = Math.min(100, parseInt(reading.percent, 10) || 0) + "%";
        bar.appendChild(fillBar);
        item.appendChild(figures);
        item.appendChild(bar);
      }
    } else {
      var kind = document.createElement("p");
      kind.className = "search-kind";
      kind.textContent = words.wordsPage;
      item.appendChild(kind);
    }
    // An appeal's card says what it is about; a page's shows where the words are.
    if (meta.kind !== "appeal" && data.excerpt) item.appendChild(excerpt(data.excerpt));
    return item;
  }

  function showMore(search, howMany) {
    var next = results.slice(shown.length, shown.length + (howMany || PAGE));
    return Promise.all(next.map(function (result) { return result.data().then(withFigures); })).then(function (found) {
      if (search !== latest) return;
      found.forEach(function (data) {
        shown.push(data);
        list.appendChild(card(data));
      });
      more.hidden = shown.length >= results.length;
    });
  }

  function announce(query, count) {
    var template = count === 0 ? words.wordsNone : count === 1 ? words.wordsOne : words.wordsMany;
    status.textContent = fill(template, { query: query, count: count.toLocaleString(document.documentElement.lang || undefined) });
  }

  function run(query) {
    var search = ++latest;
    query = query.trim();
    remember(query);
    if (!query) {
      list.textContent = "";
      status.textContent = "";
      more.hidden = true;
      return Promise.resolve();
    }
    return load().then(function () {
      return pagefind.search(query);
    }).then(function (answer) {
      if (search !== latest || !answer) return;
      results = answer.results;
      shown = [];
      var count = results.length;
      // The first few cards are shown as soon as they come; the rest of the
      // first page follows (each card is a file of its own to fetch).
      return Promise.all(results.slice(0, FIRST).map(function (result) { return result.data().then(withFigures); })).then(function (found) {
        if (search !== latest) return;
        list.textContent = "";
        found.forEach(function (data) {
          shown.push(data);
          list.appendChild(card(data));
        });
        more.hidden = true;
        announce(query, count);
        if (count > FIRST) return showMore(search, PAGE - FIRST);
      });
    });
  }

  function remember(query) {
    // The address says what was searched, so Back and a shared link come back to it.
    if (!window.history || !window.history.replaceState) return;
    var url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { run(input.value); }, DELAY);
  });
  input.addEventListener("focus", function () { load(); }, { once: true });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    run(input.value);
  });
  more.addEventListener("click", function () { showMore(latest); });

  var asked = new URLSearchParams(window.location.search).get("q");
  if (asked) {
    input.value = asked;
    run(asked);
  }
})();
