import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import manifest, { CONTENT_SECURITY_POLICY, DEV_SERVER_ORIGIN, FIREFOX_ADDON_ID, manifestFor } from './manifest.ts'

/**
 * Guards that hold for the source, checked without a browser (the e2e test checks the built
 * extension in Chromium): the manifest's CSP and permissions, and which APIs the code may touch.
 */

const root = fileURLToPath(new URL('.', import.meta.url))
/** Shipped source files: no tests, no test helpers, no type declarations. */
const isShipped = (name: string) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts') && name !== 'testing.ts'
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return e.name === 'testing' ? [] : sources(join(dir, e.name))
    return isShipped(e.name) ? [join(dir, e.name)] : []
  })
const readRaw = (file: string) => readFileSync(file, 'utf8')
/** The code alone: comments and string literals removed, so prose about an API is not a use of it. */
const read = (file: string) =>
  readRaw(file)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:\\])\/\/.*$/gm, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''")
const relative = (file: string) => file.slice(root.length)

describe('manifest and source guards', () => {
  it('E14 MV3 with a CSP free of unsafe-inline/eval and remote hosts; minimal permissions; no external messaging', () => {
    // As `vite build` resolves it; `vite` (dev) adds only the local dev server to script-src.
    const resolved = typeof manifest === 'function' ? manifest({ command: 'build', mode: 'production' }) : manifest
    const m = resolved instanceof Promise ? null : resolved
    expect(m).not.toBeNull()
    expect(m?.manifest_version).toBe(3)
    expect(m?.content_security_policy?.extension_pages).toBe(CONTENT_SECURITY_POLICY)
    expect(CONTENT_SECURITY_POLICY).toMatch(/^script-src 'self'; object-src 'self'/)
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|https?:|\*/)
    expect(m?.permissions).toEqual(['cookies'])
    expect(m?.externally_connectable).toBeUndefined()
    expect(m?.web_accessible_resources).toBeUndefined()
    expect(m?.content_scripts?.[0]).toMatchObject({ run_at: 'document_start', all_frames: false })
  })

  it('Firefox gets the same pages, permissions and CSP, with background scripts, an add-on id and no data collected', () => {
    const resolve = (browser: 'chrome' | 'firefox') => {
      const built = manifestFor(browser)
      const m = typeof built === 'function' ? built({ command: 'build', mode: 'production' }) : built
      if (m instanceof Promise) throw new Error('the manifest is built synchronously')
      return m
    }
    const [chrome, firefox] = [resolve('chrome'), resolve('firefox')]
    const { background: chromeBackground, minimum_chrome_version: _, ...shared } = chrome
    expect(chromeBackground).toEqual({ service_worker: 'src/background/index.ts', type: 'module' })
    const { background, browser_specific_settings: gecko, ...rest } = firefox
    expect(rest).toEqual(shared)
    expect(background).toEqual({ scripts: ['src/background/index.ts'] })
    expect(gecko).toEqual({ gecko: { id: FIREFOX_ADDON_ID, strict_min_version: '140.0', data_collection_permissions: { required: ['none'] } } })
    expect(firefox.icons).toEqual({ 16: 'icons/icon-16.png', 32: 'icons/icon-32.png', 48: 'icons/icon-48.png', 128: 'icons/icon-128.png' })
  })

  it('E14 the dev server build allows only the local Vite server besides itself', () => {
    const dev = typeof manifest === 'function' ? manifest({ command: 'serve', mode: 'development' }) : manifest
    const csp = dev instanceof Promise ? '' : (dev.content_security_policy?.extension_pages ?? '')
    expect(csp).toBe(`script-src 'self' ${DEV_SERVER_ORIGIN}; object-src 'self'; base-uri 'none'`)
  })

  it('E14 no code is fetched or evaluated at run time', () => {
    for (const file of sources(root)) {
      const text = readRaw(file)
      // The global eval; `inspectedWindow.eval` is a DevTools method, not code evaluated here.
      expect(text, relative(file)).not.toMatch(/(?<![.\w$])eval\(|new Function\(|importScripts\(|import\(\s*['"`]https?:/)
    }
  })

  it('E16 nothing is persisted: no chrome.storage, Web Storage writes, IndexedDB or Cache Storage', () => {
    for (const file of sources(root)) {
      const text = read(file)
      expect(text, relative(file)).not.toMatch(/chrome\.storage|\.setItem\(|indexedDB|caches\.|document\.cookie\s*=/)
    }
  })

  it('E18 the content script adds nothing to the page: no DOM writes, no script injection, no page-world globals', () => {
    for (const file of sources(join(root, 'content'))) {
      const text = read(file)
      expect(text, relative(file)).not.toMatch(/createElement|appendChild|append\(|insertAdjacent|innerHTML|outerHTML|setAttribute|attachShadow|chrome\.scripting|world:\s*['"]MAIN/)
      expect(text, relative(file)).not.toMatch(/\bwindow\.\w+\s*=[^=]|globalThis\.\w+\s*=[^=]/)
    }
  })

  it('chrome.* and the DOM stay at the edges: the core and the protocol never touch them', () => {
    for (const dir of ['core', 'protocol', 'transport']) {
      for (const file of sources(join(root, dir))) expect(read(file), relative(file)).not.toMatch(/\bchrome\.|\bdocument\.|\bwindow\./)
    }
  })
})
