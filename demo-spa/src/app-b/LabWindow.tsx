import { Suspense, use } from 'react'
import type { continueLabRun } from './lab-run.ts'

type Run = Awaited<ReturnType<typeof continueLabRun>>

function Progress({ run }: { run: Promise<Run> }) {
  const { runs, samples, refused } = use(run)
  const done = samples.length + refused.length
  return (
    <p role="status" aria-label="Lab run">
      {done < runs ? `Run ${done + 1} of ${runs}: asking the provider (prompt=none)…` : `Done: ${samples.length} of ${runs} signed in without a password; the results went back to the lab.`}
    </p>
  )
}

/** App B as the lab's measuring window: it signs in silently again and again on its own origin. */
export function LabWindow({ run }: { run: Promise<Run> | null }) {
  return (
    <main className="lab-window">
      <h1>App B · lab window</h1>
      <p>The comparison lab measures single sign-on from here, on app B’s own origin: each run asks the provider to sign in without a page.</p>
      {run ? (
        <Suspense fallback={<p className="muted">Working…</p>}>
          <Progress run={run} />
        </Suspense>
      ) : <p role="status" aria-label="Lab run">Waiting for the single sign-on experiment; the other experiments run first.</p>}
    </main>
  )
}
