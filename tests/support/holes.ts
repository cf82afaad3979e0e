/** A w×h mask with the rectangle x0…x1−1 × y0…y1−1 set: the hole most fill tests make. */
export function boxHole(w: number, h: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const hole = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) hole.fill(1, y * w + x0, y * w + x1);
  return hole;
}
