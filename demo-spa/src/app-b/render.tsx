import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { backendInWorker } from '../app/runtime.ts'
import { finishSignInAtProvider, isRedirectCallback, resumeSignInAcrossReloads } from '../features/sso/provider-sign-in.ts'
import { AppB } from './AppB.tsx'
import { createAppBClient } from './client.ts'

/** App B as a person uses it. */
export function render(container: HTMLElement): void {
  // The worker build has no provider to go to: the page says so and creates no client.
  const client = backendInWorker ? null : createAppBClient()
  // Once, outside React (strict mode runs effects twice; a callback's state is good for one use).
  if (client && isRedirectCallback(new URL(location.href))) void finishSignInAtProvider(client, 'b', 'App B')
  if (client) resumeSignInAcrossReloads(client, 'b')
  createRoot(container).render(
    <StrictMode>
      <AppB client={client} />
    </StrictMode>,
  )
}
