// The page's side of training in this browser: speaks Streamlit's component protocol (render arguments
// in, a value and the frame's height out), runs the worker, and draws what it reports.
"use strict";

const worker = new Worker("worker.mjs", { type: "module" });
let args = null;
let loadedSources = false;
let runId = null; // the run the worker holds
let training = false; // what the page last asked for
let start = null; // the run as the server sent it: its steps so far are drawn before the browser's
let steps = []; // [step, loss] of every step shown
let z = null; // the score over the plane
let times = []; // milliseconds of the recent steps
let shownStep = 0;
let python = null; // the version loaded, once it is

function send(type, data) {
  window.parent.postMessage({ isStreamlitMessage: true, type, ...data }, "*");
}

function setHeight() {
  send("streamlit:setFrameHeight", { height: Math.ceil(document.body.scrollHeight) + 4 });
}

const $ = (id) => document.getElementById(id);
const fmt = (x) => (typeof x === "number" ? Number(x.toPrecision(4)).toString() : String(x));

// `live`: said by a screen reader (a change of state); a step's progress is not, or it would never stop talking
function status(text, error, live = true) {
  $("status").setAttribute("aria-live", live ? "polite" : "off");
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
  setHeight();
}

window.addEventListener("message", (event) => {
  const m = event.data;
  if (!m || m.type !== "streamlit:render") return;
  render(m.args);
});

function render(next) {
  args = next;
  document.body.style.setProperty("--text", args.colors.text);
  document.body.style.setProperty("--chart-height", args.height + "px");
  document.body.style.setProperty("--font", args.font + "px");
  $("plane-figure").style.display = args.grid ? "" : "none";
  $("numbers").style.display = $("charts").style.display = args.showing ? "" : "none";
  if (!loadedSources) {
    loadedSources = true;
    worker.postMessage({ cmd: "load", sources: args.sources, version: args.runtime });
  }
  if (args.run_id !== runId) {
    runId = args.run_id;
    start = JSON.parse(args.start);
    steps = start.reports.map((r) => [r.step, r.loss]);
    shownStep = start.reports.length;
    z = null;
    times = [];
    const held = start.test_y.length > 0;
    $("loss-name").textContent = held ? "training loss" : "loss, all samples";
    $("accuracy-name").textContent = held ? "training accuracy" : "accuracy, all samples";
    const last = start.reports[start.reports.length - 1];
    numbers(last ? { step: last.step, loss: last.loss, accuracy: last.accuracy, lr: last.lr } : null);
    worker.postMessage({ cmd: "start", start: args.start, runId, grid: args.grid });
    training = false;
  }
  if (args.training && !training) worker.postMessage({ cmd: "train", rate: args.rate });
  if (!args.training && training) worker.postMessage({ cmd: "pause" });
  if (args.training && training) worker.postMessage({ cmd: "train", rate: args.rate }); // a new pace
  training = args.training;
  if (!args.showing) idle();
  draw();
}

// not training here: one line saying what Train will do
function idle() {
  status(python
    ? `Python ${python} is loaded in this browser: Train takes the next steps here, from step ${start.reports.length}.`
    : "Loading Python into this browser (about 6 MB, once), so that Train takes the steps here…");
}

function numbers(report) {
  $("step").textContent = report ? report.step : 0;
  $("loss").textContent = report ? fmt(report.loss) : "–";
  $("accuracy").textContent = report ? Math.round(100 * report.accuracy) + "%" : "–";
  $("lr").textContent = report ? fmt(report.lr) : fmt(start.config.lr);
  document.body.dataset.step = report ? report.step : 0;
}

