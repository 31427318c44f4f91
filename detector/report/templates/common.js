  var BIDI = {"\u061c": "ALM", "\u200e": "LRM", "\u200f": "RLM", "\u202a": "LRE", "\u202b": "RLE", "\u202c": "PDF",
    "\u202d": "LRO", "\u202e": "RLO", "\u2066": "LRI", "\u2067": "RLI", "\u2068": "FSI", "\u2069": "PDI"};
  var INVISIBLE = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;
  // Append untrusted text as text nodes; bidi controls are isolated and named, C0 controls drawn (as in html.py).
  function vis(parent, text) {
    text = text == null ? "" : String(text);
    var last = 0, m;
    INVISIBLE.lastIndex = 0;
    while ((m = INVISIBLE.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var ch = m[0], el;
      if (BIDI[ch]) { el = document.createElement("bdi"); el.className = "bidi"; el.setAttribute("data-c", BIDI[ch]); el.textContent = ch; }
      else {
        var code = ch.charCodeAt(0);
        el = document.createElement("span"); el.className = "cc";
        el.title = "U+" + ("000" + code.toString(16).toUpperCase()).slice(-4);
        el.textContent = String.fromCharCode(code < 32 ? 0x2400 + code : 0x2421);
      }
      parent.appendChild(el);
      last = m.index + 1;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
    return parent;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) vis(e, text);
    return e;
  }
  function pct(x) { return x == null ? "\u2014" : (x * 100).toFixed(1) + "%"; }
  function bar(x) {
    var b = el("span", "bar"), i = document.createElement("i");
    i.style.width = (Math.max(0, Math.min(1, x || 0)) * 100).toFixed(1) + "%";
    b.appendChild(i);
    return b;
  }
  // Highlighted text as <mark> runs; line breaks (with their indentation) stay unpainted, as in the page text.
  function marked(cls, text) {
    var box = document.createElement("span");
    String(text == null ? "" : text).split(/(\s*\n\s*)/).forEach(function (part, i) {
      if (!part) return;
      if (i % 2) box.appendChild(document.createTextNode(part));
      else box.appendChild(el("mark", cls, part));
    });
    return box;
  }
