// The size the browser's Graphviz (the WebAssembly build Streamlit draws graphs with) gives each DOT source
// read as a JSON list on stdin: [width, height] in CSS pixels, as a list on stdout.
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { readFileSync } from "fs";

const graphviz = await Graphviz.load();
const sources = JSON.parse(readFileSync(0, "utf8"));
const sizes = sources.map((source) => {
  const svg = graphviz.dot(source, "svg");
  const [, width, height] = svg.match(/width="([\d.]+)pt" height="([\d.]+)pt"/);
  return [parseFloat(width) * 4 / 3, parseFloat(height) * 4 / 3];  // a point is 4/3 of a CSS pixel
});
console.log(JSON.stringify(sizes));
