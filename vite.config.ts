import { configDefaults, defineConfig } from 'vitest/config'

/** Conformance tests that drive Chromium run with the e2e tests: one browser at a time. */
const conformanceInChromium = ['conformance/oidc-provider.test.ts']

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'mock-server',
          root: './mock-server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'sdk',
          root: './sdk',
          include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'demo-spa',
          root: './demo-spa',
          include: ['src/**/*.test.ts', 'server/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          root: './test',
          include: ['sdk/**/*.test.ts', 'sdk/**/*.test.tsx'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'conformance',
          root: './test',
          include: ['conformance/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...conformanceInChromium],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'extension',
          root: './extension',
          include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          root: './test',
          include: ['e2e/**/*.test.ts', ...conformanceInChromium],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One Chromium at a time: these machines have two cores.
          fileParallelism: false,
        },
      },
    ],
  },
})
