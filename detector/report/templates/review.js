  // Review decisions (CONTRACT.md "Review decisions"), shared by the index and the page reports.
  // The review is kept in localStorage as a decisions file, validated against the contract's schema
  // whenever it is read (storage, like an imported file, is input); until the reviewer decides
  // anything it is review.init, the decisions this report was rendered with.
  var REVIEW = JSON.parse(document.getElementById("data").textContent).review;
  var SCHEMA = REVIEW.schema, FIELDS = ["fingerprint", "decision", "kind", "uri", "note", "by", "at"];
  var STATUS_LABEL = {confirmed: "confirmed", dismissed: "dismissed", allowed: "allowed \u00b7 info"};
  var IMPORT_LIMIT = 20 * 1024 * 1024;
  var memory = null;  // the review when localStorage is unavailable (some browsers on file://)
  var storageOk = true;

  function own(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
  var TYPES = {
    object: function (v) { return v !== null && typeof v === "object" && !Array.isArray(v); },
    array: function (v) { return Array.isArray(v); },
    string: function (v) { return typeof v === "string"; },
    "boolean": function (v) { return typeof v === "boolean"; },
    "null": function (v) { return v === null; }
  };
  // The keywords the decisions schema uses, checked as detector/decisions.py checks them (same messages).
  function schemaErrors(value, schema, where) {
    var at = where || "the file", errors = [];
    if (own(schema, "type") && !TYPES[schema.type](value))
      return [at + ": must be " + (/^[ao]/.test(schema.type) ? "an " : "a ") + schema.type];
    if (own(schema, "const") && value !== schema["const"]) return [at + ": must be " + JSON.stringify(schema["const"])];
    if (own(schema, "enum") && schema["enum"].indexOf(value) < 0) return [at + ": must be one of " + schema["enum"].join(", ")];
    if (own(schema, "minLength") && typeof value === "string" && Array.from(value).length < schema.minLength)
      return [at + ": must not be empty"];
    if (TYPES.object(value)) {
      Object.keys(schema.properties || {}).forEach(function (k) {
        if (own(value, k)) errors = errors.concat(schemaErrors(value[k], schema.properties[k], where ? where + "." + k : k));
      });
      (schema.required || []).forEach(function (k) { if (!own(value, k)) errors.push(at + ": " + JSON.stringify(k) + " is missing"); });
    }
    if (Array.isArray(value) && schema.items)
      value.forEach(function (item, i) { errors = errors.concat(schemaErrors(item, schema.items, where + "[" + i + "]")); });
    return errors;
  }

  function clean(d) {
    var out = {};
    FIELDS.forEach(function (k) { if (typeof d[k] === "string") out[k] = d[k]; });
    return out;
  }
  function toMap(decisions) {
    var map = Object.create(null);  // no prototype: a fingerprint such as "__proto__" is just a key
    decisions.forEach(function (d) { map[d.fingerprint] = clean(d); });
    return map;
  }
  function readReview() {
    var raw = null, file = null;
    try { raw = window.localStorage.getItem(REVIEW.key); } catch (e) { storageOk = false; }
    if (raw != null) {
      try { file = JSON.parse(raw); } catch (e) { file = null; }
      if (file !== null && schemaErrors(file, SCHEMA, "").length) file = null;  // damaged: start again
    }
    if (file === null) file = memory || {decisions: REVIEW.init};
    return toMap(file.decisions);
  }
  function reviewFile(map) {
    var list = Object.keys(map).map(function (k) { return map[k]; });
    list.sort(function (a, b) {
      var x = a.uri || "", y = b.uri || "";
      return x < y ? -1 : x > y ? 1 : a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0;
    });
    return {schema: SCHEMA.properties.schema["const"], decisions: list};
  }
  function writeReview(map) {
    memory = reviewFile(map);
    try { window.localStorage.setItem(REVIEW.key, JSON.stringify(memory)); } catch (e) { storageOk = false; }
  }
  function now() { return new Date().toISOString().replace(/\.\d+Z$/, "Z"); }

  // Decide (or, with status null, undecide) a finding; returns the new review.
  function decide(fp, status, kind, uri) {
    var map = readReview(), old = map[fp];
    if (!status) delete map[fp];
    else {
      var entry = {fingerprint: fp, decision: status};
      if (kind) entry.kind = kind;
      if (uri) entry.uri = uri;
      if (old && old.note) entry.note = old.note;
      entry.at = now();
      map[fp] = entry;
    }
    writeReview(map);
    return map;
  }
  function setNote(fp, note) {
    var map = readReview(), entry = map[fp];
    if (!entry || (entry.note || "") === note) return map;
    if (note) entry.note = note; else delete entry.note;
    entry.at = now();
    writeReview(map);
    return map;
  }

  function say(text) {
    var box = document.getElementById("review-msg");
    if (box) { box.textContent = ""; vis(box, text); }
  }
  function exportReview() {
    var file = reviewFile(readReview());
    var blob = new Blob([JSON.stringify(file, null, 2) + "\n"], {type: "application/json"});
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "decisions.json";
    a.rel = "noopener";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.parentNode.removeChild(a); }, 1000);
    say("Exported " + file.decisions.length + " decision" + (file.decisions.length === 1 ? "" : "s") +
      " as decisions.json. Commit it beside your pages; scan, check and report read it with --decisions.");
  }
  // Read a decisions file the reviewer picked; refuse it whole unless it matches the schema.
  function importReview(input, known, after) {
    var file = input.files && input.files[0];
    if (!file) return;
    if (file.size > IMPORT_LIMIT) { say("Not imported: the file is larger than 20 MB."); input.value = ""; return; }
    var reader = new FileReader();
    reader.onload = function () {
      input.value = "";
      var data;
      try { data = JSON.parse(String(reader.result)); } catch (e) { say("Not imported: not a JSON file (" + e.message + ")."); return; }
      var errors = schemaErrors(data, SCHEMA, "");
      if (errors.length) {
        say("Not imported: not a detector decisions file: " + errors[0] + (errors.length > 1 ? " (and " + (errors.length - 1) + " more)" : "") + ".");
        return;
      }
      var map = readReview(), here = 0;
      data.decisions.forEach(function (d) { map[d.fingerprint] = clean(d); if (known(d.fingerprint)) here++; });
      writeReview(map);
      say("Imported " + data.decisions.length + " decision" + (data.decisions.length === 1 ? "" : "s") + ", " + here + " for findings in this report.");
      after(map);
    };
    reader.onerror = function () { input.value = ""; say("Not imported: the file cannot be read."); };
    reader.readAsText(file);
  }
  function wireReview(known, after) {
    Array.prototype.forEach.call(document.querySelectorAll('[data-action="export-decisions"]'), function (b) {
      b.addEventListener("click", exportReview);
    });
    var input = document.getElementById("import-file");
    Array.prototype.forEach.call(document.querySelectorAll('[data-action="import-decisions"]'), function (b) {
      b.addEventListener("click", function () { input.click(); });
    });
    input.addEventListener("change", function () { importReview(input, known, after); });
    window.addEventListener("storage", function (e) { if (e.key === REVIEW.key || e.key === null) after(readReview()); });
    window.addEventListener("pageshow", function () { after(readReview()); });
  }
  function storageNote() {
    return storageOk ? "" : " This browser keeps no decisions for files opened from disk: export them before closing.";
  }
