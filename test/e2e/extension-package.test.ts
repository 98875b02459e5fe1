import { execFile } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { inflateRawSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { extensionRoot } from '../helpers/extension-build.ts'

/**
 * The store packages as `npm run package -w extension` writes them: the Chrome Web Store zip, the
 * Firefox add-on zip and the source archive AMO asks for, and Mozilla's own linter over the
 * Firefox build (`web-ext lint`, addons-linter inside): no errors.
 */

const run = promisify(execFile)
const repository = fileURLToPath(new URL('../../', import.meta.url))
const packages = join(extensionRoot, 'packages')
const version = (JSON.parse(readFileSync(join(extensionRoot, 'package.json'), 'utf8')) as { version: string }).version

/** Entries of a zip, read from its central directory, each inflated: what a store unpacks. */
function unzip(file: string): Map<string, Buffer> {
  const data = readFileSync(file)
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  const count = data.readUInt16LE(end + 10)
  const entries = new Map<string, Buffer>()
  for (let at = data.readUInt32LE(end + 16), i = 0; i < count; i++) {
    const method = data.readUInt16LE(at + 10)
    const size = data.readUInt32LE(at + 20)
    const nameLength = data.readUInt16LE(at + 28)
    const local = data.readUInt32LE(at + 42)
    const name = data.subarray(at + 46, at + 46 + nameLength).toString('utf8')
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28)
    const body = data.subarray(start, start + size)
    entries.set(name, method === 8 ? inflateRawSync(body) : Buffer.from(body))
    at += 46 + nameLength + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32)
  }
  return entries
}

const filesOf = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort()

describe('store packages', () => {
  beforeAll(async () => {
    await run('npm', ['run', 'package', '-w', 'extension'], { cwd: repository, maxBuffer: 16 * 1024 * 1024 })
  }, 120_000)

  it('writes the Chrome and Firefox zips (the built extension at their root) and the source archive into one folder', () => {
    const base = `authlens-devtools-${version}`
    expect(readdirSync(packages).sort()).toEqual([`${base}-chrome.zip`, `${base}-firefox.zip`, `${base}-source.zip`])
    for (const [browser, dist] of [['chrome', 'dist'], ['firefox', 'dist-firefox']] as const) {
      const entries = unzip(join(packages, `${base}-${browser}.zip`))
      expect([...entries.keys()].sort(), browser).toEqual(filesOf(join(extensionRoot, dist)))
      for (const [name, bytes] of entries) expect(bytes.equals(readFileSync(join(extensionRoot, dist, name))), `${browser}: ${name}`).toBe(true)
      const manifest = JSON.parse(entries.get('manifest.json')?.toString() ?? '{}') as { icons: Record<string, string>; background: object }
      expect(Object.keys(manifest.icons)).toEqual(['16', '32', '48', '128'])
      for (const icon of Object.values(manifest.icons)) expect(entries.get(icon)?.subarray(1, 4).toString(), icon).toBe('PNG')
      expect(Object.keys(manifest.background)).toContain(browser === 'chrome' ? 'service_worker' : 'scripts')
    }
    const source = unzip(join(packages, `${base}-source.zip`))
    for (const file of ['package.json', 'package-lock.json', 'extension/README.md', 'extension/vite.config.ts', 'extension/src/manifest.ts', 'sdk/src/devtools/protocol.ts']) {
      expect(source.get(file)?.equals(readFileSync(join(repository, file))), file).toBe(true)
    }
    expect([...source.keys()].some((name) => name.startsWith('extension/dist') || name.includes('node_modules/'))).toBe(false)
  })

  it('web-ext lint (addons-linter) finds no errors in the Firefox build', async () => {
    const webExt = join(repository, 'node_modules', '.bin', 'web-ext')
    const { stdout } = await run(webExt, ['lint', '--source-dir', join(extensionRoot, 'dist-firefox'), '--output', 'json', '--no-config-discovery'], { maxBuffer: 16 * 1024 * 1024 })
    const report = JSON.parse(stdout) as { errors: Array<{ code: string; message: string; file?: string }>; warnings: Array<{ code: string; file?: string }> }
    console.info(`web-ext lint warnings: ${report.warnings.map((w) => `${w.code} (${w.file ?? ''})`).join(', ') || 'none'}`)
    expect(report.errors).toEqual([])
  }, 60_000)
})
