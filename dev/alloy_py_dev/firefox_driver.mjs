// Page jobs in Debian's Firefox over WebDriver BiDi (npm puppeteer-core; no geckodriver, no download).
//
//   node tests/support/firefox_driver.mjs /usr/bin/firefox-esr
//
// Started once by tests/support/engines.py: Firefox is launched once, and each
// job runs in a fresh browser context (a BiDi user context: its own cookies,
// storage and cache), closed after it. One job a line on stdin:
//   {"timeout": seconds for the whole job,
//    "steps": [{"op": "goto", "url"} | {"op": "wait", "js", "timeout"} | {"op": "eval", "js"}
//              | {"op": "click", "selector"} | {"op": "sleep", "ms"}]}
// and one result a line on stdout, also when a step fails:
//   {"values": [one per eval step], "console": [[type, text]], "cookies": [{name, value, domain, path}],
//    "error": null | "what failed", "step": index of the step that failed, or null}
// A job that outlives its timeout ends the process (after a last result line),
// and so does the end of stdin: Firefox is closed either way.
import readline from "node:readline";
import puppeteer from "puppeteer-core";

const CLOSE_MS = 5000;
const EVAL_MS = 10000;
// Console types as Playwright names them ("warning", not "warn").
const CONSOLE_TYPES = { warn: "warning" };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let browser = null;

async function quit(code) {
  if (browser) {
    const child = browser.process();
    await within(browser.close(), CLOSE_MS, "closing Firefox").catch(() => {
      if (child && child.exitCode === null) child.kill("SIGKILL");
    });
  }
  process.exit(code);
}

function reply(result) {
  process.stdout.write(JSON.stringify(result) + "\n");
}

async function waitFor(page, js, ms) {
  // Polled from here rather than page.waitForFunction: it survives the page navigating.
  const end = Date.now() + ms;
  let last = null;
  for (;;) {
    try {
      if (await within(page.evaluate(`(${js})`), EVAL_MS, "evaluating")) return;
      last = null;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${ms} ms waiting for ${js}` + (last ? ` (last error: ${last.message})` : ""));
    }
    await sleep(100);
  }
}

async function step(page, out, s) {
  switch (s.op) {
    case "goto":
      await page.goto(s.url, { waitUntil: "domcontentloaded", timeout: 60000 });
      return;
    case "wait":
      await waitFor(page, s.js, s.timeout * 1000);
      return;
    case "eval": {
      const value = await within(page.evaluate(`(${s.js})`), 30000, `evaluating ${s.js}`);
      out.values.push(value === undefined ? null : value);
      return;
    }
    case "click":
      await within(page.click(s.selector), 30000, `clicking ${s.selector}`);
      return;
    case "sleep":
      await sleep(s.ms);
      return;
    default:
      throw new Error(`unknown step ${JSON.stringify(s)}`);
  }
}

async function run(job) {
  const out = { values: [], console: [], cookies: [], error: null, step: null };
  const watchdog = setTimeout(() => {
    out.error = `the job took more than ${job.timeout} s (at step ${out.step})`;
    reply(out);
    quit(1);
  }, job.timeout * 1000);
  let context = null;
  try {
    context = await browser.createBrowserContext();
    const page = await context.newPage();
    page.on("console", (message) => {
      out.console.push([CONSOLE_TYPES[message.type()] || message.type(), message.text()]);
    });
    page.on("pageerror", (error) => out.console.push(["pageerror", String((error && error.message) || error)]));
    for (const [index, s] of job.steps.entries()) {
      out.step = index;
      await step(page, out, s);
    }
    out.step = null;
    out.cookies = (await page.cookies()).map((c) => ({ name: c.name, value: c.value, domain: c.domain, path: c.path }));
  } catch (error) {
    out.error = String((error && error.stack) || error);
  }
  if (context) await within(context.close(), CLOSE_MS, "closing the context").catch(() => {});
  clearTimeout(watchdog);
  reply(out);
}

try {
  browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: process.argv[2],
    headless: true,
    protocol: "webDriverBiDi",
    timeout: 60000,
    extraPrefsFirefox: {
      // A closed network: none of Firefox's own traffic.
      "network.captive-portal-service.enabled": false,
      "network.connectivity-service.enabled": false,
      "browser.safebrowsing.update.enabled": false,
      "app.update.enabled": false,
    },
  });
} catch (error) {
  reply({ values: [], console: [], cookies: [], error: `launching Firefox: ${error.stack || error}`, step: null });
  process.exit(1);
}
reply({ ready: (await browser.version()) });

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim()) await run(JSON.parse(line));
}
await quit(0);
