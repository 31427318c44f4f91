(function () {
  "use strict";
{% include "common.js" %}
{% include "review.js" %}
  var DATA = JSON.parse(document.getElementById("data").textContent);
  var stops = DATA.stops;
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
    vis($("d-rtitle"), "Source: " + s.src);
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
    markFinding(s.f);
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

  // --- review: decide each finding (buttons, or f/b to move and c/d/a/u to decide) ---------------
  var cards = Array.prototype.slice.call(document.querySelectorAll("#findings .finding[data-fingerprint]"));
  var curF = -1;
  function fpOf(card) { return card.getAttribute("data-fingerprint"); }
  function known(fp) { return cards.some(function (c) { return fpOf(c) === fp; }); }

  function paint(map) {
    var decided = 0;
    cards.forEach(function (card) {
      var entry = map[fpOf(card)], status = entry ? entry.decision : null;
      if (status) decided++;
      ["confirmed", "dismissed", "allowed"].forEach(function (d) { card.classList.toggle("dec-" + d, d === status); });
      Array.prototype.forEach.call(card.querySelectorAll("button[data-decision]"), function (b) {
        b.setAttribute("aria-pressed", b.getAttribute("data-decision") === status ? "true" : "false");
      });
      card.querySelector(".dec-badge").textContent = status ? STATUS_LABEL[status] : "";
      var note = card.querySelector("input.note");
      note.classList.toggle("hidden", !status);
      if (document.activeElement !== note) note.value = entry && entry.note ? entry.note : "";
      var printed = card.querySelector(".note-print");
      printed.textContent = "";
      if (entry && entry.note) vis(printed, "note: " + entry.note);
    });
    var count = $("review-count");
    if (count) count.textContent = decided + " of " + cards.length + " finding" + (cards.length === 1 ? "" : "s") +
      " decided." + storageNote();
  }

  function markFinding(i) {
    if (i == null || i < 0 || i >= cards.length) return;
    if (curF >= 0 && cards[curF]) cards[curF].classList.remove("cur-f");
    curF = i;
    cards[i].classList.add("cur-f");
    cards[i].scrollIntoView({block: "nearest"});
  }

  // Make a finding current and show its first place in the text (its passages or occurrences).
  function goFinding(i) {
    if (!cards.length) return;
    i = Math.max(0, Math.min(cards.length - 1, i));
    for (var k = 0; k < stops.length; k++) {
      if (stops[k].f === i) { select(k, !drawer.classList.contains("hidden")); break; }
    }
    markFinding(i);
  }

  function decideCard(card, status) {
    var fp = fpOf(card), map = readReview();
    var now = map[fp] ? map[fp].decision : null;
    paint(decide(fp, status === now ? null : status, card.getAttribute("data-kind"), DATA.uri));
  }

  cards.forEach(function (card, i) {
    Array.prototype.forEach.call(card.querySelectorAll("button[data-decision]"), function (b) {
      b.addEventListener("click", function () { markFinding(i); decideCard(card, b.getAttribute("data-decision")); });
    });
    var note = card.querySelector("input.note"), timer = 0;
    function save() { clearTimeout(timer); paint(setNote(fpOf(card), note.value.trim())); }
    note.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(save, 400); });
    note.addEventListener("change", save);
    note.addEventListener("keydown", function (e) { if (e.key === "Escape" || e.key === "Enter") { save(); note.blur(); e.preventDefault(); } });
    card.addEventListener("click", function (e) {
      if (!(e.target.closest && e.target.closest("button, a, input"))) markFinding(i);
    });
  });
  if (cards.length) { wireReview(known, paint); paint(readReview()); }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target, tag = t && t.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
    if (cards.length) {
      var here = curF < 0 ? 0 : curF, status = {c: "confirmed", d: "dismissed", a: "allowed"}[e.key];
      if (e.key === "f" || e.key === "b") { goFinding(curF < 0 ? 0 : here + (e.key === "f" ? 1 : -1)); e.preventDefault(); return; }
      if (status || e.key === "u" || e.key === "e") {
        markFinding(here);
        if (status) decideCard(cards[here], status);
        else if (e.key === "u") paint(decide(fpOf(cards[here]), null));
        else {
          var note = cards[here].querySelector("input.note");
          if (!note.classList.contains("hidden")) note.focus();
        }
        e.preventDefault();
        return;
      }
    }
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
