import { setupServer } from 'msw/node'
import { createMockBackend, type MockBackend } from '../backend.ts'
import type { MockBackendOptions } from '../config.ts'

/**
 * The backend inside a Node process (tests): MSW intercepts `fetch` and friends. Call `listen()`
 * on the returned server, `close()` when done.
 */
export function setupMockServer(options?: MockBackendOptions): { backend: MockBackend; server: ReturnType<typeof setupServer> } {
  const backend = createMockBackend(options)
  return { backend, server: setupServer(...backend.handlers) }
}
