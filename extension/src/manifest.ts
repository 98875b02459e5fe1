import { defineManifest } from '@crxjs/vite-plugin'
import packageJson from '../package.json' with { type: 'json' }

/**
 * MV3 manifest, for Chrome and for Firefox from the same sources. Permissions are the minimum the
 * panel needs: `cookies` to list the inspected origin's cookies with their HttpOnly/Secure/
 * SameSite/Partitioned flags, and host access because the cookies API only answers for hosts the
 * extension may access and the content script must read Web Storage on whatever site is inspected.
 * No `storage`, `tabs`, `scripting` or `webRequest`: the panel never persists anything (E16) and
 * reads the network through DevTools, not the browser. No `externally_connectable`: web pages
 * cannot message the extension at all (E17).
 *
 * Firefox differs in two places: its MV3 runs background scripts, not a service worker, and
 * add-ons carry an id and declare what data they collect (none).
 */
export const CONTENT_SECURITY_POLICY = "script-src 'self'; object-src 'self'; base-uri 'none'"
/** `npm run dev` only: @crxjs loads modules from the Vite server, which MV3 allows on localhost for unpacked extensions. */
export const DEV_SERVER_ORIGIN = 'http://localhost:5174'
export const FIREFOX_ADDON_ID = 'authlens-devtools@authlens.dev'

export type TargetBrowser = 'chrome' | 'firefox'

const ICONS = { 16: 'icons/icon-16.png', 32: 'icons/icon-32.png', 48: 'icons/icon-48.png', 128: 'icons/icon-128.png' }

export const manifestFor = (browser: TargetBrowser) =>
  defineManifest(({ command }) => ({
    manifest_version: 3,
    name: 'AuthLens DevTools',
    short_name: 'AuthLens',
    description: packageJson.description,
    version: packageJson.version,
    icons: ICONS,
    devtools_page: 'src/devtools/devtools.html',
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
    ...(browser === 'chrome'
      ? { minimum_chrome_version: '119', background: { service_worker: 'src/background/index.ts', type: 'module' } }
      : {
          background: { scripts: ['src/background/index.ts'] },
          browser_specific_settings: {
            // 140: the first Firefox that reads `data_collection_permissions`, which AMO requires.
            gecko: { id: FIREFOX_ADDON_ID, strict_min_version: '140.0', data_collection_permissions: { required: ['none'] } },
          },
        }),
  }))

export default manifestFor('chrome')
