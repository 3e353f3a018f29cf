/*
 * alloy-py loader: a drop-in for alloy.js.
 *
 * Keep alloy's base code on the page and load this script where alloy.js
 * would go. It starts Pyodide with alloy_py from the folder it lives in, and
 * until Python is ready it records facts, never decisions:
 *
 *  - every command call, with the moment and the page it was made on;
 *  - every click (capture phase), with what click collection reads of it;
 *  - when a queued configure has a prehidingStyle and a queued sendEvent
 *    renders decisions, it inserts that style (id "alloy-prehiding") at the
 *    moment alloy.js would, and Python owns it from then on;
 *  - when the visitor leaves or hides the page before Python is ready, the
 *    calls still waiting go to localStorage (the durable queue: see
 *    alloy_py/startup.py for the format), unless consent is out or pending.
 *
 * Once Python is up it hands everything over, in order, and later calls go
 * straight to Python. If Pyodide cannot start (a CSP without
 * 'wasm-unsafe-eval', a missing file, a timeout), the prehiding style is
 * removed and every queued and later call rejects with a message that says why.
 *
 * Pyodide starts from a memory snapshot of an interpreter that has already
 * imported alloy_py (pyodide/snapshot-*.bin, made by `make web`). If that
 * fails for any reason, it boots the normal way in the same page (one
 * console warning): CPython starts and imports alloy_py from its zip.
 *
 * Options, as attributes of this script tag:
 *   data-boot-timeout="30000"  milliseconds to wait for Pyodide before giving up
 *   data-snapshot="off"        do not use the memory snapshot
 *   data-debug                 window.__alloyPy.pyodide is the interpreter (tests, diagnostics)
 */
