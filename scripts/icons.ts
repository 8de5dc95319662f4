// Draws the Teams app icons: appPackage/color.png (192x192, white headset on a blue rounded square) and
// appPackage/outline.png (32x32, the same headset in white on a fully transparent background).
// Run: npx tsx scripts/icons.ts   (the PNGs it writes are committed)
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG, type PackerOptions } from 'pngjs';

/**
 * 8-bit RGBA, no row filter, zlib's default strategy at level 9: the bytes the icons were first committed with
 * (pngjs would otherwise try every filter per row and use Z_RLE).
 */
const ICON_PNG: PackerOptions = { colorType: 6, inputColorType: 6, bitDepth: 8, filterType: 0, deflateLevel: 9, deflateStrategy: 0 };

export const BRAND_BLUE: [number, number, number] = [0x2f, 0x5b, 0xea];

// ---- the glyph, in a 100x100 design box (y down) ------------------------------------------------------------
const BAND = { cx: 50, cy: 52, r: 34, half: 4.25 }; // headband: upper half of a ring
const CUP = { w: 17, top: 45, bottom: 73, radius: 6.5 }; // ear cups, centred on the band's ends
const BOOM = { cx: 58, cy: 64, r: 26, half: 2.75, from: 15, to: 90 }; // microphone boom: arc, degrees
const MIC = { cx: 54, cy: 90, w: 15, h: 9 }; // microphone capsule

function inRoundedRect(x: number, y: number, x0: number, y0: number, x1: number, y1: number, r: number): boolean {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return dx * dx + dy * dy <= r * r;
}

/** Is the design-box point (x, y) inside the headset? */
export function inGlyph(x: number, y: number): boolean {
  const d = Math.hypot(x - BAND.cx, y - BAND.cy);
  if (y <= BAND.cy && Math.abs(d - BAND.r) <= BAND.half) return true;
  for (const side of [-1, 1]) {
    const cx = BAND.cx + side * BAND.r;
    if (inRoundedRect(x, y, cx - CUP.w / 2, CUP.top, cx + CUP.w / 2, CUP.bottom, CUP.radius)) return true;
  }
  const b = Math.hypot(x - BOOM.cx, y - BOOM.cy);
  const angle = (Math.atan2(y - BOOM.cy, x - BOOM.cx) * 180) / Math.PI;
  if (Math.abs(b - BOOM.r) <= BOOM.half && angle >= BOOM.from && angle <= BOOM.to) return true;
  return inRoundedRect(x, y, MIC.cx - MIC.w / 2, MIC.cy - MIC.h / 2, MIC.cx + MIC.w / 2, MIC.cy + MIC.h / 2, MIC.h / 2);
}

// The glyph's bounding box in the design box, used to centre it.
const GLYPH_BOX = { x0: BAND.cx - BAND.r - CUP.w / 2, x1: BAND.cx + BAND.r + CUP.w / 2, y0: BAND.cy - BAND.r - BAND.half, y1: MIC.cy + MIC.h / 2 };

const SAMPLES = 8; // supersampling per axis, for anti-aliased edges

/** Fraction (0..1) of pixel (px, py) covered by the glyph drawn `size` pixels wide, centred in a canvas of `canvas`. */
function glyphCoverage(px: number, py: number, canvas: number, size: number): number {
  const span = Math.max(GLYPH_BOX.x1 - GLYPH_BOX.x0, GLYPH_BOX.y1 - GLYPH_BOX.y0);
  const scale = size / span;
  const midX = (GLYPH_BOX.x0 + GLYPH_BOX.x1) / 2;
  const midY = (GLYPH_BOX.y0 + GLYPH_BOX.y1) / 2;
  let hits = 0;
  for (let sy = 0; sy < SAMPLES; sy++) {
    for (let sx = 0; sx < SAMPLES; sx++) {
      const x = (px + (sx + 0.5) / SAMPLES - canvas / 2) / scale + midX;
      const y = (py + (sy + 0.5) / SAMPLES - canvas / 2) / scale + midY;
      if (inGlyph(x, y)) hits++;
    }
  }
  return hits / (SAMPLES * SAMPLES);
}

function squareCoverage(px: number, py: number, size: number, radius: number): number {
  let hits = 0;
  for (let sy = 0; sy < SAMPLES; sy++) {
    for (let sx = 0; sx < SAMPLES; sx++) {
      if (inRoundedRect(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES, 0, 0, size, size, radius)) hits++;
    }
  }
  return hits / (SAMPLES * SAMPLES);
}

/** 192x192: white headset on a #2F5BEA rounded square (transparent outside the rounded corners). */
export function drawColorIcon(size = 192): PNG {
  const png = new PNG({ width: size, height: size });
  const data = png.data;
  const glyphSize = Math.round(size * 0.6);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const bg = squareCoverage(x, y, size, size * 0.22);
      const fg = glyphCoverage(x, y, size, glyphSize);
      const i = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) data[i + c] = Math.round(BRAND_BLUE[c] * (1 - fg) + 255 * fg);
      data[i + 3] = Math.round(255 * bg);
    }
  }
  return png;
}

/** 32x32: the headset in pure white; everything else fully transparent. Only white and alpha. */
export function drawOutlineIcon(size = 32): PNG {
  const png = new PNG({ width: size, height: size });
  const data = png.data;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = 255;
      data[i + 3] = Math.round(255 * glyphCoverage(x, y, size, size - 2));
    }
  }
  return png;
}

export function writeIcons(dir = path.resolve(__dirname, '..', 'appPackage')): string[] {
  const color = path.join(dir, 'color.png');
  const outline = path.join(dir, 'outline.png');
  writeFileSync(color, PNG.sync.write(drawColorIcon(), ICON_PNG));
  writeFileSync(outline, PNG.sync.write(drawOutlineIcon(), ICON_PNG));
  return [color, outline];
}

if (require.main === module) {
  for (const file of writeIcons()) console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
