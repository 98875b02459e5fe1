import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { rolldown, type OutputChunk, type Plugin } from 'rolldown'
import { table, type Budget, type SuiteResult } from './measure.ts'

// Size: min+gzip of what an app ships, bundled for production the way apps are: by Rolldown with
// its minifier (what Vite 8 runs) and by esbuild. Tree-shaken, ESM, browser, gzip -9; react and
// axios external. Byte counts are deterministic, so `test/sdk/size.test.ts` asserts the limits.

const KB = 1024
const benchDir = fileURLToPath(new URL('.', import.meta.url))
/** The app: a virtual module beside this file, so that its imports resolve from here. */
const APP = `${benchDir}size-app.ts`
const kb = (bytes: number) => `${(bytes / KB).toFixed(2)} KB`
const gzipped = (code: string | Uint8Array) => gzipSync(code, { level: 9 }).length
const EXTERNAL = ['react', 'react-dom', 'axios']
const SDK = '../../sdk/src'

/** The programs the SDK contract fixes (DESIGN.md, "SDK contract"); the budgets are theirs. */
export const PROGRAMS = {
  jwt: `import { createAuthClient, jwt } from '${SDK}/index.ts'\nexport const auth = createAuthClient({ baseURL: '/api', strategy: jwt() })\n`,
  session: `import { createAuthClient, session } from '${SDK}/index.ts'\nexport const auth = createAuthClient({ baseURL: '/api', strategy: session() })\n`,
  /** The app behind a backend-for-frontend: what `/bff` adds is measured against the session app. */
  bff: `import { createAuthClient } from '${SDK}/index.ts'\nimport { bff } from '${SDK}/bff/index.ts'\nexport const auth = createAuthClient({ baseURL: '/bff/api', strategy: bff() })\n`,
  /** The JWT app signing in with OpenID Connect: what `/oidc` adds is measured against the JWT app. */
  oidc: `import { createAuthClient, jwt } from '${SDK}/index.ts'\nimport { oidc } from '${SDK}/oidc/index.ts'\nexport const auth = createAuthClient({ baseURL: '/api', strategy: jwt({ login: oidc({ issuer: 'https://auth.example', clientId: 'app', redirectUri: 'https://app.example/callback' }) }) })\n`,
  /** The OIDC app with DPoP: what `/dpop` adds is measured against the OIDC app. */
  dpop: `import { createAuthClient, jwt } from '${SDK}/index.ts'\nimport { oidc } from '${SDK}/oidc/index.ts'\nimport { dpop } from '${SDK}/dpop/index.ts'\nexport const auth = createAuthClient({ baseURL: '/api', strategy: jwt({ login: oidc({ issuer: 'https://auth.example', clientId: 'app', redirectUri: 'https://app.example/callback' }), dpop: dpop() }) })\n`,
}

