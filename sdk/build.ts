/**
 * `npm run build -w sdk` writes the publishable package to `dist/`: ESM JavaScript and type
 * declarations compiled from `src/`, this README, and a package.json whose `exports` name the
 * compiled files. In this repository the workspace resolves to `src/` (no build step for the demo,
 * the extension or the tests); `dist/` is what `npm publish dist` would ship.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const pkg = JSON.parse(readFileSync(here('./package.json'), 'utf8')) as Record<string, unknown> & { exports: Record<string, string> }

rmSync(here('./dist'), { recursive: true, force: true })
execFileSync(process.execPath, [here('../node_modules/typescript/bin/tsc'), '-p', here('./tsconfig.build.json')], { stdio: 'inherit' })

const compiled = (source: string) => source.replace(/^\.\/src\//, './').replace(/\.ts$/, '')
const { exports, scripts: _scripts, devDependencies: _dev, ...fields } = pkg
const manifest = {
  ...fields,
  exports: Object.fromEntries(
    Object.entries(exports).map(([subpath, source]) => [subpath, { types: `${compiled(source)}.d.ts`, default: `${compiled(source)}.js` }]),
  ),
}
writeFileSync(here('./dist/package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
copyFileSync(here('./README.md'), here('./dist/README.md'))
