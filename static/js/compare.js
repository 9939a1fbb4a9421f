/* The comparison page: the gold text's links drawn as arcs (read-only, arcs.js), drawn again
 * whenever htmx swaps in a new gold text (after accepting a span or a link, say). */
import { setupGoldArcs } from "./arcs.js";

let layer = null;
let drawnOn; // the gold text the arcs are drawn on
function start() {
  const text = document.getElementById("gold-text");
  if (text === drawnOn) return; // another part of the page was swapped
  drawnOn = text;
  if (layer) layer.stop();
  layer = setupGoldArcs();
}
start();
document.body.addEventListener("htmx:afterSettle", start);
