/**
 * The dashboard's static files (web/dist, built by scripts/build-web.js). They hold no data, so
 * they are served without the bearer token: a browser cannot send a header when it opens `/`,
 * and the login screen must load before the token is known. The Origin rule still applies.
 */
import path from 'node:path';

export const DASHBOARD_DIST = path.resolve(__dirname, '..', '..', 'web', 'dist');
