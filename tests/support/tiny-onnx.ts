/**
 * Builds small ONNX models in memory (a hand-written protobuf encoder for the few messages a
 * graph needs), so adapter tests can run a network with a real model's exact input/output
 * signature without its weights.
 */
type Bytes = Uint8Array;

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

const cat = (...parts: (Bytes | number[])[]): Bytes => Uint8Array.from(parts.flatMap((p) => [...p]));
const int = (field: number, v: number): Bytes => cat(varint(field << 3), varint(v));
const len = (field: number, data: Bytes): Bytes => cat(varint((field << 3) | 2), varint(data.length), data);
const str = (field: number, s: string): Bytes => len(field, new TextEncoder().encode(s));

export const FLOAT = 1;
export const UINT8 = 2;

export type Dim = number | string;

export function valueInfo(name: string, elemType: number, dims: Dim[]): Bytes {
  const shape = cat(...dims.map((d) => len(1, typeof d === 'number' ? int(1, d) : str(2, d))));
  return cat(str(1, name), len(2, len(1, cat(int(1, elemType), len(2, shape)))));
}

export function floatTensor(name: string, dims: number[], values: number[]): Bytes {
  const raw = new Uint8Array(new Float32Array(values).buffer);
  return cat(...dims.map((d) => int(1, d)), int(2, FLOAT), str(8, name), len(9, raw));
}

/** A float tensor whose values lie in another file (ONNX external data), as large exports keep their weights. */
export function externalFloatTensor(name: string, dims: number[], location: string, bytes: number): Bytes {
  const entry = (key: string, value: string) => len(13, cat(str(1, key), str(2, value)));
  return cat(
    ...dims.map((d) => int(1, d)),
    int(2, FLOAT),
    str(8, name),
    entry('location', location),
    entry('offset', '0'),
    entry('length', String(bytes)),
    int(14, 1),
  );
}

export function node(op: string, inputs: string[], outputs: string[], attrs: { name: string; int: number }[] = []): Bytes {
  return cat(
    ...inputs.map((i) => str(1, i)),
    ...outputs.map((o) => str(2, o)),
    str(3, `${op}_${outputs[0]}`),
    str(4, op),
    ...attrs.map((a) => len(5, cat(str(1, a.name), int(3, a.int), int(20, 2)))),
  );
}

export function model(graph: { nodes: Bytes[]; initializers: Bytes[]; inputs: Bytes[]; outputs: Bytes[] }, opset = 13): Bytes {
  const g = cat(
    ...graph.nodes.map((n) => len(1, n)),
    str(2, 'test'),
    ...graph.initializers.map((t) => len(5, t)),
    ...graph.inputs.map((v) => len(11, v)),
    ...graph.outputs.map((v) => len(12, v)),
  );
  return cat(int(1, 8), str(2, 'ganvas-tests'), len(7, g), len(8, cat(str(1, ''), int(2, opset))));
}

/**
 * MI-GAN's pipeline signature (uint8 RGB image, uint8 mask with 255 = keep, uint8 `result`):
 * keeps known pixels and paints holes a fixed colour per channel, so a test can see where the
 * adapter put the hole and in which channel order.
 */
export function miganLike(fill: [number, number, number]): Bytes {
  return model({
    inputs: [valueInfo('image', UINT8, [1, 3, 'H', 'W']), valueInfo('mask', UINT8, [1, 1, 'H', 'W'])],
    outputs: [valueInfo('result', UINT8, [1, 3, 'H', 'W'])],
    initializers: [floatTensor('k255', [], [255]), floatTensor('one', [], [1]), floatTensor('fill', [1, 3, 1, 1], fill)],
    nodes: [
      node('Cast', ['image'], ['img'], [{ name: 'to', int: FLOAT }]),
      node('Cast', ['mask'], ['m255'], [{ name: 'to', int: FLOAT }]),
      node('Div', ['m255', 'k255'], ['keep']),
      node('Sub', ['one', 'keep'], ['hole']),
      node('Mul', ['img', 'keep'], ['kept']),
      node('Mul', ['fill', 'hole'], ['filled']),
      node('Add', ['kept', 'filled'], ['sum']),
      node('Cast', ['sum'], ['result'], [{ name: 'to', int: UINT8 }]),
    ],
  });
}

/**
 * LaMa's signature (float 0..1 image and mask, 1 = hole, fixed 512×512, `output` not
 * composited): predicts one colour everywhere, so only the adapter's compositing keeps the photo.
 */
export function lamaLike(colour: [number, number, number]): Bytes {
  return model({
    inputs: [valueInfo('image', FLOAT, [1, 3, 512, 512]), valueInfo('mask', FLOAT, [1, 1, 512, 512])],
    outputs: [valueInfo('output', FLOAT, [1, 3, 512, 512])],
    initializers: [floatTensor('zero', [], [0]), floatTensor('colour', [1, 3, 1, 1], colour)],
    nodes: [
      node('Mul', ['image', 'zero'], ['img0']),
      node('Mul', ['mask', 'zero'], ['mask0']),
      node('Add', ['img0', 'mask0'], ['zeros']),
      node('Add', ['zeros', 'colour'], ['output']),
    ],
  });
}
