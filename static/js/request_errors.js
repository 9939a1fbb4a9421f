/* Every htmx request on every page: a refusal (4xx/5xx) or a lost connection is shown in one
 * alert under the header instead of nothing happening (htmx swaps nothing for an error answer).
 * The server's error fragment (templates/_error.html) names the field and reason; that text is
 * shown as it is. The next request that succeeds clears the alert. */

const FALLBACK = {
  send: "The server could not be reached; nothing was changed. Check the connection and try again.",
  timeout: "The server took too long to answer; nothing may have changed. Try again.",
};

/** The message of an error answer: the text of its error box, else its status line. */
export function refusalMessage(status, html, parse) {
  const box = html ? parse(html).querySelector(".error-box p") : null;
  const text = box ? box.textContent.trim() : "";
  return text || `The server refused the request (HTTP ${status}).`;
}

function parseHtml(html) {
  return new DOMParser().parseFromString(html, "text/html");
}

function show(banner, message) {
  banner.textContent = message;
  banner.hidden = false;
}

const banner = typeof document === "undefined" ? null : document.getElementById("request-error");
if (banner) {
  document.body.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    show(banner, refusalMessage(xhr.status, xhr.responseText, parseHtml));
  });
  document.body.addEventListener("htmx:sendError", () => show(banner, FALLBACK.send));
  document.body.addEventListener("htmx:timeout", () => show(banner, FALLBACK.timeout));
  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful) banner.hidden = true;
  });
}
