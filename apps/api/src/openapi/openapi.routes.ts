import path from 'node:path';
import { Router } from 'express';
import type { JsonSchema } from './json-schema';

/** Swagger UI's files, served from node_modules: the page works offline and loads nothing from a CDN. */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const SWAGGER_UI_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'];

/**
 * The page loads only files of this origin (script-src 'self'): Swagger UI's bundle and
 * its start-up below as a file of its own, so the API's strict CSP needs no inline script.
 */
const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flock API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
`;

// No validator badge: it would send the document to an outside validator.
const START_SCRIPT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', validatorUrl: null, deepLinking: true });\n`;

/**
 * The OpenAPI document at /openapi.json and a reference page at /docs. Mounted before
 * authentication: the document describes the API and holds no tenant data.
 */
export function openApiRoutes(document: JsonSchema): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  router.get('/docs/start.js', (_req, res) => {
    res.type('application/javascript').send(START_SCRIPT);
  });
  for (const file of SWAGGER_UI_FILES) {
    router.get(`/docs/${file}`, (_req, res, next) => {
      // Dot-folders allowed: pnpm keeps packages under node_modules/.pnpm. The path is ours, never the caller's.
      res.sendFile(path.join(SWAGGER_UI_DIR, file), { maxAge: '1d', dotfiles: 'allow' }, (error) => error && next(error));
    });
  }
  return router;
}
