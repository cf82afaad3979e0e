/**
 * Writes a small uncompressed DNG (RGGB Bayer mosaic, 16-bit) from linear RGB, for RAW decoding
 * tests: a real camera-raw container that any DNG reader (LibRaw among them) understands.
 * The camera space is linear sRGB (ColorMatrix1 is XYZ→sRGB) and `neutral` is the white balance
 * the "camera" recorded: raw values are the scene times `neutral`.
 */
export function writeDng(
  width: number,
  height: number,
  linearRgb: (x: number, y: number) => [number, number, number],
  neutral: [number, number, number] = [1, 1, 1],
): Uint8Array {
  const mosaic = new Uint16Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = y % 2 === 0 ? (x % 2 === 0 ? 0 : 1) : x % 2 === 0 ? 1 : 2; // R G / G B
      mosaic[y * width + x] = Math.round(Math.min(1, Math.max(0, linearRgb(x, y)[c]! * neutral[c]!)) * 65535);
    }
  }
  type Entry = { tag: number; type: number; values: number[] | string };
  const SHORT = 3,
    LONG = 4,
    RATIONAL = 5,
    SRATIONAL = 10,
    BYTE = 1,
    ASCII = 2;
  const xyzToSrgb = [3.2406, -1.5372, -0.4986, -0.9689, 1.8758, 0.0415, 0.0557, -0.204, 1.057];
  const entries: Entry[] = [
    { tag: 254, type: LONG, values: [0] },
    { tag: 256, type: LONG, values: [width] },
    { tag: 257, type: LONG, values: [height] },
    { tag: 258, type: SHORT, values: [16] },
    { tag: 259, type: SHORT, values: [1] },
    { tag: 262, type: SHORT, values: [32803] },
    { tag: 271, type: ASCII, values: 'Ganvas' },
    { tag: 272, type: ASCII, values: 'Test DNG' },
    { tag: 273, type: LONG, values: [0] }, // strip offset, set below
    { tag: 274, type: SHORT, values: [1] },
    { tag: 277, type: SHORT, values: [1] },
    { tag: 278, type: LONG, values: [height] },
    { tag: 279, type: LONG, values: [width * height * 2] },
    { tag: 284, type: SHORT, values: [1] },
    { tag: 33421, type: SHORT, values: [2, 2] },
    { tag: 33422, type: BYTE, values: [0, 1, 1, 2] },
    { tag: 50706, type: BYTE, values: [1, 4, 0, 0] },
    { tag: 50707, type: BYTE, values: [1, 1, 0, 0] },
    { tag: 50708, type: ASCII, values: 'Ganvas Test DNG' },
    { tag: 50714, type: LONG, values: [0] },
    { tag: 50717, type: LONG, values: [65535] },
    { tag: 50721, type: SRATIONAL, values: xyzToSrgb.flatMap((v) => [Math.round(v * 10000), 10000]) },
    { tag: 50728, type: RATIONAL, values: neutral.flatMap((v) => [Math.round(v * 10000), 10000]) },
    { tag: 50778, type: SHORT, values: [21] },
  ];
  const size = (e: Entry) => {
    const unit = { [BYTE]: 1, [ASCII]: 1, [SHORT]: 2, [LONG]: 4, [RATIONAL]: 8, [SRATIONAL]: 8 }[e.type]!;
    const count = typeof e.values === 'string' ? e.values.length + 1 : e.type === RATIONAL || e.type === SRATIONAL ? e.values.length / 2 : e.values.length;
    return { count, bytes: unit * count };
  };
  const ifdBytes = 2 + entries.length * 12 + 4;
  let extra = 8 + ifdBytes;
  const extraAt = new Map<Entry, number>();
  for (const e of entries) {
    const { bytes } = size(e);
    if (bytes > 4) {
      extraAt.set(e, extra);
      extra += bytes + (bytes % 2);
    }
  }
  const stripAt = extra;
  (entries.find((e) => e.tag === 273)!.values as number[])[0] = stripAt;
  const buf = Buffer.alloc(stripAt + mosaic.byteLength);
  buf.write('II', 0, 'latin1');
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(8, 4);
  buf.writeUInt16LE(entries.length, 8);
  const put = (e: Entry, at: number) => {
    if (typeof e.values === 'string') return void buf.write(`${e.values}\0`, at, 'latin1');
    e.values.forEach((v, i) => {
      if (e.type === BYTE) buf.writeUInt8(v, at + i);
      else if (e.type === SHORT) buf.writeUInt16LE(v, at + 2 * i);
      else if (e.type === SRATIONAL) buf.writeInt32LE(v, at + 4 * i);
      else buf.writeUInt32LE(v, at + 4 * i);
    });
  };
  entries.forEach((e, i) => {
    const at = 10 + i * 12;
    const { count } = size(e);
    buf.writeUInt16LE(e.tag, at);
    buf.writeUInt16LE(e.type, at + 2);
    buf.writeUInt32LE(count, at + 4);
    const far = extraAt.get(e);
    if (far === undefined) put(e, at + 8);
    else {
      buf.writeUInt32LE(far, at + 8);
      put(e, far);
    }
  });
  buf.writeUInt32LE(0, 10 + entries.length * 12);
  Buffer.from(mosaic.buffer).copy(buf, stripAt);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
