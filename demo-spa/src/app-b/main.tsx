import '../styles.css'
import { backendInWorker } from '../app/runtime.ts'
import { labRole } from './lab-run.ts'

const container = document.getElementById('root')
if (!container) throw new Error('app-b/index.html has no #root element')
const url = new URL(location.href)
const role = labRole(url)

// Each loads only what it needs: the lab window's load is part of the time it measures.
if (role === 'none' || backendInWorker) (await import('./render.tsx')).render(container)
else await (await import('./lab-window.ts')).runLabWindow(container, role, url)
