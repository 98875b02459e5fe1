import { useEffect, useState } from 'react'
import { Panel } from '../../components/Panel.tsx'
import { timing } from './format.ts'
import { loadScaleResults, type ScaleLoad, type ScaleResults, type ScaleRow } from './scale-results.ts'
import type { Estimate } from './statistics/bootstrap.ts'

const ratio = (value: number, base: number | undefined) => (base ? `${(value / base).toFixed(2)}×` : '—')
const trips = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(2))
/** `312 (303–323)`: the unit and the interval's level are in the column header. */
const check = (estimate: Estimate | undefined) => {
  if (!estimate) return '—'
  const { value, interval } = timing('', estimate, 'µs')
  return `${value.toLocaleString('en-US')} (${interval?.low.toLocaleString('en-US')}–${interval?.high.toLocaleString('en-US')})`
}

/** The scale-out lab: recorded by the benchmark on real instances and a real Redis, shown as recorded. */
export function ScaleOutPanel() {
  const [load, setLoad] = useState<ScaleLoad>({ kind: 'loading' })
  useEffect(() => {
    let live = true
    void loadScaleResults().then((next) => live && setLoad(next))
    return () => {
      live = false
    }
  }, [])
  return (
    <Panel title="Scale-out lab (recorded)">
      <p>
        Sessions need a shared store and a lookup per request; JWTs need neither, until revocation brings the lookup back. This is measured with real
        backend instances behind a round-robin proxy and a real Redis, which a browser tab cannot start: the numbers below were recorded by{' '}
        <code>npm run bench -- scale</code>, not in this browser.
      </p>
      {load.kind === 'loading' ? (
        <p role="status" aria-label="Scale results status" className="muted">
          Loading the recorded results…
        </p>
      ) : load.kind === 'none' ? (
        <p role="status" aria-label="Scale results status" className="warning">
          No scale-out results recorded yet ({load.reason}). Run <code>npm run bench -- scale</code>: it saves them to{' '}
          <code>demo-spa/public/lab/scale-results.json</code>.
        </p>
      ) : (
        <ScaleTable results={load.results} />
      )}
    </Panel>
  )
}

function ScaleTable({ results }: { results: ScaleResults }) {
  const find = (mode: ScaleRow['mode'], instances: number) => results.rows.find((row) => row.mode === mode && row.instances === instances)
  const { workload, machine } = results
  const recorded = new Date(results.recordedAt)
  return (
    <>
      <p role="status" aria-label="Scale results status" className="muted">
        Recorded by <code>{results.command}</code> on <time dateTime={results.recordedAt}>{recorded.toISOString().slice(0, 10)}</time> ({machine.cpus}{' '}
        CPUs, Node {machine.node}, Redis {machine.redis}). Each round: {workload.users} users, {workload.concurrency} requests in flight, sign in,{' '}
        {workload.requestsPerUser} × GET /api/me, {workload.refreshesPerUser} refreshes (JWT modes), sign out; {workload.rounds} rounds per setup,
        interleaved; req/s is the median round. The check columns are what the instances reported (<code>Server-Timing</code>) for{' '}
        {workload.quietRequests.toLocaleString('en-US')} more GET /api/me per setup sent one at a time, apart from the load: under it, a step’s time
        is mostly waiting behind other requests.
      </p>
      <div className="table-scroll">
        <table className="lab-table scale-table">
          <caption>Scale-out results, recorded {recorded.toISOString().slice(0, 10)}</caption>
          <thead>
            <tr>
              <th scope="col">Mode</th>
              <th scope="col">Instances</th>
              <th scope="col">req/s</th>
              <th scope="col">vs 1 instance</th>
              <th scope="col">vs stateless JWT</th>
              <th scope="col">p50 ms</th>
              <th scope="col">p99 ms</th>
              <th scope="col">Redis round trips / request</th>
              <th scope="col">… per GET /api/me</th>
              <th scope="col">… per refresh</th>
              <th scope="col">HS256 check, µs (95% CI)</th>
              <th scope="col">Redis round trip (lookup or list check), µs (95% CI)</th>
              <th scope="col">Old credential accepted after sign-out</th>
            </tr>
          </thead>
          <tbody>
            {results.rows.map((row) => (
              <tr key={`${row.mode}-${row.instances}`} data-mode={row.mode} data-instances={row.instances}>
                <th scope="row">{row.label}</th>
                <td>{row.instances}</td>
                <td>{row.requestsPerSecond.toLocaleString('en-US')}</td>
                <td>{ratio(row.requestsPerSecond, find(row.mode, 1)?.requestsPerSecond)}</td>
                <td>{ratio(row.requestsPerSecond, find('jwt-stateless', row.instances)?.requestsPerSecond)}</td>
                <td>{row.p50Ms.toFixed(2)}</td>
                <td>{row.p99Ms.toFixed(2)}</td>
                <td>{trips(row.roundTripsPerRequest)}</td>
                <td>{trips(row.roundTripsPer.me)}</td>
                <td>{trips(row.roundTripsPer.refresh)}</td>
                <td>{check(row.serverTiming.verify)}</td>
                <td>{check(row.serverTiming.lookup ?? row.serverTiming.store)}</td>
                <td>
                  {row.acceptedAfterLogout} of {row.users}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Reading</h3>
      <ul aria-label="Scale reading">
        {results.reading.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </>
  )
}
