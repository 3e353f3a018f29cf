/*
 * alloy-py loader: a drop-in for alloy.js.
 *
 * Keep alloy's base code on the page and load this script where alloy.js
 * would go. Calls made before Python is ready stay in each instance's queue
 * (window.<name>.q); once Pyodide and the alloy_py wheel are loaded from the
 * folder this script lives in, the queue is drained in order and later calls
 * go straight to Python. If Pyodide cannot start (a CSP without
 * 'wasm-unsafe-eval', a missing file, a timeout), every queued and later
 * call rejects with an error that says why.
 *
 * Options, as attributes of this script tag:
 *   data-boot-timeout="30000"  milliseconds to wait for Pyodide before giving up
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(".", script ? script.src : location.href).href;
  var WHEEL = "__ALLOY_PY_WHEEL__";
  var STDLIB = "python_stdlib_pyc.zip";
  var timeoutMs = Number(script && script.getAttribute("data-boot-timeout")) || 30000;
  var names = window.__alloyNS || [];

  function instances() {
    return names
      .map(function (name) { return { name: name, fn: window[name] }; })
      .filter(function (entry) { return entry.fn && Array.isArray(entry.fn.q); });
  }

  function route(run) {
    instances().forEach(function (entry) {
      var queue = entry.fn.q;
      var execute = function (call) { run(entry.name, call); };
      queue.push = function (call) { execute(call); return queue.length; };
      queue.splice(0).forEach(execute);
    });
  }

  function mark(name) {
    try { performance.mark("alloy-py:" + name); } catch (e) { /* old browsers */ }
  }

  // Start every download now, in parallel, instead of one after the other as
  // Pyodide discovers them; its own fetch()es then reuse these responses.
  function preload() {
    var head = document.head || document.documentElement;
    [
      ["modulepreload", "pyodide/pyodide.mjs"],
      ["modulepreload", "pyodide/pyodide.asm.mjs"],
      ["preload", "pyodide/pyodide.asm.wasm"],
      ["preload", "pyodide/" + STDLIB],
      ["preload", "pyodide/pyodide-lock.json"],
      ["preload", WHEEL]
    ].forEach(function (entry) {
      var link = document.createElement("link");
      link.rel = entry[0];
      link.href = base + entry[1];
      if (entry[0] === "preload") {
        link.as = "fetch";
        link.crossOrigin = "anonymous";
      }
      head.appendChild(link);
    });
  }

  function boot() {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        reject(new Error("Pyodide did not start within " + timeoutMs + " ms."));
      }, timeoutMs);
      var onViolation = function (event) {
        if (event.blockedURI === "wasm-eval" || /wasm/.test(event.violatedDirective || "")) {
          reject(new Error("The page's Content-Security-Policy blocks WebAssembly; add 'wasm-unsafe-eval' to script-src."));
        }
      };
      document.addEventListener("securitypolicyviolation", onViolation);
      mark("start");
      preload();
      import(base + "pyodide/pyodide.mjs")
        .then(function (module) {
          mark("pyodide.mjs");
          return module.loadPyodide({
            indexURL: base + "pyodide/",
            stdLibURL: base + "pyodide/" + STDLIB,
            packages: [base + WHEEL]
          });
        })
        .then(function (pyodide) {
          mark("loadPyodide");
          if (!pyodide.loadedPackages.alloy_py) {
            throw new Error("Could not install " + base + WHEEL + ".");
          }
          // For diagnostics and the benchmark (wasm memory); not an API.
          window.__alloyPy = { pyodide: pyodide };
          var execute = pyodide.pyimport("alloy_py.browser.bridge").execute;
          mark("ready");
          return execute;
        })
        .then(resolve, reject)
        .finally(function () {
          clearTimeout(timer);
          document.removeEventListener("securitypolicyviolation", onViolation);
        });
    });
  }

  boot().then(
    function (execute) {
      route(function (name, call) {
        var args = call[2] || [];
        execute(name, args[0], args[1]).then(call[0], call[1]);
      });
    },
    function (error) {
      var message = "alloy-py could not start: " + error.message;
      console.error(message);
      route(function (name, call) { call[1](new Error("[" + name + "] " + message)); });
    }
  );
})();