worker.onmessage = (event) => {
  const m = event.data;
  if (m.kind === "loaded") {
    python = document.body.dataset.python = m.python;
    document.body.dataset.loadMs = Math.round(m.ms);
    if (training) status(`Python ${python} loaded in this browser in ${(m.ms / 1000).toFixed(1)} s. Training here…`);
    else idle();
    return;
  }
  if (m.kind === "error") {
    status("Training in this browser failed: " + m.message, true);
    send("streamlit:setComponentValue", { value: { run_id: runId, error: m.message }, dataType: "json" });
    return;
  }
  if (m.runId !== runId) return; // a run the page has moved on from
  if (m.kind === "step") {
    if (m.report.ended) return;
    steps.push([m.report.step, m.report.loss]);
    (window.reports = window.reports || []).push(m.report); // every step shown, for a test to compare
    times.push(m.ms);
    (window.stepTimes = window.stepTimes || []).push(m.ms);
    if (times.length > 20) times.shift();
    numbers(m.report);
    shownStep = m.report.step;
    const median = [...times].sort((a, b) => a - b)[times.length >> 1];
    $("rate").textContent = fmt(1000 / median);
    status(`Training in this browser: step ${m.report.step}, ${Math.round(median)} ms a step.`, false, false);
    drawCurve();
  } else if (m.kind === "grid") {
    z = m.z;
    drawPlane();
  } else if (m.kind === "hand_back") {
    const why = { paused: "Paused", diverged: "Stopped: the run diverged", step_limit: "Stopped: the run reached its step limit" }[m.why];
    status(`${why} at step ${shownStep}; handing the run back to the page…`);
    send("streamlit:setComponentValue", { value: { run_id: runId, hand_back: m.text }, dataType: "json" });
  }
};

function draw() {
  drawCurve();
  drawPlane();
  setHeight();
}

// a canvas drawn at the size it is shown, in CSS pixels: text as large on a phone as on a projector
function fit(canvas) {
  const box = canvas.getBoundingClientRect();
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(box.width)), h = Math.max(1, Math.round(box.height));
  if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return [ctx, w, h];
}

function axes(ctx, w, h, pad) {
  ctx.strokeStyle = args.colors.text;
  ctx.globalAlpha = 0.5;
  ctx.beginPath();
  ctx.moveTo(pad.l, pad.t);
  ctx.lineTo(pad.l, h - pad.b);
  ctx.lineTo(w - pad.r, h - pad.b);
  ctx.stroke();
  ctx.globalAlpha = 1;
}

function drawCurve() {
  const [ctx, w, h] = fit($("curve"));
  const pad = { l: 4.5 * args.font, r: 14, t: 12, b: 2 * args.font };
  ctx.clearRect(0, 0, w, h);
  ctx.font = `${Math.round(0.85 * args.font)}px sans-serif`;
  axes(ctx, w, h, pad);
  const shown = steps.filter(([, loss]) => Number.isFinite(loss) && loss > 0);
  if (shown.length === 0) return;
  const last = Math.max(10, shown[shown.length - 1][0]);
  let lo = Math.min(...shown.map((s) => s[1])), hi = Math.max(...shown.map((s) => s[1]));
  lo = Math.log10(lo); hi = Math.log10(hi);
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  const x = (s) => pad.l + (w - pad.l - pad.r) * s / last;
  const y = (loss) => pad.t + (h - pad.t - pad.b) * (hi - Math.log10(loss)) / (hi - lo);
  ctx.fillStyle = args.colors.text;
  ctx.textAlign = "right";
  for (const v of [hi, (hi + lo) / 2, lo]) ctx.fillText(fmt(10 ** v), pad.l - 4, y(10 ** v) + 4);
  ctx.textAlign = "center";
  ctx.fillText("0", x(0), h - 10);
  ctx.fillText(String(last), x(last) - 12, h - 10);
  ctx.fillText("step", (w + pad.l) / 2, h - 10);
  ctx.strokeStyle = args.colors.positive;
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  shown.forEach(([s, loss], i) => (i ? ctx.lineTo(x(s), y(loss)) : ctx.moveTo(x(s), y(loss))));
  ctx.stroke();
  $("curve").setAttribute("aria-label", `The loss at each step, log scale: ${fmt(shown[0][1])} at step ${shown[0][0]}, ` +
    `${fmt(shown[shown.length - 1][1])} at step ${shown[shown.length - 1][0]}.`);
}