interface Bundle {
  minified: number
  /** min+gzip by Rolldown and by esbuild. */
  rolldown: number
  esbuild: number
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
    rolldown: gzipped(chunk.code),
    esbuild: gzipped(esbuilt.outputFiles[0]!.contents),
    modules: Object.entries(chunk.modules)
      .filter(([id, module]) => id !== APP && module.renderedLength > 0)
      .map(([id, module]) => [id.replace(/^.*(node_modules|sdk\/src)\//, ''), module.renderedLength]),
  }
}

export interface SizeFigure {
  name: string
  /** min+gzip bytes by each bundler (for an adapter: beyond the JWT app). */
  rolldown: number
  esbuild: number
  limit: number
  goal?: number
  /**
   * Where a program is over its limit today: the most it may weigh until it is brought under,
   * so it cannot grow meanwhile. The JWT app is over the contract's 6 KB (see the bench report).
   */
  ceiling?: number
}

export interface Sizes {
  figures: SizeFigure[]
  jwt: Bundle
  anchors: Array<{ name: string; bundle: Bundle }>
}

/** The SDK's programs and adapters, with their limits; the anchors only when asked (slower). */
export async function measureSizes({ anchors = false } = {}): Promise<Sizes> {
  const [jwtApp, sessionApp, bffApp, react, axiosAdapter, oidcApp, dpopApp, ...others] = await Promise.all([
    bundle(PROGRAMS.jwt),
    bundle(PROGRAMS.session),
    bundle(PROGRAMS.bff),
    bundle(`${PROGRAMS.jwt}export * from '${SDK}/react/index.ts'\n`),
    bundle(`${PROGRAMS.jwt}export * from '${SDK}/axios/index.ts'\n`),
    bundle(PROGRAMS.oidc),
    bundle(PROGRAMS.dpop),
    ...(anchors
      ? [
          bundle(`import { UserManager } from 'oidc-client-ts'\nexport const auth = new UserManager({ authority: 'https://auth.example', client_id: 'app', redirect_uri: 'https://app.example/callback' })\n`),
          bundle(`import { createAuth0Client } from '@auth0/auth0-spa-js'\nexport const auth = await createAuth0Client({ domain: 'auth.example', clientId: 'app' })\n`),
          bundle(`import Keycloak from 'keycloak-js'\nexport const auth = new Keycloak({ url: 'https://auth.example', realm: 'app', clientId: 'app' })\n`),
        ]
      : []),
  ])
  const beyond = (extended: Bundle, base = jwtApp!): Pick<SizeFigure, 'rolldown' | 'esbuild'> => ({
    rolldown: extended.rolldown - base.rolldown,
    esbuild: extended.esbuild - base.esbuild,
  })
  return {
    jwt: jwtApp!,
    figures: [
      { name: 'JWT app: createAuthClient({ strategy: jwt() })', rolldown: jwtApp!.rolldown, esbuild: jwtApp!.esbuild, limit: 6 * KB, goal: 5 * KB, ceiling: 6.35 * KB },
      { name: 'session app: createAuthClient({ strategy: session() })', rolldown: sessionApp!.rolldown, esbuild: sessionApp!.esbuild, limit: 4 * KB, goal: 3 * KB },
      { name: '@authlens/sdk/bff, beyond the session app', ...beyond(bffApp!, sessionApp!), limit: 0.5 * KB },
      { name: '@authlens/sdk/react, beyond the JWT app', ...beyond(react!), limit: 1.5 * KB },
      { name: '@authlens/sdk/axios, beyond the JWT app', ...beyond(axiosAdapter!), limit: 1.5 * KB },
      { name: '@authlens/sdk/oidc, beyond the JWT app', ...beyond(oidcApp!), limit: 3 * KB },
      { name: '@authlens/sdk/dpop, beyond the OIDC app', ...beyond(dpopApp!, oidcApp!), limit: 1.5 * KB },
    ],
    anchors: anchors
      ? [
          { name: 'oidc-client-ts (new UserManager)', bundle: others[0]! },
          { name: '@auth0/auth0-spa-js (createAuth0Client)', bundle: others[1]! },
          { name: 'keycloak-js (new Keycloak)', bundle: others[2]! },
        ]
      : [],
  }
}

/** Over the hard limit with either bundler. */
export const overLimit = (figure: SizeFigure): boolean => Math.max(figure.rolldown, figure.esbuild) > figure.limit

/** Over what it may weigh now: its ceiling while over its limit, else the limit. */
export const overCeiling = (figure: SizeFigure): boolean => Math.max(figure.rolldown, figure.esbuild) > (figure.ceiling ?? figure.limit)

export async function sizeBench(): Promise<SuiteResult> {
  const { figures, jwt, anchors } = await measureSizes({ anchors: true })
  const vsJwt = (bytes: number) => `${(bytes / jwt.rolldown).toFixed(2)}×`
  const moduleTotal = jwt.modules.reduce((sum, [, bytes]) => sum + bytes, 0)
  const report = [
    '## SDK size (Rolldown as in a Vite 8 production build, and esbuild: minified, ESM, browser, tree-shaken; gzip -9)',
    '',
    table(
      ['program', 'min+gzip (Rolldown)', 'min+gzip (esbuild)', 'hard limit', 'goal', 'vs the JWT app'],
      [
        ...figures.map((figure) => [
          figure.name,
          kb(figure.rolldown),
          kb(figure.esbuild),
          `${kb(figure.limit)}: ${overLimit(figure) ? 'exceeded' : 'met'}`,
          figure.goal ? `${kb(figure.goal)}: ${Math.max(figure.rolldown, figure.esbuild) <= figure.goal ? 'met' : 'missed'}` : '—',
          figure === figures[0] ? '1.00×' : '—',
        ]),
        ...anchors.map(({ name, bundle }) => [name, kb(bundle.rolldown), kb(bundle.esbuild), '—', '—', vsJwt(bundle.rolldown)]),
      ],
    ),
    '',
    'Licence comments dropped for all. @auth0/auth0-spa-js and keycloak-js publish pre-bundled files,',
    'so tree-shaking removes little of them.',
    '',
    table(
      ['JWT app by module', 'share of the code', '≈ gzip'],
      jwt.modules
        .sort((a, b) => b[1] - a[1])
        .map(([path, bytes]) => [path, `${((bytes / moduleTotal) * 100).toFixed(1)}%`, `${Math.round((bytes / moduleTotal) * jwt.rolldown)} B`]),
    ),
  ].join('\n')
  const budgets: Budget[] = figures.map((figure) => ({
    description: `${figure.name} ≤ ${kb(figure.limit)}: ${kb(figure.rolldown)} (Rolldown), ${kb(figure.esbuild)} (esbuild)`,
    ok: !overLimit(figure),
  }))
  return { report, budgets }
}
