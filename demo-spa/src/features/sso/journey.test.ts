import { describe, expect, it } from 'vitest'
import type { LogEntry } from '../../app/log-store.ts'
import { describeJourney, type JourneyInput } from './journey.ts'

const LEFT = Date.UTC(2026, 0, 1, 12, 0, 0)
const CODE = 'Xq7e0secretcodevalue0000000000000000000000AbCd'

const tokenRequest: LogEntry = { id: 1, at: LEFT + 900, source: 'http', title: 'POST /oauth/token 200', detail: '12 ms', tone: 'ok', status: 200 }
const notes: LogEntry = { id: 2, at: LEFT + 950, source: 'http', title: 'GET /api/notes 200', detail: '5 ms · sent Authorization: Bearer', tone: 'ok', status: 200 }

const input = (overrides: Partial<JourneyInput> = {}): JourneyInput => ({
  app: 'App B',
  departure: { at: LEFT, prompt: 'none', authorizationEndpoint: 'http://127.0.0.1:5173/oauth/authorize' },
  arrival: { at: LEFT + 800, url: `http://localhost:5173/app-b/?code=${CODE}&state=st4te0000000000000000s7a7e&iss=http%3A%2F%2F127.0.0.1%3A5173` },
  requests: [tokenRequest, notes],
  issuer: 'http://127.0.0.1:5173',
  outcome: { claims: { name: 'Alice Liddell', auth_time: LEFT / 1000 - 30, sid: 'ps-1' } },
  finishedAt: LEFT + 1000,
  ...overrides,
})

describe('describeJourney', () => {
  it('single sign-on: an auth_time before the departure means no password on this trip; the code is shown shortened', () => {
    const steps = describeJourney(input())
    expect(steps.map((step) => step.title)).toEqual([
      'App B → provider: GET http://127.0.0.1:5173/oauth/authorize (prompt=none)',
      'Provider → App B: /app-b/?code=Xq7e…AbCd&state=st4t…7a7e&iss=http://127.0.0.1:5173',
      'App B → provider: POST /oauth/token 200',
      'App B: signed in as Alice Liddell 1000 ms after leaving',
    ])
    expect(steps[1]!.detail).toBe('after 800 ms; no sign-in page: the provider knew this browser by its session cookie on 127.0.0.1:5173 and redirected at once')
    expect(steps[2]!.detail).toBe('12 ms · cross-origin (CORS), no cookies')
    expect(steps[3]!.detail).toMatch(/auth_time, 31 s before this callback\), provider session ps-1$/)
    expect(JSON.stringify(steps)).not.toContain(CODE)
  })

  it('an auth_time during the trip means the provider asked for a password', () => {
    const steps = describeJourney(input({ outcome: { claims: { name: 'Alice Liddell', auth_time: LEFT / 1000 + 1 } } }))
    expect(steps[1]!.detail).toBe("after 800 ms; via the provider's sign-in page on 127.0.0.1:5173: a password was typed there")
  })

  it('an error answer and a refused callback are steps too; without a recorded departure, the first step says so', () => {
    const steps = describeJourney(input({ departure: null, arrival: { at: LEFT, url: 'http://localhost:5173/app-b/?error=login_required&state=s&iss=x' }, requests: [], outcome: { error: 'login_required' } }))
    expect(steps.map((step) => [step.tone, step.title])).toEqual([
      ['warn', 'App B → provider'],
      ['warn', 'Provider → App B: /app-b/?error=login_required&state=s&iss=x'],
      ['bad', 'App B: not signed in (login_required)'],
    ])
    expect(steps[1]!.detail).toBe('the provider answered login_required')
  })
})
