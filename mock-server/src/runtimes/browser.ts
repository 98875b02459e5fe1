import { setupWorker, type SetupWorker } from 'msw/browser'
import { createMockBackend, type MockBackend } from '../backend.ts'
import type { MockBackendOptions } from '../config.ts'

/**
 * The backend inside the page, through MSW's service worker: no server needed, e.g. for a static
 * build. Cookies go through `document.cookie` there, so HttpOnly cannot be honoured: anything that
 * depends on real cookie flags needs the HTTP runtime.
 */
export async function startBrowserMock(
  options: MockBackendOptions & { serviceWorkerUrl?: string } = {},
): Promise<{ backend: MockBackend; worker: SetupWorker }> {
  const { serviceWorkerUrl = '/mockServiceWorker.js', ...backendOptions } = options
  const backend = createMockBackend({ origin: location.origin, controls: true, ...backendOptions, cookieJar: 'document' })
  const worker = setupWorker(...backend.handlers)
  await worker.start({ serviceWorker: { url: serviceWorkerUrl }, onUnhandledRequest: 'bypass', quiet: true })
  return { backend, worker }
}
