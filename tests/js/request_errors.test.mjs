// Run with: node --test tests/js/
import test from "node:test";
import assert from "node:assert";
import { refusalMessage } from "../../static/js/request_errors.js";

/** A stand-in for DOMParser: finds the error box's paragraph by a regular expression. */
function parse(html) {
  const found = /<div class="error-box"[^>]*>.*?<p>(.*?)<\/p>/s.exec(html);
  return { querySelector: () => (found ? { textContent: found[1] } : null) };
}

test("a refusal shows the server's message, which names the field and reason", () => {
  const html = '<div class="error-box" role="alert"><h1>422</h1><p>text: write 1 to 2000 characters</p></div>';
  assert.strictEqual(refusalMessage(422, html, parse), "text: write 1 to 2000 characters");
});

test("an answer without an error box still says what happened, with its status", () => {
  assert.strictEqual(refusalMessage(502, "Bad Gateway", parse), "The server refused the request (HTTP 502).");
  assert.strictEqual(refusalMessage(500, "", parse), "The server refused the request (HTTP 500).");
});
