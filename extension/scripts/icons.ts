import { mkdirSync, writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'
import { crc32 } from './crc32.ts'

/**
 * Draws the extension's icons (16, 32, 48 and 128 px) into public/icons/: a blue rounded square
 * with a white lens over a keyhole. Drawn, not scaled: each size is rasterised from the shapes
 * with 8×8 supersampling, and the stroke widths have a floor in pixels, so the 16 px icon on a
 * DevTools tab still shows a ring and not a smudge. Run with `npm run icons -w extension`.
 */

type Rgba = readonly [number, number, number, number]
const BLUE: Rgba = [26, 115, 232, 255]
const DARK_BLUE: Rgba = [23, 78, 166, 255]
const WHITE: Rgba = [255, 255, 255, 255]

/** Coverage tests in unit coordinates (0..1 across the icon); `px` is one pixel in those units. */
function layers(px: number): Array<{ color: Rgba; inside: (x: number, y: number) => boolean }> {
  const ringWidth = Math.max(0.11, 2 * px)
  const lens = { x: 0.44, y: 0.42, r: 0.25 }
  const handleWidth = Math.max(0.14, 2.4 * px)
  const distance = (x: number, y: number, cx: number, cy: number) => Math.hypot(x - cx, y - cy)
  /** Distance from (x, y) to the segment from a to b. */
  const toSegment = (x: number, y: number, ax: number, ay: number, bx: number, by: number) => {
    const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)))
    return distance(x, y, ax + t * (bx - ax), ay + t * (by - ay))
  }
  const radius = 0.2
  const roundedSquare = (x: number, y: number) => {
    const dx = Math.max(radius - x, 0, x - (1 - radius))
    const dy = Math.max(radius - y, 0, y - (1 - radius))
    return x >= 0 && x <= 1 && y >= 0 && y <= 1 && Math.hypot(dx, dy) <= radius
  }
  const handleStart = lens.r + ringWidth / 2
  const along = Math.SQRT1_2
  return [
    { color: BLUE, inside: roundedSquare },
    { color: WHITE, inside: (x, y) => Math.abs(distance(x, y, lens.x, lens.y) - lens.r) <= ringWidth / 2 },
    {
      color: WHITE,
      inside: (x, y) => toSegment(x, y, lens.x + handleStart * along, lens.y + handleStart * along, 0.83, 0.81) <= handleWidth / 2,
    },
    // The keyhole inside the lens; at 16 px a dot is all that reads.
    { color: DARK_BLUE, inside: (x, y) => distance(x, y, lens.x, lens.y - 0.04) <= Math.max(0.065, 1.2 * px) },
    { color: DARK_BLUE, inside: (x, y) => px < 1 / 20 && Math.abs(x - lens.x) <= 0.03 && y >= lens.y - 0.04 && y <= lens.y + 0.11 },
  ]
}

function render(size: number): Uint8Array {
  const samples = 8
  const pixels = new Uint8Array(size * size * 4)
  const shapes = layers(1 / size)
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let [r, g, b, a] = [0, 0, 0, 0]
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size
          const y = (py + (sy + 0.5) / samples) / size
          // Later layers paint over earlier ones.
          const top = [...shapes].reverse().find((shape) => shape.inside(x, y))
          if (!top) continue
          r += top.color[0]
          g += top.color[1]
          b += top.color[2]
          a += top.color[3]
        }
      }
      const n = samples * samples
      const coverage = a / n
      const at = (py * size + px) * 4
      // Straight (not premultiplied) alpha, as PNG stores it.
      pixels.set(coverage === 0 ? [0, 0, 0, 0] : [r / (a / 255), g / (a / 255), b / (a / 255), coverage].map(Math.round), at)
    }
  }
  return pixels
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, data.length)
  out.set(new TextEncoder().encode(type), 4)
  out.set(data, 8)
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)))
  return out
}

/** An 8-bit RGBA PNG (RFC 2083): IHDR, one IDAT, IEND. */
export function encodePng(size: number, rgba: Uint8Array): Uint8Array {
  const header = new Uint8Array(13)
  const view = new DataView(header.buffer)
  view.setUint32(0, size)
  view.setUint32(4, size)
  header.set([8, 6, 0, 0, 0], 8)
  const rows = new Uint8Array(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) rows.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1)
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', new Uint8Array())]
  const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    png.set(part, offset)
    offset += part.length
  }
  return png
}

export const ICON_SIZES = [16, 32, 48, 128] as const

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = new URL('../public/icons/', import.meta.url)
  mkdirSync(dir, { recursive: true })
  for (const size of ICON_SIZES) writeFileSync(new URL(`icon-${size}.png`, dir), encodePng(size, render(size)))
  console.log(`icons written to ${dir.pathname}`)
}
