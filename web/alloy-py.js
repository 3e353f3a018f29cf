/*
 * alloy-py loader: a drop-in for alloy.js.
 *
 * Keep alloy's base code on the page and load this script where alloy.js
 * would go. Calls made before Python is ready stay in each instance's queue
 * (window.<name>.q); once Pyodide has started from the folder this script
 * lives in, the queue is drained in order and later calls go straight to
 * Python. If Pyodide cannot start (a CSP without 'wasm-unsafe-eval', a
 * missing file, a timeout), every queued and later call rejects with an error
 * that says why.
 *
 * Pyodide starts from a memory snapshot of an interpreter that has already
 * imported alloy_py (pyodide/snapshot-*.bin, made by `make web`). If that
 * fails for any reason, it boots the normal way in the same page (one
 * console warning): CPython starts and imports alloy_py from its zip.
 *
 * Options, as attributes of this script tag:
 *   data-boot-timeout="30000"  milliseconds to wait for Pyodide before giving up
 *   data-snapshot="off"        do not use the memory snapshot
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(".", script ? script.src : location.href).href;
  var ZIP = "__ALLOY_PY_ZIP__";
  var SNAPSHOT = "pyodide/__ALLOY_PY_SNAPSHOT__";
  var SNAPSHOT_LENGTH = __ALLOY_PY_SNAPSHOT_LENGTH__;  // bytes, once expanded
  var STDLIB = "python_stdlib_pyc.zip";
  var timeoutMs = Number(script && script.getAttribute("data-boot-timeout")) || 30000;
  var useSnapshot = !script || script.getAttribute("data-snapshot") !== "off";
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
  // A snapshot boot needs neither zip before the restore (see restore()).
  function preload() {
    var head = document.head || document.documentElement;
    var files = useSnapshot
      ? ["pyodide/empty.zip"]
      : ["pyodide/" + STDLIB, ZIP];
    [
      ["modulepreload", "pyodide/pyodide.mjs"],
      ["modulepreload", "pyodide/pyodide.asm.mjs"],
      ["preload", "pyodide/pyodide.asm.wasm"]
    ].concat(files.map(function (file) { return ["preload", file]; })).forEach(function (entry) {
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
    // Where alloy_py's zip lives in Pyodide's file system (on sys.path through
    // PYTHONPATH), and Pyodide's own stdlib zip: the same in the snapshot.
    var ZIP_PATH = "/lib/alloy_py.zip";
    var STDLIB_PATH = "/lib/python314.zip";
    // No package is loaded at boot: an inline lock file saves fetching Pyodide's.
    var LOCK = { info: __ALLOY_PY_LOCK_INFO__, packages: {} };
    var common = {
      indexURL: base + "pyodide/",
      packageBaseUrl: base + "pyodide/",
      lockFileContents: LOCK
    };

    function fetchBytes(path) {
      var done = fetch(base + path).then(function (response) {
        if (!response.ok) throw new Error(base + path + ": HTTP " + response.status);
        return response.arrayBuffer();
      }).then(function (buffer) { return new Uint8Array(buffer); });
      done.catch(function () { /* reported by whoever awaits it */ });
      return done;
    }

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

    // The normal boot: CPython starts, alloy_py is imported from its zip.
    function normal(pyodideMjs) {
      var zip = fetchBytes(ZIP);
      var zipError = null;
      return pyodideMjs.then(function (module) {
        return module.loadPyodide(options({
          stdLibURL: base + "pyodide/" + STDLIB,
          env: { PYTHONPATH: ZIP_PATH },
          fsInit: function (FS) {
            return zip.then(function (bytes) { FS.writeFile(ZIP_PATH, bytes); },
                            function (error) { zipError = error; });
          }
        }));
      }).then(function (pyodide) {
        if (zipError) throw new Error("Could not fetch alloy_py: " + zipError.message);
        return pyodide;
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
    // so both zips are written into the file system only after the restore,
    // off the first request's path (the zipimport tables in the snapshot
    // expect these very bytes at these paths).
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
          stdLibURL: base + "pyodide/empty.zip",
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
        var later = window.requestIdleCallback || function (f) { return setTimeout(f, 50); };
        later(function () {
          Promise.all([fetchBytes("pyodide/" + STDLIB), fetchBytes(ZIP)]).then(function (files) {
            pyodide.FS.writeFile(STDLIB_PATH, files[0]);
            pyodide.FS.writeFile(ZIP_PATH, files[1]);
            mark("files");
          }, function (error) {
            console.warn("alloy-py: " + error.message + ": modules not in the snapshot cannot be imported.");
          });
        }, { timeout: 1000 });
        return pyodide;
      });
    }

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
      var pyodideMjs = import(base + "pyodide/pyodide.mjs").then(function (module) {
        mark("pyodide.mjs");
        return module;
      });
      var started = !useSnapshot ? normal(pyodideMjs) : restore(pyodideMjs).then(function (pyodide) {
        window.__alloyPy = { pyodide: pyodide, snapshot: true };
        return pyodide;
      }, function (error) {
        console.warn("alloy-py: the memory snapshot could not be used (" + (error && error.message || error)
          + "); starting Pyodide without it.");
        return normal(pyodideMjs);
      });
      started
        .then(function (pyodide) {
          mark("loadPyodide");
          // For diagnostics and the benchmark (wasm memory); not an API.
          window.__alloyPy = window.__alloyPy || { pyodide: pyodide, snapshot: false };
          window.__alloyPy.pyodide = pyodide;
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
