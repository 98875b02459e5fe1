import { backendInWorker } from '../../app/runtime.ts'
import type { DemoMode, Holding } from '../../modes.ts'

/** In worker mode the backend's cookies are written by script: "HttpOnly" there is only a name. */
const readable = (holding: Holding): { text: string; yes: boolean } =>
  holding.readableByScript
    ? { text: 'yes', yes: true }
    : backendInWorker && holding.where.includes('HttpOnly')
      ? { text: 'yes: no HttpOnly in worker mode', yes: true }
      : { text: 'no', yes: false }

/** Where each part of the credential lives in this mode. */
export function Holdings({ mode }: { mode: DemoMode }) {
  return (
    <table className="holdings">
      <caption>What the browser holds, and where</caption>
      <thead>
        <tr>
          <th scope="col">What</th>
          <th scope="col">Where</th>
          <th scope="col">Page JS can read it</th>
        </tr>
      </thead>
      <tbody>
        {mode.holds.map((holding) => {
          const { text, yes } = readable(holding)
          return (
            <tr key={holding.what}>
              <th scope="row">{holding.what}</th>
              <td>{holding.where}</td>
              <td className={yes ? 'yes' : 'no'}>{text}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
