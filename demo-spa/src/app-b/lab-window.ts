import { createAppBClient } from './client.ts'
import { continueLabRun } from './lab-run.ts'

/**
 * App B as the lab's measuring window, on B's own origin: it signs in silently again and again.
 * Plain DOM, no React: every run loads this page again, and its load is part of what is timed.
 */
export async function runLabWindow(container: HTMLElement, role: 'waiting' | 'running', url: URL): Promise<void> {
  const heading = document.createElement('h1')
  heading.textContent = 'App B · lab window'
  const status = document.createElement('p')
  status.setAttribute('role', 'status')
  status.setAttribute('aria-label', 'Lab run')
  container.replaceChildren(heading, status)
  if (role === 'waiting') {
    status.textContent = 'Waiting for the single sign-on experiment; the other experiments run first.'
    return
  }
  status.textContent = 'Asking the provider (prompt=none)…'
  const { runs, samples, refused } = await continueLabRun(createAppBClient('lab-app-b'), url)
  if (samples.length + refused.length >= runs) status.textContent = `Done: ${samples.length} of ${runs} signed in without a password; the results went back to the lab.`
}
