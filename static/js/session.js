/* Who is logged in now, asked when the server said the session ended (401). The queue resumes
 * only for the account that made its changes; the page is fetched again (marked as a fetch, so
 * the server answers 401 instead of redirecting) and read for its account and CSRF token. */

/** {state: "out"} | {state: "same", csrf} | {state: "other"} | {state: "unknown"} */
export async function whoIsLoggedIn({ fetch, url, account, parse }) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", redirect: "manual",
      headers: { "X-Requested-With": "fetch" } });
  } catch (e) {
    return { state: "unknown" };
  }
  if (response.status === 401 || response.status === 0) return { state: "out" };
  // Another account that is no member of the project gets 404 (or 403) for this page.
  if (response.status === 403 || response.status === 404) return { state: "other" };
  if (!response.ok) return { state: "unknown" };
  const { account: now, csrf } = parse(await response.text());
  if (!now) return { state: "unknown" };
  return now === account ? { state: "same", csrf } : { state: "other" };
}

/** The account id and CSRF token of a rendered workspace page (browser only: DOMParser). */
export function readPage(html) {
  const page = new DOMParser().parseFromString(html, "text/html");
  const workspace = page.getElementById("workspace");
  const meta = page.querySelector('meta[name="csrf-token"]');
  return { account: workspace ? workspace.dataset.account : null, csrf: meta ? meta.content : null };
}
