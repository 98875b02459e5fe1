import { beforeAll, describe, expect, it } from 'vitest'
import { measureSizes, overCeiling, overLimit, type Sizes } from '../bench/size.ts'

/**
 * What an app ships, bundled as apps bundle it (Rolldown as in Vite 8, and esbuild; minified,
 * gzip -9): byte counts are deterministic, so the limits are asserted here and the figures
 * printed; timings stay in `npm run bench`.
 */
describe('@authlens/sdk size (the programs of the SDK contract)', () => {
  let sizes: Sizes
  beforeAll(async () => {
    sizes = await measureSizes()
  }, 60_000)

  it('each program and adapter stays within its limit, with either bundler (the JWT app: within its ceiling until it is)', () => {
    const { figures } = sizes
    for (const figure of figures) {
      const over = overLimit(figure) ? `; OVER the ${figure.limit} B limit, ceiling ${figure.ceiling} B` : ''
      console.info(`${figure.name}: ${figure.rolldown} B (Rolldown), ${figure.esbuild} B (esbuild); limit ${figure.limit} B${over}`)
    }
    expect(figures.filter(overCeiling).map((figure) => figure.name)).toEqual([])
    // Only the JWT app may be over its limit, and only under its ceiling.
    expect(figures.filter((figure) => overLimit(figure) && figure.ceiling === undefined).map((figure) => figure.name)).toEqual([])
  })

  it('the JWT app carries none of what it did not import: no session strategy, storage fallback, devtools bridge, DPoP or React', () => {
    const { jwt } = sizes
    const modules = jwt.modules.map(([path]) => path)
    expect(modules).toEqual(expect.arrayContaining(['client.ts', 'strategies/jwt/index.ts', 'refresh/cross-tab.ts', 'login/json.ts', 'storage/memory.ts']))
    for (const absent of ['strategies/session.ts', 'storage/fallback.ts', 'storage/web-storage.ts', 'storage/cookie.ts', 'devtools/bridge.ts', 'login/custom.ts', 'dpop/index.ts', 'dpop/proof.ts', 'dpop/key-store.ts', 'encoding.ts']) {
      expect(modules, absent).not.toContain(absent)
    }
    expect(modules.some((path) => path.includes('react') || path.includes('axios'))).toBe(false)
  })
})
