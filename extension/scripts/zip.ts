import { deflateRawSync } from 'node:zlib'
import { crc32 } from './crc32.ts'

/**
 * A ZIP archive (PKWARE APPNOTE 6.3: local headers, central directory, end record), deflated, with
 * every entry dated 1980-01-01 so the same files always give the same bytes: a reviewer can
 * rebuild a store package from the source archive and compare.
 */

export interface ZipEntry {
  /** Forward slashes, relative to the archive root. */
  name: string
  data: Uint8Array
}

const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1

export function zip(entries: readonly ZipEntry[]): Uint8Array {
  const locals: Uint8Array[] = []
  const centrals: Uint8Array[] = []
  let offset = 0
  for (const entry of [...entries].sort((a, b) => a.name.localeCompare(b.name))) {
    const name = new TextEncoder().encode(entry.name)
    const deflated = deflateRawSync(entry.data, { level: 9 })
    const stored = deflated.length >= entry.data.length
    const body = stored ? entry.data : deflated
    const crc = crc32(entry.data)
    const method = stored ? 0 : 8

    const local = new Uint8Array(30 + name.length + body.length)
    const l = new DataView(local.buffer)
    l.setUint32(0, 0x04034b50, true)
    l.setUint16(4, 20, true)
    l.setUint16(6, 0x0800, true) // UTF-8 names
    l.setUint16(8, method, true)
    l.setUint16(10, 0, true)
    l.setUint16(12, DOS_DATE_1980_01_01, true)
    l.setUint32(14, crc, true)
    l.setUint32(18, body.length, true)
    l.setUint32(22, entry.data.length, true)
    l.setUint16(26, name.length, true)
    local.set(name, 30)
    local.set(body, 30 + name.length)

    const central = new Uint8Array(46 + name.length)
    const c = new DataView(central.buffer)
    c.setUint32(0, 0x02014b50, true)
    c.setUint16(4, (3 << 8) | 20, true) // made by Unix, so the mode below is read
    c.setUint16(6, 20, true)
    c.setUint16(8, 0x0800, true)
    c.setUint16(10, method, true)
    c.setUint16(12, 0, true)
    c.setUint16(14, DOS_DATE_1980_01_01, true)
    c.setUint32(16, crc, true)
    c.setUint32(20, body.length, true)
    c.setUint32(24, entry.data.length, true)
    c.setUint16(28, name.length, true)
    c.setUint32(38, (0o100644 << 16) >>> 0, true)
    c.setUint32(42, offset, true)
    central.set(name, 46)

    locals.push(local)
    centrals.push(central)
    offset += local.length
  }
  const directorySize = centrals.reduce((n, part) => n + part.length, 0)
  const end = new Uint8Array(22)
  const e = new DataView(end.buffer)
  e.setUint32(0, 0x06054b50, true)
  e.setUint16(8, centrals.length, true)
  e.setUint16(10, centrals.length, true)
  e.setUint32(12, directorySize, true)
  e.setUint32(16, offset, true)
  const out = new Uint8Array(offset + directorySize + end.length)
  let at = 0
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, at)
    at += part.length
  }
  return out
}
