(function () {
  "use strict";
{% include "common.js" %}
{% include "review.js" %}
  var RANKS = ["none", "info", "low", "medium", "high", "error"];
  var PER_PAGE = 100;
  var data = JSON.parse(document.getElementById("data").textContent);
  var rows = data.rows;
  var st = {q: "", kind: "", sev: "", site: "", review: "", col: "w", dir: -1, pg: 0};
  var $ = function (id) { return document.getElementById(id); };
  var tbody = $("rows"), q = $("q"), fKind = $("f-kind"), fSev = $("f-sev"), fSite = $("f-site"), fReview = $("f-review");

  rows.forEach(function (r, i) {
    r.i = i;
    r.lq = [r.u, r.t, r.s, r.n, r.x].join("\n").toLowerCase();
    r.ks = r.k.join(" ");
  });

  // Each page's decisions: r = undecided findings, rc/rd/ra = confirmed, dismissed, allowed.
  var allFp = Object.create(null);
  rows.forEach(function (r) { r.f.forEach(function (fp) { allFp[fp] = true; }); });
  function recount(map) {
    var decided = 0, total = 0;
    rows.forEach(function (r) {
      r.rc = r.rd = r.ra = 0;
      r.f.forEach(function (fp) {
        var d = map[fp] ? map[fp].decision : null;
        if (d === "confirmed") r.rc++; else if (d === "dismissed") r.rd++; else if (d === "allowed") r.ra++;
      });
      r.r = r.f.length - r.rc - r.rd - r.ra;
      decided += r.f.length - r.r;
      total += r.f.length;
    });
    $("decided").textContent = decided + " / " + total;
    var count = $("review-count");
    if (count) {
      var stale = Object.keys(map).filter(function (fp) { return !allFp[fp]; }).length;
      count.textContent = decided + " of " + total + " findings decided." +
        (stale ? " " + stale + " more decision" + (stale === 1 ? "" : "s") + " for findings not in this report (kept in the export)." : "") + storageNote();
    }
  }

  function cmp(a, b) {
    var c = st.col, x = a[c], y = b[c], d = 0;
    if (c === "k") { x = a.ks; y = b.ks; }
    if (x == null && y != null) d = -1;
    else if (y == null && x != null) d = 1;
    else if (x < y) d = -1;
    else if (x > y) d = 1;
    d *= st.dir;
    if (d === 0) d = a.u < b.u ? -1 : a.u > b.u ? 1 : a.i - b.i;
    return d;
  }

  function keep(r, terms) {
    if (st.kind === "none") { if (r.k.length || r.e != null) return false; }
    else if (st.kind && r.k.indexOf(st.kind) < 0) return false;
    if (st.sev && RANKS[r.w] !== st.sev) return false;
    if (st.site && r.s !== st.site) return false;
    if (st.review === "undecided" && !r.r) return false;
    if (st.review === "decided" && (r.r || !r.f.length)) return false;
    if (st.review === "dismissed" && !r.rd) return false;
    for (var i = 0; i < terms.length; i++) if (r.lq.indexOf(terms[i]) < 0) return false;
    return true;
  }

  function cell(tr, cls, txt) { var td = el("td", cls, txt); tr.appendChild(td); return td; }

  function renderRow(r) {
    var tr = document.createElement("tr");
    var a = el("a", "", r.u);
    a.href = r.h;
    cell(tr, "").appendChild(a);
    cell(tr, "", r.t);
    var site = cell(tr, "", r.s);
    if (r.n) { site.appendChild(document.createTextNode(" ")); site.appendChild(el("span", "muted small", "(" + r.n + ")")); }
    var w = RANKS[r.w];
    cell(tr, "").appendChild(el("span", "sev sev-" + w, w));
    var kinds = cell(tr, "");
    if (r.e != null) kinds.appendChild(el("span", "err small", "error: " + r.e));
    r.k.forEach(function (k) { kinds.appendChild(el("span", "chip kind-" + k, k)); });
    var cov = cell(tr, "");
    if (r.c != null) cov.setAttribute("data-label", "top source");
    if (r.c != null) { cov.appendChild(bar(r.c)); cov.appendChild(document.createTextNode(pct(r.c))); }
    var rv = cell(tr, "review-cell");
    if (r.f.length) {
      rv.setAttribute("data-label", "review");
      [["rc", "confirmed"], ["rd", "dismissed"], ["ra", "allowed"]].forEach(function (p) {
        if (r[p[0]]) rv.appendChild(el("span", "rv rv-" + p[1], r[p[0]] + " " + p[1]));
      });
      rv.appendChild(el("span", r.r ? "rv rv-open" : "rv rv-done", r.r ? r.r + " undecided" : "all decided"));
    }
    return tr;
  }

  function writeHash() {
    var p = [];
    ["q", "kind", "sev", "site", "review", "col", "dir", "pg"].forEach(function (k) {
      var v = st[k];
      if (v !== "" && !(k === "col" && v === "w") && !(k === "dir" && v === -1) && !(k === "pg" && v === 0))
        p.push(k + "=" + encodeURIComponent(v));
    });
    try { history.replaceState(null, "", p.length ? "#" + p.join("&") : location.pathname); } catch (e) { /* file:// in some browsers */ }
  }

  function readHash() {
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i < 0) return;
      var k = kv.slice(0, i), v;
      try { v = decodeURIComponent(kv.slice(i + 1)); } catch (e) { return; }
      if (k === "dir" || k === "pg") v = parseInt(v, 10) || 0;
      if (k in st) st[k] = v;
    });
    if (st.dir !== 1) st.dir = -1;
    if (["u", "t", "s", "w", "k", "c", "r"].indexOf(st.col) < 0) st.col = "w";
    if (["", "undecided", "decided", "dismissed"].indexOf(st.review) < 0) st.review = "";
  }

  function render() {
    var terms = st.q.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = rows.filter(function (r) { return keep(r, terms); }).sort(cmp);
    var pages = Math.max(1, Math.ceil(shown.length / PER_PAGE));
    st.pg = Math.max(0, Math.min(st.pg, pages - 1));
    var frag = document.createDocumentFragment();
    shown.slice(st.pg * PER_PAGE, (st.pg + 1) * PER_PAGE).forEach(function (r) { frag.appendChild(renderRow(r)); });
    tbody.textContent = "";
    if (!shown.length) { var tr = document.createElement("tr"); var td = el("td", "muted", "No page matches."); td.colSpan = 7; tr.appendChild(td); frag.appendChild(tr); }
    tbody.appendChild(frag);
    $("count").textContent = shown.length + " of " + rows.length + " pages";
    $("pageinfo").textContent = "page " + (st.pg + 1) + " of " + pages;
    $("prev").disabled = st.pg === 0;
    $("next").disabled = st.pg >= pages - 1;
    Array.prototype.forEach.call(document.querySelectorAll("#pages th[data-col]"), function (th) {
      th.setAttribute("aria-sort", th.getAttribute("data-col") === st.col ? (st.dir > 0 ? "ascending" : "descending") : "none");
    });
    q.value = st.q; fKind.value = st.kind; fSev.value = st.sev; fSite.value = st.site; fReview.value = st.review;
    $("sort").value = st.col + ":" + st.dir;
    writeHash();
  }

  function set(k, v) { st[k] = v; st.pg = 0; render(); }

  var timer = 0;
  q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { set("q", q.value); }, 120); });
  fKind.addEventListener("change", function () { set("kind", fKind.value); });
  fSev.addEventListener("change", function () { set("sev", fSev.value); });
  fSite.addEventListener("change", function () { set("site", fSite.value); });
  fReview.addEventListener("change", function () { set("review", fReview.value); });
  $("sort").addEventListener("change", function () {
    var v = $("sort").value.split(":");
    st.col = v[0]; st.dir = parseInt(v[1], 10); st.pg = 0; render();
  });
  $("reset").addEventListener("click", function () { st.q = ""; st.kind = ""; st.sev = ""; st.site = ""; st.review = ""; st.col = "w"; st.dir = -1; st.pg = 0; render(); });
  $("prev").addEventListener("click", function () { st.pg--; render(); });
  $("next").addEventListener("click", function () { st.pg++; render(); });
  Array.prototype.forEach.call(document.querySelectorAll("#pages th[data-col] button"), function (b) {
    b.addEventListener("click", function () {
      var c = b.parentNode.getAttribute("data-col");
      if (st.col === c) st.dir = -st.dir; else { st.col = c; st.dir = (c === "w" || c === "c" || c === "r") ? -1 : 1; }
      st.pg = 0; render();
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".counts button"), function (b) {
    b.addEventListener("click", function () {
      if (b.hasAttribute("data-kind")) { st.kind = b.getAttribute("data-kind"); st.sev = ""; }
      else { st.sev = b.getAttribute("data-sev"); st.kind = ""; }
      st.pg = 0; render();
      $("pages-h").scrollIntoView();
    });
  });

  // Sites: each site's pages from most to least duplicated, rendered when opened, 200 at a time.
  Array.prototype.forEach.call(document.querySelectorAll(".sites details"), function (d) {
    d.addEventListener("toggle", function () {
      if (!d.open || d.getAttribute("data-done")) return;
      d.setAttribute("data-done", "1");
      var site = data.sites[parseInt(d.getAttribute("data-si"), 10)];
      var list = rows.filter(function (r) { return r.s === site; }).sort(function (a, b) {
        var x = a.d == null ? -1 : a.d, y = b.d == null ? -1 : b.d;
        return y - x || (a.u < b.u ? -1 : a.u > b.u ? 1 : 0);
      });
      var ol = d.querySelector("ol"), n = 0;
      function more() {
        var frag = document.createDocumentFragment();
        list.slice(n, n + 200).forEach(function (r) {
          var li = document.createElement("li");
          li.appendChild(bar(r.d));
          var a = el("a", "", r.u); a.href = r.h; li.appendChild(a);
          var txt = r.d == null ? " \u2014 no content figures" : " \u2014 duplicated " + pct(r.d);
          if (r.ct) txt += " (unique " + pct(r.ct.unique) + ", shared " + pct(r.ct.shared) + ", copied " + pct(r.ct.copied) + ")";
          li.appendChild(el("span", "muted small", txt));
          frag.appendChild(li);
        });
        n += 200;
        ol.appendChild(frag);
        var old = d.querySelector("button.more");
        if (old) old.parentNode.removeChild(old);
        if (n < list.length) {
          var btn = el("button", "btn more", "Show more (" + (list.length - n) + " left)");
          btn.type = "button"; btn.addEventListener("click", more); d.appendChild(btn);
        }
      }
      more();
    });
  });

  readHash();
  recount(readReview());
  if ($("review")) wireReview(function (fp) { return !!allFp[fp]; }, function (map) { recount(map); render(); });
  render();
})();
