import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import packageJson from '../package.json' with { type: 'json' }
import { zip, type ZipEntry } from './zip.ts'

/**
 * `npm run package -w extension`: builds the extension for Chrome and for Firefox and writes, into
 * extension/packages/, what the stores take:
 *   authlens-devtools-<version>-chrome.zip    the Chrome Web Store upload (dist/ at the zip root)
 *   authlens-devtools-<version>-firefox.zip   the addons.mozilla.org upload (dist-firefox/)
 *   authlens-devtools-<version>-source.zip    the source AMO asks for with bundled code: every file
 *                                             of this repository under version control, with the
 *                                             build steps in extension/README.md
 */

const root = fileURLToPath(new URL('..', import.meta.url))
const repository = join(root, '..')
const out = join(root, 'packages')
const vite = join(repository, 'node_modules', 'vite', 'bin', 'vite.js')

function filesUnder(dir: string): ZipEntry[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name)
      return { name: relative(dir, path).split('\\').join('/'), data: readFileSync(path) }
    })
}

function build(mode: 'chrome' | 'firefox'): string {
  // A shell's NODE_ENV=development (or Vitest's "test") would make Vite build the development bundle.
  execFileSync(process.execPath, [vite, 'build', '--configLoader', 'runner', '--logLevel', 'warn', ...(mode === 'firefox' ? ['--mode', 'firefox'] : [])], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  })
  return join(root, mode === 'firefox' ? 'dist-firefox' : 'dist')
}

function sourceFiles(): ZipEntry[] {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: repository, encoding: 'utf8' }).split('\0').filter(Boolean)
  return listed.filter((name) => statSync(join(repository, name), { throwIfNoEntry: false })?.isFile()).map((name) => ({ name, data: readFileSync(join(repository, name)) }))
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
const base = `authlens-devtools-${packageJson.version}`
const written = [
  [`${base}-chrome.zip`, filesUnder(build('chrome'))],
  [`${base}-firefox.zip`, filesUnder(build('firefox'))],
  [`${base}-source.zip`, sourceFiles()],
] as const
for (const [name, entries] of written) {
  const archive = zip(entries)
  writeFileSync(join(out, name), archive)
  console.log(`${name.padEnd(36)} ${(archive.length / 1024).toFixed(1).padStart(8)} KiB  (${entries.length} files)`)
}
console.log(`in ${out}`)
