import { describe, expect, it } from 'vitest'
import { httpAgent, inProcessAgent } from './agent.ts'

describe('smoke', () => {
  it('JWT login then /api/me in process', async () => {
    const agent = inProcessAgent()
    const { accessToken } = await agent.loginJwt()
    const me = await agent.request('GET', '/api/me', { bearer: accessToken })
    expect(me.status).toBe(200)
    expect(me.body.user.username).toBe('alice')
    expect(me.body.via).toBe('bearer')
  })

  it('session login then notes over HTTP', async () => {
    const { agent, close } = await httpAgent()
    try {
      const login = await agent.loginSession()
      expect(login.setCookies.some((line) => line.startsWith('__Host-sid=') && /HttpOnly/.test(line))).toBe(true)
      const created = await agent.request('POST', '/api/notes', { json: { text: 'hello' }, headers: { 'x-xsrf-token': agent.csrfToken! } })
      expect(created.status).toBe(201)
      const list = await agent.request('GET', '/api/notes')
      expect(list.body.notes.map((note: { text: string }) => note.text)).toEqual(['hello'])
    } finally {
      await close()
    }
  })
})
