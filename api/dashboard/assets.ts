/**
 * The dashboard's static files (web/dist, built by scripts/build-web.js). They hold no data, so
 * they are served without the bearer token: a browser cannot send a header when it opens `/`,
 * and the login screen must load before the token is known. The Origin rule still applies.
 * `GET /api/dashboard/auth` is open too: it says only whether a token is required, so the page
 * shows its login screen without a refused request first.
 */
import path from 'node:path';

export const DASHBOARD_DIST = path.resolve(__dirname, '..', '..', 'web', 'dist');

export const DASHBOARD_ASSETS: ReadonlySet<string> = new Set(['/', '/index.html', '/app.js', '/app.js.map', '/app.css', '/api/dashboard/auth']);

/** True for a GET or HEAD of one of the dashboard's static files or its auth probe. */
export function isDashboardAsset(method: string, url: string): boolean {
  return (method === 'GET' || method === 'HEAD') && DASHBOARD_ASSETS.has(url.split('?')[0]);
}
