import { execFile } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

export const extensionRoot = fileURLToPath(new URL('../../extension/', import.meta.url))
export const extensionDist = join(extensionRoot, 'dist')
/** `npm run build:firefox -w extension`: the same sources built as a Firefox add-on. */
export const extensionDistFirefox = join(extensionRoot, 'dist-firefox')

export type TargetBrowser = 'chrome' | 'firefox'
const distOf = (browser: TargetBrowser) => (browser === 'firefox' ? extensionDistFirefox : extensionDist)

function newestSourceMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path))
    else if (!/\.test\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

/**
 * True when the build (`dist/`, or `dist-firefox/`) is missing, is a development build (its
 * worker loads from the Vite server), or is older than any source, icon, config or SDK protocol
 * file it is built from.
 */
export function extensionBuildIsStale(browser: TargetBrowser = 'chrome'): boolean {
  const manifest = join(distOf(browser), 'manifest.json')
  const loader = join(distOf(browser), 'service-worker-loader.js')
  if (!existsSync(manifest) || !existsSync(loader)) return true
  if (readFileSync(loader, 'utf8').includes('localhost')) return true
  const built = statSync(manifest).mtimeMs
  const inputs = [
    newestSourceMtime(join(extensionRoot, 'src')),
    newestSourceMtime(join(extensionRoot, 'public')),
    statSync(join(extensionRoot, 'vite.config.ts')).mtimeMs,
    statSync(join(extensionRoot, 'package.json')).mtimeMs,
    statSync(fileURLToPath(new URL('../../sdk/src/devtools/protocol.ts', import.meta.url))).mtimeMs,
  ]
  return inputs.some((mtime) => mtime > built)
}

/** Builds the unpacked extension with the same command as `npm run build[:firefox] -w extension`, if stale. */
export async function ensureExtensionBuilt(browser: TargetBrowser = 'chrome'): Promise<{ built: boolean; ms: number }> {
  const started = Date.now()
  if (!extensionBuildIsStale(browser)) return { built: false, ms: 0 }
  const vite = fileURLToPath(new URL('../../node_modules/vite/bin/vite.js', import.meta.url))
  await promisify(execFile)(process.execPath, [vite, 'build', '--configLoader', 'runner', '--logLevel', 'warn', ...(browser === 'firefox' ? ['--mode', 'firefox'] : [])], {
    cwd: extensionRoot,
    // Vitest sets NODE_ENV=test, which would make Vite build the development bundle.
    env: { ...process.env, NODE_ENV: 'production' },
    maxBuffer: 16 * 1024 * 1024,
  })
  return { built: true, ms: Date.now() - started }
}
