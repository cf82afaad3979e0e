/** A Svelte action: draws a bitmap into the canvas fitted inside it (as `object-fit: contain`), at the screen's pixel density. */
export function thumbnail(canvas: HTMLCanvasElement, bitmap: ImageBitmap): { update: (b: ImageBitmap) => void } {
  const draw = (b: ImageBitmap) => {
    const density = globalThis.devicePixelRatio ?? 1;
    canvas.width = Math.round(canvas.clientWidth * density);
    canvas.height = Math.round(canvas.clientHeight * density);
    const g = canvas.getContext('2d')!;
    g.imageSmoothingQuality = 'high';
    const scale = Math.min(canvas.width / b.width, canvas.height / b.height);
    const [w, h] = [b.width * scale, b.height * scale];
    g.drawImage(b, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
  };
  draw(bitmap);
  return { update: draw };
}