function drawPlane() {
  if (!args.grid) return;
  const [ctx, w, h] = fit($("plane"));
  const { xs, ys } = args.grid;
  const sx = (v) => (w * (v - xs[0])) / (xs[xs.length - 1] - xs[0]);
  const sy = (v) => h - (h * (v - ys[0])) / (ys[ys.length - 1] - ys[0]);
  ctx.clearRect(0, 0, w, h);
  const cw = w / (xs.length - 1), ch = h / (ys.length - 1);
  // more than two classes: z holds the class of the largest score in each cell, and the points' labels are classes
  const many = start.nouts[start.nouts.length - 1] > 1;
  if (z) {
    for (let i = 0; i < ys.length; i++) for (let j = 0; j < xs.length; j++) {
      const s = z[i * xs.length + j];
      ctx.fillStyle = !Number.isFinite(s) ? "#888" : many ? pale(args.colors.classes[s], 0.3) : shade(s);
      ctx.fillRect(sx(xs[j]) - cw / 2, sy(ys[i]) - ch / 2, cw + 1, ch + 1);
    }
    if (!many) contour(ctx, xs, ys, sx, sy); // with classes, where the tints meet is the boundary
  }
  // class +1 is drawn as class 0 (a blue circle), class −1 as class 1 (a vermillion diamond), as the page's chart
  const kind = (label) => (many ? label : label > 0 ? 0 : 1);
  const points = (X, Y, hollow) => X.forEach((p, k) => mark(ctx, sx(p[0]), sy(p[1]), kind(Y[k]), hollow));
  points(start.X, start.y, false);
  points(start.test_X, start.test_y, true);
  $("plane").setAttribute("aria-label", many ? "The plane tinted with the class of the network's largest score"
    : "The model's score over the plane");
  if (many) $("plane-caption").textContent = "Background: the class of the network's largest score. Circles are " +
    "class 0, diamonds class 1, squares class 2; hollow ones are held out.";
}

// blue above 0 and vermillion below, paler near 0, as the page's own chart
function shade(s) {
  const t = Math.max(-1, Math.min(1, s));
  return pale(t > 0 ? args.colors.positive : args.colors.negative, 0.6 * Math.abs(t));
}

// a colour blended `a` of the way over white
function pale(c, a) {
  const [r, g, b] = hex(c);
  return `rgb(${Math.round(255 + (r - 255) * a)},${Math.round(255 + (g - 255) * a)},${Math.round(255 + (b - 255) * a)})`;
}

function hex(c) {
  return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
}

// a point of class `kind`: 0 a circle, 1 a diamond, 2 a square, each in its class's colour
function mark(ctx, x, y, kind, hollow) {
  const color = args.colors.classes[kind];
  ctx.beginPath();
  if (kind === 0) ctx.arc(x, y, 5, 0, 2 * Math.PI);
  else if (kind === 1) { ctx.moveTo(x, y - 6.5); ctx.lineTo(x + 6.5, y); ctx.lineTo(x, y + 6.5); ctx.lineTo(x - 6.5, y); ctx.closePath(); }
  else ctx.rect(x - 4.5, y - 4.5, 9, 9);
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = hollow ? color : "#FFFFFF";
  ctx.fillStyle = color;
  if (!hollow) ctx.fill();
  ctx.stroke();
}

// the decision boundary: where the score crosses 0 on each cell's edges (marching squares)
function contour(ctx, xs, ys, sx, sy) {
  const at = (i, j) => z[i * xs.length + j];
  ctx.strokeStyle = args.colors.ink;
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (let i = 0; i + 1 < ys.length; i++) for (let j = 0; j + 1 < xs.length; j++) {
    const ring = [[xs[j], ys[i], at(i, j)], [xs[j + 1], ys[i], at(i, j + 1)], [xs[j + 1], ys[i + 1], at(i + 1, j + 1)], [xs[j], ys[i + 1], at(i + 1, j)]];
    if (!ring.every((c) => Number.isFinite(c[2]))) continue;
    const cross = [];
    for (let k = 0; k < 4; k++) {
      const [xa, ya, za] = ring[k], [xb, yb, zb] = ring[(k + 1) % 4];
      if ((za > 0) !== (zb > 0)) { const t = za / (za - zb); cross.push([xa + t * (xb - xa), ya + t * (yb - ya)]); }
    }
    for (let k = 0; k + 1 < cross.length; k += 2) {
      ctx.moveTo(sx(cross[k][0]), sy(cross[k][1]));
      ctx.lineTo(sx(cross[k + 1][0]), sy(cross[k + 1][1]));
    }
  }
  ctx.stroke();
}

window.addEventListener("resize", () => { if (args) draw(); });
send("streamlit:componentReady", { apiVersion: 1 });
