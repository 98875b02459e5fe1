import { defineConfig } from 'vitest/config'

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
          include: ['src/**/*.test.ts'],
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
          include: ['e2e/**/*.test.ts'],
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
