import { backendInWorker } from '../../app/runtime.ts'
import { Pairs } from '../../components/Pairs.tsx'
import { readPage } from '../../lib/page-secrets.ts'
import { useNow } from '../../lib/use-now.ts'
import type { DemoMode } from '../../modes.ts'

/** What any script on this page (the app, a library, an injected one) can read, re-read every second. */
export function ScriptReadable({ mode }: { mode: DemoMode }) {
  useNow(1000)
  const page = readPage()
  const hidden = mode.holds.filter((holding) => !holding.readableByScript && holding.where.includes('HttpOnly'))
  return (
    <div className="readable">
      <h3>What page JavaScript can read</h3>
      <Pairs label="document.cookie" pairs={page.cookies} empty="document.cookie is empty." />
      <Pairs label="localStorage" pairs={page.localStorage} empty="localStorage is empty." />
      <Pairs label="sessionStorage" pairs={page.sessionStorage} empty="sessionStorage is empty." />
      {hidden.length > 0 &&
        (backendInWorker ? (
          <p className="warning small">
            With a real server, the {hidden.map((holding) => holding.what.toLowerCase()).join(' and the ')} would be HttpOnly. Here the backend
            runs in a service worker, so its cookies are written by script: look above, they are readable.
          </p>
        ) : (
          <p className="note small">
            Not in the lists above, by design: {hidden.map((holding) => `${holding.what.toLowerCase()} (${holding.where})`).join('; ')}. HttpOnly
            cookies never appear in <code>document.cookie</code>; the browser still sends them.
          </p>
        ))}
    </div>
  )
}
