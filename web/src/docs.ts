/**
 * The API reference page (`/docs`, web/docs.html): starts Swagger UI on this origin's OpenAPI
 * document (`/openapi.json`, named by the page's `data-openapi`). A script file rather than the usual inline `<script>`, so the page runs under the same
 * Content-Security-Policy as the dashboard (`script-src 'self'`), locally and from S3.
 */

/** The part of swagger-ui-bundle.js's global used here. */
interface SwaggerUIBundleFn {
  (options: { url: string; dom_id: string; deepLinking?: boolean; validatorUrl?: string | null }): unknown;
}

declare global {
  interface Window {
    SwaggerUIBundle?: SwaggerUIBundleFn;
  }
}

export {};

const start = window.SwaggerUIBundle;
const root = document.getElementById('swagger-ui');
if (!start || !root) {
  document.body.textContent = 'Swagger UI did not load from /docs/assets/swagger-ui-dist/swagger-ui-bundle.js; run npm install and restart the server.';
} else {
  // The page names the document it describes (data-openapi), so the HTML says what it shows.
  // No validator badge: it is an image from validator.swagger.io, which the CSP (img-src 'self') blocks.
  start({ url: root.dataset.openapi ?? '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: 'none' });
}
