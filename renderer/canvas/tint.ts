/** A white mask image in one colour (its alpha kept), so the overlay colour changes without asking the engine. */
export function tinted(mask: HTMLImageElement, colour: string): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = mask.naturalWidth;
  c.height = mask.naturalHeight;
  const g = c.getContext('2d')!;
  g.drawImage(mask, 0, 0);
  g.globalCompositeOperation = 'source-in';
  g.fillStyle = colour;
  g.fillRect(0, 0, c.width, c.height);
  return c;
}
