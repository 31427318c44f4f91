(function () {
  "use strict";
{% include "common.js" %}
  var stops = JSON.parse(document.getElementById("data").textContent).stops;
  var $ = function (id) { return document.getElementById(id); };
  var text = $("text"), drawer = $("drawer");
  var byId = {}, cur = -1;
  stops.forEach(function (s, i) { byId[s.id] = i; });

  function marks(id) { return text ? text.querySelectorAll('mark[data-s~="' + id + '"]') : []; }

  function fill(box, parts) {
    box.textContent = "";
    box.parentNode.scrollTop = 0;
    parts.forEach(function (p) { box.appendChild(p); });
  }

  function showPassage(s) {
    $("d-what").textContent = "";
    vis($("d-what"), "Copied passage " + s.n + " from \u201c" + s.src + "\u201d \u00b7 similarity " +
      (s.sim == null ? "\u2014" : s.sim.toFixed(2)) + " \u00b7 " + (cur + 1) + " of " + stops.length);
    fill($("d-left"), [marked("c s" + s.c, s.page)]);
    $("d-rtitle").textContent = "";
    vis($("d-rtitle"), "Source: " + s.src + (s.srcdate ? " \u00b7 published " + s.srcdate : ""));
    if (s.match == null) { fill($("d-right"), [el("span", "muted", "The source text is not in this scan.")]); return; }
    var match = marked("c s" + s.c, s.match);
    fill($("d-right"), [
      el("span", "ctx", (s.bmore ? "\u2026" : "") + s.before),
      match,
      el("span", "ctx", s.after + (s.amore ? "\u2026" : ""))
    ]);
    var pane = $("d-right").parentNode, first = match.querySelector("mark") || match;
    pane.scrollTop = Math.max(0, first.offsetTop - 90);  // the match in view below the sticky heading, with context
  }

  function showOccurrence(s) {
    $("d-what").textContent = "";
    vis($("d-what"), "Repeated passage \u00b7 occurrence " + s.n + " of " + s.of + " \u00b7 " + (cur + 1) + " of " + stops.length);
    fill($("d-left"), [marked("r", s.page)]);
    $("d-rtitle").textContent = "Also in this run";
    var box = document.createElement("div");
    if (!s.also.length) box.appendChild(el("p", "muted", "Only on this page."));
    s.also.forEach(function (a) {
      var p = document.createElement("p");
      if (a.href) { var link = el("a", "", a.uri); link.href = a.href; p.appendChild(link); }
      else p.appendChild(el("span", "", a.uri));
      if (a.note) p.appendChild(el("span", "muted", " (" + a.note + ")"));
      box.appendChild(p);
    });
    fill($("d-right"), [box]);
  }

  function open(show) {
    drawer.classList.toggle("hidden", !show);
    document.body.classList.toggle("drawer-open", show);
  }

  function select(i, show) {
    if (i == null || i < 0 || i >= stops.length) return;
    if (cur >= 0) Array.prototype.forEach.call(marks(stops[cur].id), function (m) { m.classList.remove("cur"); });
    cur = i;
    var s = stops[i], ms = marks(s.id);
    Array.prototype.forEach.call(ms, function (m) { m.classList.add("cur"); });
    if (show) open(true);  // before filling: a hidden pane cannot scroll to the match
    if (s.t === "p") showPassage(s); else showOccurrence(s);
    if (ms.length) {
      var d = ms[0].closest("details");
      if (d) d.open = true;
      ms[0].scrollIntoView({block: "nearest"});
      if (document.activeElement !== ms[0] && ms[0].hasAttribute("tabindex")) ms[0].focus({preventScroll: true});
    }
  }

  function pick(m) {
    var ids = (m.getAttribute("data-s") || "").split(" ").filter(Boolean);
    if (!ids.length) return;
    var k = cur >= 0 ? ids.indexOf(stops[cur].id) : -1;
    select(byId[ids[(k + 1) % ids.length]], true);  // a second click on overlapping passages cycles through them
  }

  if (text) text.addEventListener("click", function (e) {
    var m = e.target.closest && e.target.closest("mark[data-s]");
    if (m) pick(m);
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-go]"), function (b) {
    b.addEventListener("click", function () { select(byId[b.getAttribute("data-go")], true); });
  });
  $("d-prev").addEventListener("click", function () { select(Math.max(0, cur - 1), true); });
  $("d-next").addEventListener("click", function () { select(Math.min(stops.length - 1, cur + 1), true); });
  $("d-close").addEventListener("click", function () { open(false); });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target, tag = t && t.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
    if (!stops.length) return;
    switch (e.key) {
      case "j": case "n": select(cur < 0 ? 0 : Math.min(stops.length - 1, cur + 1), !drawer.classList.contains("hidden")); break;
      case "k": case "p": select(cur < 0 ? 0 : Math.max(0, cur - 1), !drawer.classList.contains("hidden")); break;
      case "Enter":
        if (tag === "BUTTON" || tag === "A" || tag === "SUMMARY") return;
        if (tag === "MARK") pick(t);
        else if (cur >= 0) open(drawer.classList.contains("hidden"));
        else select(0, true);
        break;
      case "Escape": open(false); break;
      default: return;
    }
    e.preventDefault();
  });

  var toggle = $("bp-toggle");
  if (toggle) toggle.addEventListener("click", function () {
    var hide = toggle.getAttribute("aria-pressed") !== "true";
    toggle.setAttribute("aria-pressed", hide ? "true" : "false");
    toggle.textContent = hide ? "Show boilerplate" : "Hide boilerplate";
    Array.prototype.forEach.call(document.querySelectorAll("details.bp"), function (d) { d.open = !hide; });
  });

  // Print everything: collapsed boilerplate too.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details.bp"), function (d) { d.open = true; });
  });
})();
