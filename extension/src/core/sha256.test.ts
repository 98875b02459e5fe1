import { describe, expect, it } from 'vitest'
import { sha256 } from './sha256.ts'

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
const text = (value: string) => new TextEncoder().encode(value)

describe('sha256', () => {
  it('FIPS 180-4 examples: "abc", the empty string, the two-block message, a million "a"', () => {
    expect(hex(sha256(text('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(hex(sha256(text('')))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(hex(sha256(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1')
    expect(hex(sha256(text('a'.repeat(1_000_000))))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0')
  })

  it('agrees with WebCrypto on every length around the padding boundaries and on random bytes', async () => {
    for (let length = 0; length <= 200; length++) {
      const message = new Uint8Array(length).map((_, i) => (i * 31 + length) & 0xff)
      expect(hex(sha256(message)), `length ${length}`).toBe(hex(new Uint8Array(await crypto.subtle.digest('SHA-256', message))))
    }
    const random = crypto.getRandomValues(new Uint8Array(4096))
    expect(hex(sha256(random))).toBe(hex(new Uint8Array(await crypto.subtle.digest('SHA-256', random))))
  })
})
