import { defineManifest } from '@crxjs/vite-plugin'
import packageJson from '../package.json' with { type: 'json' }

/**
 * MV3 manifest. Permissions are the minimum the panel needs: `cookies` to list the inspected
 * origin's cookies with their HttpOnly/Secure/SameSite/Partitioned flags, and host access because
 * `chrome.cookies` only answers for hosts the extension may access and the content script must read
 * Web Storage on whatever site is inspected. No `storage`, `tabs`, `scripting` or `webRequest`:
 * the panel never persists anything (E16) and reads the network through DevTools, not the browser.
 * No `externally_connectable`: web pages cannot message the extension at all (E17).
 */
export const CONTENT_SECURITY_POLICY = "script-src 'self'; object-src 'self'; base-uri 'none'"
/** `npm run dev` only: @crxjs loads modules from the Vite server, which MV3 allows on localhost for unpacked extensions. */
export const DEV_SERVER_ORIGIN = 'http://localhost:5174'

export default defineManifest(({ command }) => ({
  manifest_version: 3,
  name: 'AuthLens DevTools',
  short_name: 'AuthLens',
  description: packageJson.description,
  version: packageJson.version,
  minimum_chrome_version: '119',
  devtools_page: 'src/devtools/devtools.html',
  background: { service_worker: 'src/background/index.ts', type: 'module' },
  content_scripts: [
    {
      matches: ['<all_urls>'],
      js: ['src/content/content.iife.ts'],
      // Early, so an SDK that announces itself while the page loads is not missed.
      run_at: 'document_start',
      all_frames: false,
    },
  ],
  permissions: ['cookies'],
  host_permissions: ['<all_urls>'],
  // E14: the MV3 default spelled out and tightened; no 'unsafe-inline', no 'unsafe-eval', no remote hosts.
  content_security_policy: {
    extension_pages: command === 'serve' ? CONTENT_SECURITY_POLICY.replace("script-src 'self'", `script-src 'self' ${DEV_SERVER_ORIGIN}`) : CONTENT_SECURITY_POLICY,
  },
}))
