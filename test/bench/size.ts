import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { rolldown, type OutputChunk, type Plugin } from 'rolldown'
import { table, type Budget, type SuiteResult } from './measure.ts'

// Size: min+gzip of what an app ships, bundled for production the way apps are: by Rolldown with
// its minifier (what Vite 8 runs) and, as a second opinion, by esbuild. Tree-shaken, ESM, browser.

const KB = 1024
const benchDir = fileURLToPath(new URL('.', import.meta.url))
/** The app: a virtual module beside this file, so that its imports resolve from here. */
const APP = `${benchDir}size-app.ts`
const kb = (bytes: number) => `${(bytes / KB).toFixed(2)} KB`
const gzipped = (code: string | Uint8Array) => gzipSync(code, { level: 9 }).length
const EXTERNAL = ['react', 'react-dom', 'axios']

interface Bundle {
  minified: number
  gzipped: number
  esbuildGzipped: number
  /** Rendered (pre-minify) bytes per module, for shares. */
  modules: Array<[string, number]>
}

async function bundle(source: string): Promise<Bundle> {
  const app: Plugin = { name: 'size-app', resolveId: (id) => (id === APP ? id : undefined), load: (id) => (id === APP ? source : undefined) }
  const rolled = await rolldown({ input: APP, plugins: [app], external: EXTERNAL, platform: 'browser', logLevel: 'silent' })
  const { output } = await rolled.generate({ format: 'esm', minify: true, comments: { legal: false }, codeSplitting: false })
  await rolled.close()
  const chunk = output[0] as OutputChunk
  const esbuilt = await build({
    stdin: { contents: source, resolveDir: benchDir, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    external: EXTERNAL,
    logLevel: 'silent',
  })
  return {
    minified: chunk.code.length,
    gzipped: gzipped(chunk.code),
    esbuildGzipped: gzipped(esbuilt.outputFiles[0]!.contents),
    modules: Object.entries(chunk.modules)
      .filter(([id, module]) => id !== APP && module.renderedLength > 0)
      .map(([id, module]) => [id.replace(/^.*(node_modules|sdk\/src)\//, ''), module.renderedLength]),
  }
}

const core = `import { createAuthClient } from '../../sdk/src/index.ts'\nexport const auth = createAuthClient({ baseURL: '/api' })\n`

export async function sizeBench(): Promise<SuiteResult> {
  const [sdk, react, axiosAdapter, oidc, auth0] = await Promise.all([
    bundle(core),
    bundle(`${core}export * from '../../sdk/src/react/index.ts'\n`),
    bundle(`${core}export * from '../../sdk/src/axios/index.ts'\n`),
    bundle(
      `import { UserManager } from 'oidc-client-ts'\nexport const auth = new UserManager({ authority: 'https://auth.example', client_id: 'app', redirect_uri: 'https://app.example/callback' })\n`,
    ),
    bundle(`import { createAuth0Client } from '@auth0/auth0-spa-js'\nexport const auth = await createAuth0Client({ domain: 'auth.example', clientId: 'app' })\n`),
  ])
  const reactExtra = react.gzipped - sdk.gzipped
  const axiosExtra = axiosAdapter.gzipped - sdk.gzipped
  const vsCore = (bytes: number) => `${(bytes / sdk.gzipped).toFixed(2)}×`
  const overLimit = sdk.gzipped > 6 * KB
  const moduleTotal = sdk.modules.reduce((sum, [, bytes]) => sum + bytes, 0)

  const report = [
    '## SDK size (Rolldown as in a Vite 8 production build, and esbuild: minified, ESM, browser, tree-shaken; gzip -9)',
    '',
    table(
      ['bundle', 'minified', 'min+gzip', 'min+gzip (esbuild)', 'vs AuthLens core'],
      [
        ['AuthLens core (createAuthClient, its JWT decoder and zustand included)', kb(sdk.minified), kb(sdk.gzipped), kb(sdk.esbuildGzipped), '1.00×'],
        ['AuthLens react adapter, beyond the core (react external)', kb(react.minified - sdk.minified), kb(reactExtra), kb(react.esbuildGzipped - sdk.esbuildGzipped), '—'],
        ['AuthLens axios adapter, beyond the core (axios external)', kb(axiosAdapter.minified - sdk.minified), kb(axiosExtra), kb(axiosAdapter.esbuildGzipped - sdk.esbuildGzipped), '—'],
        ['oidc-client-ts (new UserManager)', kb(oidc.minified), kb(oidc.gzipped), kb(oidc.esbuildGzipped), vsCore(oidc.gzipped)],
        ['@auth0/auth0-spa-js (createAuth0Client)', kb(auth0.minified), kb(auth0.gzipped), kb(auth0.esbuildGzipped), vsCore(auth0.gzipped)],
      ],
    ),
    '',
    `Core target ≤ 5 KB: ${sdk.gzipped <= 5 * KB ? 'met' : 'missed'}; hard limit ≤ 6 KB: ${overLimit ? 'exceeded' : 'met'} (${kb(sdk.gzipped)}).`,
    'Licence comments dropped for all. @auth0/auth0-spa-js publishes one pre-bundled ESM file with its',
    'dependencies inside, so tree-shaking removes little of it.',
    '',
    table(
      [`core by module${overLimit ? ' (over the 6 KB limit)' : ''}`, 'share of the code', '≈ gzip'],
      sdk.modules
        .sort((a, b) => b[1] - a[1])
        .map(([path, bytes]) => [path, `${((bytes / moduleTotal) * 100).toFixed(1)}%`, `${Math.round((bytes / moduleTotal) * sdk.gzipped)} B`]),
    ),
  ].join('\n')

  const budgets: Budget[] = [
    { description: `core min+gzip ≤ 6 KB hard limit (target 5 KB): ${kb(sdk.gzipped)}`, ok: !overLimit },
    { description: `react adapter beyond the core ≤ 1.5 KB: ${kb(reactExtra)}`, ok: reactExtra <= 1.5 * KB },
    { description: `axios adapter beyond the core ≤ 1.5 KB: ${kb(axiosExtra)}`, ok: axiosExtra <= 1.5 * KB },
  ]
  return { report, budgets }
}
