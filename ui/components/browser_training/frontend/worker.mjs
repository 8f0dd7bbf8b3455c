// Trains one run in this browser: Pyodide (CPython in WebAssembly, served by the app itself) runs the
// project's own micrograd_core and lessons/mlp/training.py, sent by the server; browser_loop.BrowserRun
// steps it. A worker of its own, so a step never holds up the page.
import { loadPyodide } from "./pyodide/pyodide.mjs";

let BrowserRun = null;
let run = null; // the BrowserRun being trained
let runId = null;
let training = false;
let rate = null; // steps a second, or null: as fast as this device goes
let looping = false;
let grid = null; // {xs, ys}: where the score over the plane is drawn
let lastGrid = 0;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// How the runtime's files are fetched. The WebAssembly is kept gzipped on the server and unzipped here, so
// the server sends a file as it is instead of compressing 9.6 MB again for each student. And the files
// (6.5 MB over the wire) are kept in the browser's cache storage, one cache per version, so a student who
// opens the page again loads them from the device. Pages served over plain http to another machine have
// no cache storage: then every visit fetches them.
async function runtimeFetches(version) {
  const name = "micrograd-pyodide-" + version;
  let cache = null;
  if (self.caches) {
    try {
      for (const old of await caches.keys()) if (old.startsWith("micrograd-pyodide-") && old !== name) await caches.delete(old);
      cache = await caches.open(name);
    } catch (err) {
      cache = null; // storage refused (a private window, a full disk): fetched every time
    }
  }
  const fetchFromServer = self.fetch.bind(self);
  self.fetch = async (url, init) => {
    const path = String(url);
    if (!path.includes("/pyodide/")) return fetchFromServer(url, init);
    const kept = cache && (await cache.match(path));
    if (kept) return kept;
    let response;
    if (path.endsWith(".wasm")) {
      const zipped = await fetchFromServer(path + ".gz", init);
      if (!zipped.ok) return zipped;
      response = new Response(zipped.body.pipeThrough(new DecompressionStream("gzip")),
        { headers: { "Content-Type": "application/wasm" } });
    } else {
      response = await fetchFromServer(url, init);
    }
    if (cache && response.ok) cache.put(path, response.clone()).catch(() => {}); // kept while Python loads
    return response;
  };
}

const loaded = new Promise((resolve) => { self.loadSources = resolve; });

async function load(sources, version) {
  const started = performance.now();
  await runtimeFetches(version);
  const py = await loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href });
  for (const [path, text] of Object.entries(sources)) {
    const file = "/home/pyodide/mg/" + path;
    py.FS.mkdirTree(file.slice(0, file.lastIndexOf("/")));
    py.FS.writeFile(file, text);
  }
  py.runPython("import sys; sys.path.insert(0, '/home/pyodide/mg')");
  BrowserRun = py.pyimport("lessons.mlp.browser_loop").BrowserRun;
  postMessage({ kind: "loaded", ms: performance.now() - started, python: py.runPython("import sys; sys.version.split()[0]") });
}

function drawGrid() {
  if (grid && run) {
    postMessage({ kind: "grid", runId, z: JSON.parse(run.grid(grid.xs, grid.ys)) });
    lastGrid = performance.now();
  }
}

function handBack(why) {
  postMessage({ kind: "hand_back", runId, why, text: run.hand_back() });
}

async function loop() {
  if (looping) return;
  looping = true;
  while (training && run) {
    const began = performance.now();
    const report = JSON.parse(run.step());
    const took = performance.now() - began;
    postMessage({ kind: "step", runId, report, ms: took });
    if (report.ended) {
      training = false;
      drawGrid();
      handBack(report.ended);
      break;
    }
    // the plane at most every half second, and never more than a fifth of the time
    const since = performance.now() - lastGrid;
    if (since > Math.max(500, 5 * took)) drawGrid();
    const wait = rate ? Math.max(0, 1000 / rate - (performance.now() - began)) : 0;
    await sleep(wait); // also lets a pause in
  }
  looping = false;
}

onmessage = async (event) => {
  const m = event.data;
  try {
    if (m.cmd === "load") {
      await load(m.sources, m.version);
      self.loadSources();
      return;
    }
    await loaded;
    if (m.cmd === "start") {
      training = false;
      if (run) run.destroy();
      run = BrowserRun(m.start);
      runId = m.runId;
      grid = m.grid;
      drawGrid();
      postMessage({ kind: "started", runId });
    } else if (m.cmd === "train") {
      rate = m.rate;
      training = true;
      loop();
    } else if (m.cmd === "pause") {
      const was = training;
      training = false;
      if (run && was) handBack("paused");
    }
  } catch (err) {
    training = false;
    postMessage({ kind: "error", message: String(err && err.message ? err.message : err) });
  }
};
