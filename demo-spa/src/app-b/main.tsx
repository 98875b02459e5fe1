import '../styles.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { backendInWorker } from '../app/runtime.ts'
import { finishSignInAtProvider, isRedirectCallback } from '../features/sso/provider-sign-in.ts'
import { AppB } from './AppB.tsx'
import { createAppBClient } from './client.ts'
import { LabWindow } from './LabWindow.tsx'
import { continueLabRun, labRole } from './lab-run.ts'

const container = document.getElementById('root')
if (!container) throw new Error('app-b/index.html has no #root element')
const url = new URL(location.href)
const role = labRole(url)

// The worker build has no provider to go to: the page says so and creates no client.
const client = backendInWorker || role === 'waiting' ? null : createAppBClient(role === 'running' ? 'lab-app-b' : 'demo-app-b')
// Once, outside React (strict mode runs effects twice; a callback's state is good for one use).
const lab = client && role === 'running' ? continueLabRun(client, url) : null
if (client && !lab && isRedirectCallback(url)) void finishSignInAtProvider(client, 'b', 'App B')

createRoot(container).render(<StrictMode>{role === 'none' ? <AppB client={client} /> : <LabWindow run={lab} />}</StrictMode>)
