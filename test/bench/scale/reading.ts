import type { Estimate } from '../../../demo-spa/src/features/lab/statistics/bootstrap.ts'
import { comparedWith, lessThan } from '../../../demo-spa/src/features/lab/statistics/verdict.ts'
import type { ScaleMode } from './client.ts'
import { MODE_LABELS, type ScaleRow } from './results.ts'

/** What the numbers say, in sentences built from them, so the reading never drifts from the table. */
export function readScale(rows: ScaleRow[], cpus: number): string[] {
  const find = (mode: ScaleMode, instances: number) => rows.find((row) => row.mode === mode && row.instances === instances)
  const most = Math.max(...rows.map((row) => row.instances))
  const rt = (mode: ScaleMode, phase: 'me' | 'refresh') => find(mode, most)?.roundTripsPer[phase]
  const ratio = (a: number | undefined, b: number | undefined) => (a && b ? `${(a / b).toFixed(2)}×` : '—')
  const speed = (mode: ScaleMode, instances: number) => find(mode, instances)?.requestsPerSecond
  const close = (a: number | undefined, b: number | undefined) => a !== undefined && b !== undefined && Math.abs(a / b - 1) <= 0.15
  const users = rows[0]?.users ?? 0
  const us = (estimate: Estimate | undefined) =>
    estimate ? `${Math.round(estimate.median * 1000)} µs (95% interval ${Math.round(estimate.low * 1000)}–${Math.round(estimate.high * 1000)})` : '—'
  const roundTrip = find('session', 1)?.serverTiming.lookup
  const signature = find('jwt-stateless', 1)?.serverTiming.verify
  const costlier = roundTrip && signature ? comparedWith(lessThan(roundTrip, signature)) : undefined
  return [
    `Per authenticated request, sessions cost ${rt('session', 'me')} Redis round trip (look up and slide, one script), stateless JWTs ${rt('jwt-stateless', 'me')}, and JWTs with the revocation list ${rt('jwt-denylist', 'me')}: the list brings the per-request lookup back. A refresh costs ${rt('jwt-stateless', 'refresh')} round trips (find the family, compare-and-set) in either JWT mode.`,
    `Throughput on ${most} instances, relative to stateless JWTs: sessions ${ratio(speed('session', most), speed('jwt-stateless', most))}, JWT + revocation list ${ratio(speed('jwt-denylist', most), speed('jwt-stateless', most))}${
      close(speed('session', most), speed('jwt-stateless', most)) && close(speed('jwt-denylist', most), speed('jwt-stateless', most))
        ? ': within 15%, so a Redis round trip on loopback is small next to the rest of a request (HTTP through the proxy, routing, the signature check)'
        : ''
    }.`,
    `From 1 to ${most} instances, throughput changed by ${ratio(speed('session', most), speed('session', 1))} (sessions), ${ratio(speed('jwt-stateless', most), speed('jwt-stateless', 1))} (stateless JWT), ${ratio(speed('jwt-denylist', most), speed('jwt-denylist', 1))} (JWT + list): on ${cpus} CPUs shared by the load generator, the proxy, every instance and Redis, more instances add no CPU, so this measures what coordination costs, not what more machines would add.`,
    `One request at a time, on 1 instance, the instances reported ${us(roundTrip)} for a session lookup in Redis (one round trip) and ${us(signature)} for an HS256 signature check${
      costlier ? `: the round trip cost ${costlier} the signature check` : ''
    }; the revocation list's check took ${us(find('jwt-denylist', 1)?.serverTiming.store)}, one round trip again.`,
    `Behind the BFF a request costs ${rt('bff', 'me')} round trips (its session lookup, then the API's revocation-list check of the token it forwards) and a second HTTP hop; on ${most} instances it ran at ${ratio(speed('bff', most), speed('session', most))} the throughput of plain sessions and ${ratio(speed('bff', most), speed('jwt-denylist', most))} that of JWT + revocation list, with no token in the browser.`,
    `After sign-out, the old credential was accepted by ${find('session', most)?.acceptedAfterLogout}/${users} (${MODE_LABELS.session}), ${find('jwt-denylist', most)?.acceptedAfterLogout}/${users} (${MODE_LABELS['jwt-denylist']}), ${find('bff', most)?.acceptedAfterLogout}/${users} (${MODE_LABELS.bff}) and ${find('jwt-stateless', most)?.acceptedAfterLogout}/${users} (${MODE_LABELS['jwt-stateless']}, until exp) — on whichever instance the proxy chose.`,
  ]
}