(function () {
  "use strict";
  var script = loaderScript();
  var own = script ? script.src : moduleUrl();
  var base = own ? new URL(".", own).href : null; // the folder everything else is fetched from
  // Pyodide's folder: "pyodide/" in web/dist, "pyodide-<version>/" in make dist's folder.
  var RUNTIME = "__ALLOY_PY_RUNTIME__";
  var ZIP = "__ALLOY_PY_ZIP__";
  var SNAPSHOT = RUNTIME + "__ALLOY_PY_SNAPSHOT__";
  var SNAPSHOT_LENGTH = __ALLOY_PY_SNAPSHOT_LENGTH__;  // bytes, once expanded
  var STDLIB = "python_stdlib_pyc.zip";
  // Every file the boot fetches, with its SRI digest, baked in at build time (tools/build_web.py):
  // a file that is not the one this loader was built with is refused, so an integrity attribute on
  // this script tag covers the whole chain.
  var INTEGRITY = __ALLOY_PY_INTEGRITY__;
  var PREHIDING_ID = "alloy-prehiding";
  var STORE_PREFIX = "alloy-py.queue.";
  var MAX_CALLS = 100;
  var MAX_CALL_CHARS = 64 * 1024;
  var MAX_CLICK_NODES = 500;
  // Never kept for the next page (alloy_py/startup.py NOT_REPLAYED, PAGE_RULES; a test compares).
  var NOT_KEPT = ["configure", "getIdentity", "appendIdentityToUrl", "getLibraryInfo", "createEventMergeId",
    "getMediaAnalyticsTracker", "applyPropositions", "applyResponse", "evaluateRulesets", "subscribeRulesetItems",
    "sendConversationEvent"];
  var PAGE_RULES = ["onBeforeEventSend", "onBeforeLinkClickSend", "filterClickDetails"];
  var timeoutMs = Number(script && script.getAttribute("data-boot-timeout")) || 30000;
  var useSnapshot = !script || script.getAttribute("data-snapshot") !== "off";
  var debug = !!script && script.hasAttribute("data-debug");
  // The durable queue (docs/security.md): "on" (the default), "off" (nothing stored, and what
  // earlier pages stored is removed unread), "consent" (stored only for a visitor whose consent
  // cookie says "in"). Anything else is taken as "off", with a warning: never stored by mistake.
  var durable = script && script.getAttribute("data-durable");
  if (durable === null || durable === "") durable = "on";
  if (["on", "off", "consent"].indexOf(durable) < 0) {
    console.warn('alloy-py: data-durable must be "on", "off" or "consent", not "' + durable
      + '": nothing is stored for the next page.');
    durable = "off";
  }
  // All records together stay well below the origin's storage quota (5 MB in most browsers):
  // the oldest records of any page are dropped first to make room.
  var MAX_STORED_CHARS = 1000000;
  var MAX_RECORDS = 20;
  var names = window.__alloyNS || [];
  var pageId = newId();
  var journal = [];   // {kind: "command", name, call, facts} | {kind: "click", facts, path, overlay}, in order
  var deliver = null; // set once Python is up, or failed to start
  var storedKeys = {};
  var python = null;  // the bridge, once Python is up
  var handed = [];    // what the journal held when Python took over
  var hiding = false;  // this script inserted the prehiding style
  var left = false;    // pagehide was seen

  // The <script> element running this file, read through Document.prototype's getter: markup
  // such as <img name="currentScript"> shadows document.currentScript, and must not choose the
  // folder Pyodide and the snapshot come from.
  function loaderScript() {
    var getter = Object.getOwnPropertyDescriptor(Document.prototype, "currentScript");
    var current = getter && getter.get ? getter.get.call(document) : null;
    return current instanceof HTMLScriptElement && current.src ? current : null;
  }

  // Loaded as an ES module (import("./alloy.min.js"), <script type="module">) there is no current
  // script, and a classic script cannot say import.meta: this file's URL is the first one in the
  // stack of an error thrown here (V8, SpiderMonkey and JavaScriptCore all write it).
  function moduleUrl() {
    var stack = "";
    try { throw new Error("where"); } catch (error) { stack = String(error.stack || ""); }
    var found = /(?:https?|file):\/\/[^\s()]+?(?=:\d+:\d+)/.exec(stack);
    return found ? found[0] : null;
  }

  function mark(name) {
    try { performance.mark("alloy-py:" + name); } catch (e) { /* old browsers */ }
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 15) | 64;
    bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // ------------------------------------------------------------------ facts
  function pageFacts() {
    var root = document.documentElement;
    var type = screen.orientation && screen.orientation.type;
    var orientation = typeof type === "string" ? type.split("-")[0] : null;
    if (orientation !== "portrait" && orientation !== "landscape") {
      orientation = window.matchMedia && matchMedia("(orientation: portrait)").matches ? "portrait"
        : window.matchMedia && matchMedia("(orientation: landscape)").matches ? "landscape" : null;
    }
    return {
      href: location.href, referrer: document.referrer,
      screenWidth: screen.width, screenHeight: screen.height, orientation: orientation,
      viewportWidth: root ? root.clientWidth : null, viewportHeight: root ? root.clientHeight : null
    };
  }

  // What a stored record keeps of a URL: no fragment (OAuth's #access_token=…), no credentials.
  // The event replayed on the next page carries that; alloy.js, which loses the event, sends the
  // whole href on its own page.
  function storedUrl(url) {
    if (!url) return url;
    try {
      var parsed = new URL(url);
      parsed.hash = "";
      parsed.username = "";
      parsed.password = "";
      return parsed.href;
    } catch (e) { return ""; }
  }

  function storedPage(page) {
    var copy = {};
    for (var key in page) copy[key] = page[key];
    copy.href = storedUrl(page.href);
    copy.referrer = storedUrl(page.referrer);
    return copy;
  }

  function callFacts(page) {
    return { id: newId(), time: Date.now(), page: page || pageFacts() };
  }

  function optionsOf(entry) {
    var options = entry.call && entry.call[2] && entry.call[2][1];
    return options && typeof options === "object" ? options : {};
  }

  function commandOf(entry) {
    return entry.call && entry.call[2] && entry.call[2][0];
  }

  function read(object, key) {
    try { return object[key]; } catch (e) { return undefined; } // a throwing getter is Python's to report
  }

  // ------------------------------------------------------------------ queue
  function record(entry) {
    if (deliver) { deliver(entry); return; }
    journal.push(entry);
    if (entry.kind === "command") prehide();
  }

  function adopt(name) {
    var fn = window[name];
    if (!fn || !Array.isArray(fn.q)) return;
    var queue = fn.q;
    var page = pageFacts();
    queue.splice(0).forEach(function (call) { // made before this script ran: their moment is now
      record({ kind: "command", name: name, call: call, facts: callFacts(page) });
    });
    queue.push = function (call) {
      record({ kind: "command", name: name, call: call, facts: callFacts() });
      return queue.length;
    };
  }

  // ------------------------------------------------------------------ clicks
  // The nodes from the clicked one up to the document; the subtrees of those
  // that may be the link. Python's ActivityCollector decides what it means.
  function describe(node, budget, withTree) {
    var described = { n: node.nodeName };
    if (node.nodeType === 3) { described.v = node.nodeValue; return described; }
    if (node.nodeType !== 1) return described;
    var href = node.href;
    described.f = {
      href: typeof href === "string" ? href : null, protocol: typeof node.protocol === "string" ? node.protocol : "",
      onclick: !!node.onclick, type: typeof node.type === "string" ? node.type : "",
      src: typeof node.src === "string" ? node.src : "", download: !!node.download,
      id: typeof node.id === "string" ? node.id : ""
    };
    if (!withTree) return described;
    var text = node.innerText;
    described.t = typeof text === "string" && text ? text : node.textContent || "";
    described.a = {};
    ["alt", "title", "value", "src", "aria-label", "name"].forEach(function (name) {
      var value = node.getAttribute(name);
      if (value !== null) described.a[name] = value;
    });
    described.c = [];
    for (var child = node.firstChild; child && budget.left > 0; child = child.nextSibling) {
      budget.left -= 1;
      described.c.push(describe(child, budget, true));
    }
    return described;
  }

  function mayBeLink(node) {
    return node.nodeType === 1 && (/^(A|AREA|BUTTON|INPUT)$/.test(node.nodeName) || !!node.onclick);
  }

  function onClick(event) {
    if (deliver || event.s_fe) return; // Python listens itself once it is up; AppMeasurement re-dispatches
    try {
      var path = event.composedPath ? event.composedPath() : [];
      var node = path.length ? path[0] : event.target;
      var nodes = [];
      var budget = { left: MAX_CLICK_NODES };
      for (; node; node = node.parentNode) nodes.push(describe(node, budget, mayBeLink(node)));
      record({
        kind: "click", facts: callFacts(), path: nodes,
        overlay: !!document.getElementById("cppXYctnr")
      });
    } catch (e) { /* never break the page's click */ }
  }

  // ------------------------------------------------------------------ prehiding
  // alloy.js hides when a sendEvent that renders decisions is processed; here
  // that is the moment such a call and its instance's configure are both queued.
  function rendersDecisions(entry) {
    return entry.kind === "command" && commandOf(entry) === "sendEvent" && read(optionsOf(entry), "renderDecisions") === true;
  }

  function prehide() {
    if (!hiding) {
      names.forEach(function (name) {
        if (hiding || document.getElementById(PREHIDING_ID)) return; // the page's own snippet is alloy's business
        var own = journal.filter(function (entry) { return entry.kind === "command" && entry.name === name; });
        var configure = own.filter(function (entry) { return commandOf(entry) === "configure"; })[0];
        var style = configure && read(optionsOf(configure), "prehidingStyle");
        if (!own.some(rendersDecisions) || typeof style !== "string" || !style) return;
        if (consentCookie(read(optionsOf(configure), "orgId")) === "out") return; // alloy never hides then
        var node = document.createElement("style");
        node.id = PREHIDING_ID;
        var nonced = document.querySelector("[nonce]");
        var nonce = nonced && (nonced.nonce || nonced.getAttribute("nonce"));
        if (nonce) node.setAttribute("nonce", nonce); // as alloy's createNode (the browser hides its value)
        node.textContent = style;
        (document.head || document.documentElement).appendChild(node);
        configure.facts.hid = true; // a configure that fails must show the page again
        hiding = true;
        mark("prehiding");
      });
    }
    if (hiding) { // each call that would render is one after which Python makes sure the page shows
      journal.forEach(function (entry) { if (rendersDecisions(entry)) entry.facts.hid = true; });
    }
  }

  function unhide() {
    var node = document.getElementById(PREHIDING_ID);
    if (node && node.parentNode) node.parentNode.removeChild(node);
  }

  // ------------------------------------------------------------------ durable queue
  function cookie(name) {
    var found = null;
    document.cookie.split("; ").forEach(function (pair) {
      var at = pair.indexOf("=");
      var key = at < 0 ? pair : pair.slice(0, at);
      if (found === null && key === name) {
        try { found = decodeURIComponent(pair.slice(at + 1)); } catch (e) { found = pair.slice(at + 1); }
      }
    });
    return found;
  }

  // A queued setConsent that opts out (Adobe 1.0 general "out", 2.0 collect "n"): from then on
  // nothing of that instance is written for the next page.
  function declines(entry) {
    if (entry.kind !== "command" || commandOf(entry) !== "setConsent") return false;
    var consent = read(optionsOf(entry), "consent");
    return Array.isArray(consent) && consent.some(function (item) {
      var value = item && item.standard === "Adobe" && item.value;
      if (!value) return false;
      return item.version === "1.0" ? value.general === "out"
        : !!(value.collect && value.collect.val === "n");
    });
  }

  // "in", "out" or null: the general consent the Edge stored, as alloy reads it.
  function consentCookie(orgId) {
    if (typeof orgId !== "string") return null;
    var prefix = "kndctr_" + orgId.replace("@", "_") + "_";
    if (cookie(prefix + "identity") === null) return null; // alloy drops a consent cookie without identity
    var match = /(?:^|;)general=(in|out)(?:;|$)/.exec(cookie(prefix + "consent") || "");
    return match ? match[1] : null;
  }

  function serialize(value, callbacks) {
    return JSON.stringify(value === undefined ? null : value, function (key, item) {
      if (typeof item === "function") { callbacks.push(key); return undefined; }
      return item;
    });
  }

  // Before Python is up, every call still waiting is kept; once it is up, only
  // on pagehide, the recorded calls Python has not handed to the browser yet.
  function persist(state) {
    if (state === "left") left = true;
    if (durable === "off") return;
    if (left) state = "left"; // Chromium hides the page after pagehide: it stays left
    var waiting = null;
    if (python) {
      if (state !== "left") return; // hidden but alive: Python sends them itself
      waiting = {};
      try {
        python.leaving().forEach(function (id) { waiting[id] = true; });
      } catch (e) { return; }
    }
    var entries = handed.concat(journal).filter(function (entry) {
      return !waiting || waiting[entry.facts.id] || (entry.kind === "command" && commandOf(entry) === "configure");
    });
    names.forEach(function (name) {
      var configure = null;
      var kept = [];
      var dropped = { excess: 0, tooLarge: 0, unserializable: 0 };
      var chars = 0;  // of the entries kept: a record takes half the budget at most
      entries.forEach(function (entry) {
        if (entry.kind === "command" && entry.name !== name) return;
        if (entry.kind === "command" && commandOf(entry) === "configure" && !configure) { configure = entry; return; }
        if (!configure) return; // nothing of an instance counts before its configure
        if (entry.kind === "command" && NOT_KEPT.indexOf(commandOf(entry)) >= 0) return;
        var callbacks = [];
        var stored = { id: entry.facts.id, kind: entry.kind, time: entry.facts.time,
                       page: storedPage(entry.facts.page) };
        var text;
        try {
          if (entry.kind === "click") {
            stored.path = entry.path;
            stored.overlay = entry.overlay;
          } else {
            stored.command = commandOf(entry);
            stored.options = JSON.parse(serialize(optionsOf(entry), callbacks));
            stored.callbacks = callbacks;
          }
          text = JSON.stringify(stored);
        } catch (e) { dropped.unserializable += 1; return; }
        if (text.length > MAX_CALL_CHARS) { dropped.tooLarge += 1; return; }
        if (kept.length >= MAX_CALLS || chars + text.length > MAX_STORED_CHARS / 2) { dropped.excess += 1; return; }
        chars += text.length;
        kept.push({ entry: entry, stored: stored });
      });
      if (!configure) return;
      var options = optionsOf(configure);
      var consent = consentCookie(read(options, "orgId"));
      var fallback = read(options, "defaultConsent");
      if (consent === "out" || (consent === null && fallback !== undefined && fallback !== "in")) return;
      if (durable === "consent" && consent !== "in") return;
      var callbacks = [];
      var key = STORE_PREFIX + name + "." + pageId;
      try {
        var record = {
          v: 1, page: pageId, state: state, savedAt: Date.now(),
          configure: JSON.parse(serialize(options, callbacks)), callbacks: callbacks,
          dropped: dropped, entries: kept.map(function (item) { return item.stored; })
        };
        // What the page's own rules would have filtered cannot be replayed unfiltered: not kept.
        var ruled = callbacks.some(function (name) { return PAGE_RULES.indexOf(name) >= 0; });
        var declined = kept.some(function (item) { return declines(item.entry); });
        if (kept.length && !ruled && !declined) store(key, JSON.stringify(record));
        else localStorage.removeItem(key);
      } catch (e) { return; } // storage full or off: nothing more can be done
      storedKeys[key] = true;
      kept.forEach(function (item) { if (!python) item.entry.facts.storedIn = key; });
    });
  }

  function storedRecords() {
    var keys = [];
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (key && key.indexOf(STORE_PREFIX) === 0) keys.push(key);
    }
    return keys;
  }

  // Written within MAX_STORED_CHARS and MAX_RECORDS for all records together: the oldest
  // (by savedAt) of other pages go first.
  function store(key, text) {
    var total = text.length;
    var others = storedRecords().filter(function (other) { return other !== key; }).map(function (other) {
      var value = localStorage.getItem(other) || "";
      var saved = /"savedAt":(\d+)/.exec(value);
      total += value.length;
      return { key: other, size: value.length, savedAt: saved ? Number(saved[1]) : 0 };
    }).sort(function (a, b) { return a.savedAt - b.savedAt; });
    while (others.length && (total > MAX_STORED_CHARS || others.length + 1 > MAX_RECORDS)) {
      var oldest = others.shift();
      localStorage.removeItem(oldest.key);
      total -= oldest.size;
    }
    localStorage.setItem(key, text);
  }

  if (durable === "off") {
    try { storedRecords().forEach(function (key) { localStorage.removeItem(key); }); } catch (e) { /* no storage */ }
  }

  // ------------------------------------------------------------------ reading options
  // BEGIN readOptions (alloy_py/browser/bridge.py from_js; tests/core/test_json.py runs it in Node)
  // A call's options as JSON.stringify reads them, with functions and symbols
  // kept as marker objects. When JSON.stringify throws, an iterative walk copies
  // the value with cycles and BigInts replaced by markers (they fail only when
  // sent, as in alloy.js), or says where reading throws (path, message).
  function readOptions(value, fnKey, symKey, badKey, maxDepth) {
    var functions = [];
    var MAX_VALUES = 20000;
    function replacer(key, item) {
      var marker;
      if (typeof item === "function") {
        functions.push(item);
        marker = {};
        marker[fnKey] = functions.length - 1;
        return marker;
      }
      if (typeof item === "symbol") {
        marker = {};
        marker[symKey] = String(item);
        return marker;
      }
      return item;
    }
    function depthOf(text) {
      var depth = 0, deepest = 0, inString = false;
      for (var i = 0; i < text.length; i++) {
        var c = text.charCodeAt(i);
        if (inString) {
          if (c === 92) i++; else if (c === 34) inString = false;
        } else if (c === 34) inString = true;
        else if (c === 123 || c === 91) { if (++depth > deepest) deepest = depth; }
        else if (c === 125 || c === 93) depth--;
      }
      return deepest;
    }
    function name(key) {
      return typeof key === "number" ? "[" + key + "]" : /^[A-Za-z_$][\w$]*$/.test(key) ? "." + key : "[" + JSON.stringify(key) + "]";
    }
    function message(error) {
      try {
        if (error && typeof error.message === "string") return error.message;
        return String(error);
      } catch (e) { return "an error that cannot be shown"; }
    }
    function bad(text) {
      var marker = {};
      marker[badKey] = text;
      return marker;
    }
    // SerializeJSONProperty's reading (Get, toJSON), into a copy JSON.stringify can write.
    function copy(root, firstError) {
      var top = { "": root };
      var out = {};
      var stack = [{ holder: top, key: "", into: out, as: "", path: "", depth: 0, ancestors: [] }];
      var seen = 0;
      while (stack.length) {
        var at = stack.pop(), item, keys, array;
        if (++seen > MAX_VALUES) return { reason: "large", path: at.path };
        try {
          item = at.holder[at.key];
          if (item !== null && (typeof item === "object" || typeof item === "bigint") && typeof item.toJSON === "function") {
            item = item.toJSON(at.key);
          }
          if (typeof item === "bigint" || item instanceof BigInt) { at.into[at.as] = bad("Do not know how to serialize a BigInt"); continue; }
          if (item === null || typeof item !== "object" || item instanceof Number || item instanceof String || item instanceof Boolean) {
            at.into[at.as] = item;
            continue;
          }
          if (at.ancestors.indexOf(item) >= 0) {
            at.into[at.as] = bad(/circular/i.test(firstError) ? firstError : "Converting circular structure to JSON");
            continue;
          }
          if (at.depth >= maxDepth) return { reason: "deep", path: at.path };
          array = Array.isArray(item);
          keys = array ? null : Object.keys(item);
        } catch (error) {
          return { reason: "throws", path: at.path, message: message(error) };
        }
        var length = array ? item.length : keys.length;
        var into = array ? new Array(length) : {};
        at.into[at.as] = into;
        var ancestors = at.ancestors.concat([item]);
        for (var i = length - 1; i >= 0; i--) {
          var key = array ? String(i) : keys[i];
          stack.push({ holder: item, key: key, into: into, as: key, path: at.path + name(array ? i : key), depth: at.depth + 1, ancestors: ancestors });
        }
      }
      return { reason: null, value: out[""] };
    }
    var text, found;
    try {
      text = JSON.stringify(value === undefined ? null : value, replacer);
    } catch (error) {
      functions = [];
      found = copy(value, message(error));
      if (found.reason) { found.ok = false; return found; }
      try {
        text = JSON.stringify(found.value, replacer);
      } catch (again) {
        return { ok: false, reason: "throws", path: "", message: message(again) };
      }
    }
    if (text === undefined) text = "null";
    if (text.length > 2 * maxDepth && depthOf(text) > maxDepth) {
      found = copy(value, "");
      return { ok: false, reason: "deep", path: found.reason === "deep" ? found.path : "" };
    }
    return { ok: true, text: text, functions: functions };
  }
  // END readOptions

  // ------------------------------------------------------------------ boot
  // Start every download now, in parallel, instead of one after the other as Pyodide discovers
  // them. The two modules are preloaded with their integrity (the import() then takes the checked
  // module); the wasm is fetched here with its integrity and the response handed to Pyodide: a
  // preload "as fetch" would be matched by neither Firefox (to a fetch() with integrity: it
  // downloads twice) nor by anything that checks it (Chromium ignores its integrity). The zips of a
  // normal boot are fetched at once by normal(); a snapshot boot needs neither before the restore.
  // The links leave the page once Python is up (or could not start): the site's <head> is its own.
  function preload() {
    var head = document.head || document.documentElement;
    return ["pyodide.mjs", "pyodide.asm.mjs"].map(function (name) {
      var link = document.createElement("link");
      link.rel = "modulepreload";
      link.href = base + RUNTIME + name;
      link.integrity = INTEGRITY[RUNTIME + name];
      head.appendChild(link);
      return link;
    });
  }

  function boot() {
    // Where alloy_py's zip lives in Pyodide's file system (on sys.path through
    // PYTHONPATH), and Pyodide's own stdlib zip: the same in the snapshot.
    var ZIP_PATH = "/lib/alloy_py.zip";
    var STDLIB_PATH = "/lib/python314.zip";
    // No package is loaded at boot: an inline lock file saves fetching Pyodide's.
    var LOCK = { info: __ALLOY_PY_LOCK_INFO__, packages: {} };
    var common = {
      indexURL: base + RUNTIME,
      packageBaseUrl: base + RUNTIME,
      lockFileContents: LOCK
    };

    // A rejected fetch() does not say whether the network, the server (an error page fails the
    // integrity check too) or the integrity check refused it: a HEAD request tells.
    function fetchChecked(path, cache) {
      var url = base + path;
      var done = fetch(url, { integrity: INTEGRITY[path], cache: cache || "default" }).then(function (response) {
        if (!response.ok) throw new Error(url + ": HTTP " + response.status);
        return response;
      }, function (error) {
        var why = " (" + (error && error.message || error) + ")";
        return fetch(url, { method: "HEAD", cache: "no-store" }).then(function (head) {
          if (head.status === 405 || head.status === 501) {
            return new Error(url + " could not be fetched, or is not the file this alloy-py.js was built with" + why);
          }
          return new Error(head.ok ? url + " is not the file this alloy-py.js was built with (integrity)"
            : url + ": HTTP " + head.status);
        }, function () {
          return new Error(url + " could not be fetched" + why);
        }).then(function (reason) { throw reason; });
      });
      done.catch(function () { /* reported by whoever awaits it */ });
      return done;
    }

    function fetchBytes(path) {
      var done = fetchChecked(path).then(function (response) { return response.arrayBuffer(); })
        .then(function (buffer) { return new Uint8Array(buffer); });
      done.catch(function () { /* reported by whoever awaits it */ });
      return done;
    }

    // Synchronous, for an import that cannot wait (binary through the
    // x-user-defined charset: a synchronous request has no arraybuffer type).
    function fetchNow(path) {
      var request = new XMLHttpRequest();
      request.open("GET", base + path, false);
      request.overrideMimeType("text/plain; charset=x-user-defined");
      request.send();
      if (request.status !== 200) throw new Error(base + path + ": HTTP " + request.status);
      var text = request.responseText, bytes = new Uint8Array(text.length);
      for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
      return bytes;
    }

    // The wasm is checked by fetch()'s own integrity. Measured (bench, Chromium, warm): ~110 ms
    // more than unchecked; hashing a clone of the response, or the bytes read again from the HTTP
    // cache, cost as much or more (a clone loses Chromium's wasm code cache; the re-read ~200 ms).
    // What Pyodide fetches itself is checked too (tools/patch_pyodide.py): the wasm, and the
    // placeholder stdlib it mounts before fsInit writes the real one. A wasm it cannot use ends the boot.
    var failWasm = function () {};
    var wasm = null;  // the download started with the preloads; a second boot fetches anew
    var integrity = {
      wasm: INTEGRITY[RUNTIME + "pyodide.asm.wasm"],
      stdlib: INTEGRITY[RUNTIME + "empty.zip"],
      response: function () {
        var response = wasm || fetch(base + RUNTIME + "pyodide.asm.wasm", { integrity: integrity.wasm });
        wasm = null;
        return response;
      },
      failed: function (error) { failWasm(error); }
    };

    function options(extra) {
      var result = {};
      [common, extra].forEach(function (o) { for (var k in o) result[k] = o[k]; });
      return result;
    }

    function withTimeout(promise, ms, what) {
      return new Promise(function (resolve, reject) {
        var t = setTimeout(function () { reject(new Error(what + " took more than " + ms + " ms")); }, ms);
        promise.then(resolve, reject).finally(function () { clearTimeout(t); });
      });
    }

    // The normal boot: CPython starts, alloy_py is imported from its zip. Both zips come through
    // fetchBytes (integrity, and an error that names the file): the stdlib handed to Pyodide's own
    // install of it (tools/patch_pyodide.py; written by fsInit instead, a placeholder Pyodide wrote
    // later could overwrite it), alloy_py's written by fsInit.
    function normal(pyodideMjs) {
      var stdlib = fetchBytes(RUNTIME + STDLIB);
      var zip = fetchBytes(ZIP);
      var zipError = null;
      [stdlib, zip].forEach(function (bytes) {
        bytes.catch(function (error) { zipError = zipError || error; });
      });
      var withStdlib = {};
      for (var key in integrity) withStdlib[key] = integrity[key];
      withStdlib.stdlib = stdlib;
      return pyodideMjs.then(function (module) {
        return module.loadPyodide(options({
          stdLibURL: base + RUNTIME + STDLIB,
          alloyPyIntegrity: withStdlib,
          env: { PYTHONPATH: ZIP_PATH },
          fsInit: function (FS) {
            return zip.then(function (bytes) { FS.writeFile(ZIP_PATH, bytes); }, function () { /* zipError */ });
          }
        }));
      }).then(function (pyodide) {
        if (zipError) throw new Error("Could not fetch Python's files: " + zipError.message);
        return pyodide;
      }, function (error) {  // Python cannot start without its stdlib: say which file was missing
        throw zipError ? new Error("Could not fetch Python's files: " + zipError.message) : error;
      });
    }

    // The snapshot file is Pyodide's snapshot without its all-zero pages
    // (tools/build_snapshot.py, sparse()): check it all, then put the runs
    // back in place in ``out``.
    function expandSnapshot(bytes, out) {
      var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (bytes.byteLength < 20 || view.getUint32(0, true) !== 0x504e5341 || view.getUint32(4, true) !== 1) {
        throw new Error("not an alloy-py snapshot");
      }
      var length = view.getUint32(8, true), page = view.getUint32(12, true), count = view.getUint32(16, true);
      var runs = [], at = 20 + 8 * count;
      for (var i = 0; i < count && 24 + 8 * i <= bytes.byteLength; i++) {
        var start = view.getUint32(20 + 8 * i, true) * page;
        var size = Math.min(view.getUint32(24 + 8 * i, true) * page, length - start);
        runs.push([start, at, size]);
        at += size;
      }
      if (length !== out.length || runs.length !== count || at !== bytes.byteLength) {
        throw new Error("the snapshot file is damaged");
      }
      runs.forEach(function (run) { out.set(bytes.subarray(run[1], run[1] + run[2]), run[0]); });
    }

    // The snapshot boot: the heap of an interpreter that has imported alloy_py.
    // Nothing the commands run imports anything more (tests/browser check it),
    // so neither zip is fetched unless an import needs one (the zipimport
    // tables in the snapshot expect these very bytes at these paths).
    function restore(pyodideMjs) {
      var bytes = fetchBytes(SNAPSHOT);
      var failure = null;
      // Pyodide awaits _loadSnapshot before it compiles the wasm, and reads
      // it only after its preRun hooks (fsInit among them) have run, which is
      // after the compile: hand it the buffer now and fill it in fsInit, so
      // that the download and the compile overlap.
      var heap = new Uint8Array(SNAPSHOT_LENGTH);
      return pyodideMjs.then(function (module) {
        return withTimeout(module.loadPyodide(options({
          stdLibURL: base + RUNTIME + "empty.zip",
          alloyPyIntegrity: integrity,
          _loadSnapshot: heap,
          fsInit: function () {
            return bytes.then(function (data) {
              mark("snapshot");
              expandSnapshot(data, heap);
            }).catch(function (error) {
              failure = error;
              heap.fill(0, 0, 64);  // no magic number: the restore refuses it
            });
          }
        })), timeoutMs / 2, "restoring the snapshot").then(function (pyodide) {
          if (failure) throw failure;
          return pyodide;
        }, function (error) {
          throw failure || error;
        });
      }).then(function (pyodide) {
        mark("restored");
        // The snapshot froze random's state: every page would draw the same
        // numbers. hash() stays seeded per build (str hashes live in the heap).
        var random = pyodide.pyimport("random");
        random.seed();
        random.destroy();
        // The zips come only if an import needs a module the snapshot lacks
        // (alloy_py/browser/snapshot_files.py); no command does.
        // A synchronous request takes no integrity: Python checks the files once written.
        var files = pyodide.pyimport("alloy_py.browser.snapshot_files");
        var expected = {};
        expected[STDLIB_PATH] = INTEGRITY[RUNTIME + STDLIB];
        expected[ZIP_PATH] = INTEGRITY[ZIP];
        var digests = pyodide.toPy(expected);
        files.install(function () {
          try {
            pyodide.FS.writeFile(STDLIB_PATH, fetchNow(RUNTIME + STDLIB));
            pyodide.FS.writeFile(ZIP_PATH, fetchNow(ZIP));
            mark("files");
            return true;
          } catch (error) {
            console.warn("alloy-py: " + error.message + ": modules not in the snapshot cannot be imported.");
            return false;
          }
        }, digests);
        digests.destroy();
        files.destroy();
        return pyodide;
      });
    }

    var refused = refusal();
    if (refused) return Promise.reject(new Error(refused));
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        reject(new Error("Pyodide did not start within " + timeoutMs + " ms."));
      }, timeoutMs);
      var onViolation = function (event) {
        if (event.blockedURI === "wasm-eval" || /wasm/.test(event.violatedDirective || "")) {
          reject(new Error("the page's Content-Security-Policy blocks WebAssembly; add 'wasm-unsafe-eval' to script-src."));
        }
      };
      document.addEventListener("securitypolicyviolation", onViolation);
      failWasm = function (error) {
        reject(new Error(base + RUNTIME + "pyodide.asm.wasm could not be fetched or compiled, or is not the file"
          + " this alloy-py.js was built with (" + (error && error.message || error) + ")"));
      };
      mark("start");
      var links = preload();
      wasm = integrity.response();
      wasm.catch(function () { /* reported through failed() by the boot that uses it */ });
      // Both modules imported here, in parallel (Pyodide's own import of the second is handed
      // createPyodideModule instead), each only once a fetch() with its integrity has passed:
      // WebKit does not check a modulepreload's integrity (Chromium and Firefox do, and refuse
      // the import). A module refused fails the boot with its name, and without a fallback that
      // would fail the same way.
      var moduleError = null;
      var pyodideMjs = Promise.all(["pyodide.mjs", "pyodide.asm.mjs"].map(function (name) {
        return fetchChecked(RUNTIME + name, "force-cache").then(function () {
          return import(base + RUNTIME + name).catch(function (error) {
            throw new Error(base + RUNTIME + name + " could not be loaded, or is not the file"
              + " this alloy-py.js was built with (" + (error && error.message || error) + ")");
          });
        }).catch(function (error) {
          moduleError = moduleError || error;
          throw moduleError;
        });
      })).then(function (modules) {
        mark("pyodide.mjs");
        common.createPyodideModule = modules[1].default;
        return modules[0];
      });
      var snapshot = false;
      var started = !useSnapshot ? normal(pyodideMjs) : restore(pyodideMjs).then(function (pyodide) {
        snapshot = true;
        return pyodide;
      }, function (error) {
        if (moduleError) throw moduleError;
        console.warn("alloy-py: the memory snapshot could not be used (" + (error && error.message || error)
          + "); starting Pyodide without it.");
        return normal(pyodideMjs);
      });
      started
        .then(function (pyodide) {
          mark("loadPyodide");
          // How it booted, for diagnostics; the interpreter itself only with data-debug (tests, the
          // benchmark's wasm memory): any script of the page could drive it. Not an API.
          var facts = { snapshot: snapshot };
          if (debug) facts.pyodide = pyodide;
          window.__alloyPy = Object.freeze(facts);
          var bridge = pyodide.pyimport("alloy_py.browser.bridge");
          mark("ready");
          return bridge;
        })
        .then(resolve, reject)
        .finally(function () {
          links.forEach(function (link) { if (link.parentNode) link.parentNode.removeChild(link); });
          clearTimeout(timer);
          document.removeEventListener("securitypolicyviolation", onViolation);
        });
    });
  }

  // What cannot be overcome is known before anything is fetched: reject at once, not after the
  // boot timeout (Pyodide's loadPyodide never settles when the wasm compile is refused).
  function refusal() {
    if (!base) return "cannot tell which URL alloy-py.js was loaded from, so not where its files are.";
    if (typeof WebAssembly !== "object" || typeof WebAssembly.Module !== "function") {
      return "this browser does not run WebAssembly.";
    }
    try {
      new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); // the empty module
    } catch (error) {
      return "the page's Content-Security-Policy blocks WebAssembly; add 'wasm-unsafe-eval' to script-src.";
    }
    return null;
  }

  // An error's text for the page: a Python error carries a traceback, of which only the last line
  // (the exception) says anything to a site.
  function plain(error) {
    var text = String(error && error.message || error);
    if (!/^Traceback/.test(text)) return text;
    var lines = text.split("\n").filter(function (line) { return /\S/.test(line); });
    return lines[lines.length - 1].replace(/^[\w.]*(Error|Exception): /, "");
  }

  function handOver(bridge) {
    bridge.start(pageId, readOptions, names);
    python = bridge;
    var execute = bridge.execute;
    var click = bridge.click;
    deliver = function (entry) {
      if (entry.kind === "click") { click(entry); return; }
      var call = entry.call;
      var args = call[2] || [];
      execute(entry.name, args[0], args[1], entry.facts).then(call[0], call[1]);
    };
    var recorded = journal.splice(0);
    handed = recorded;
    // Calls made from now on are Python's as they happen: no facts to carry.
    var direct = function (entry) {
      var args = entry.call[2] || [];
      execute(entry.name, args[0], args[1]).then(entry.call[0], entry.call[1]);
    };
    recorded.forEach(deliver);
    deliver = function (entry) { if (entry.kind === "command") direct(entry); };
  }

  function fail(error) {
    // A boot cut short by the page leaving (WebKit aborts a module import then) is no failure:
    // what is waiting stays stored for the next page.
    if (left) return;
    var message = "alloy-py could not start: " + plain(error);
    console.error(message);
    unhide();
    deliver = function (entry) {
      if (entry.kind === "command") entry.call[1](new Error("[" + entry.name + "] " + message));
    };
    // Rejected, but still stored if the page leaves: a boot cut short by a navigation (WebKit
    // aborts a module import as soon as one starts, before pagehide) loses no call, the next
    // page sends them.
    handed = journal.splice(0);
    handed.forEach(deliver);
  }

  names.forEach(adopt);
  document.addEventListener("click", onClick, true);
  window.addEventListener("pagehide", function () { persist("left"); });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted || !python) return;
    // Back from the back/forward cache with Python up: it sends its calls itself.
    left = false;
    Object.keys(storedKeys).forEach(function (key) {
      try { localStorage.removeItem(key); } catch (e) { /* storage unavailable */ }
    });
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") persist("hidden");
  });
  boot().then(function (bridge) {
    try { handOver(bridge); } catch (error) { fail(error); }
  }, fail);
})();
