/* @recogito/text-annotator 4.1.1's UMD build still reads `process.env.NODE_ENV` (from the bundled
   nanostores) and throws "process is not defined" in a browser without this. A separate file because
   the app's CSP (script-src 'self') forbids inline scripts. */
window.process = window.process || { env: { NODE_ENV: "production" } };
