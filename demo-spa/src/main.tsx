import './styles.css'
import { backendInWorker } from './app/runtime.ts'
import { demoBackendOptions } from './backend-options.ts'

if (backendInWorker) {
  const { startBrowserMock } = await import('@authlens/mock-server/browser')
  await startBrowserMock(demoBackendOptions)
}

// Imported only now: loading the app creates the first auth client, whose restore asks the
// backend, so the backend (the service worker, in worker mode) has to be answering first.
const { render } = await import('./render.tsx')
const container = document.getElementById('root')
if (!container) throw new Error('index.html has no #root element')
render(container)
