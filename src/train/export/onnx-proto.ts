// The few messages of ONNX's protobuf schema (onnx/onnx.proto, proto2) that a feed-forward model
// needs, encoded by hand: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
// ValueInfoProto with its tensor type and shape, OperatorSetIdProto. Field numbers are onnx.proto's.
// Protobuf's wire format: each field is a varint key (field number << 3 | wire type) followed by a
// varint (type 0), 4 little-endian bytes (type 5) or a varint length and that many bytes (type 2).
// Repeated integers are written one key per value (proto2's unpacked form, which every parser reads).

/** Builds one message's bytes. */
export class ProtoWriter {
  private parts: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
  }

  private varint(n: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(n));
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    this.push(Uint8Array.from(out));
  }

  private key(field: number, wire: 0 | 2 | 5): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, n: number): this {
    if (!Number.isSafeInteger(n)) throw new RangeError(`protobuf: ${n} is not a whole number`);
    this.key(field, 0);
    this.varint(n);
    return this;
  }

  ints(field: number, ns: readonly number[]): this {
    for (const n of ns) this.int(field, n);
    return this;
  }

  float(field: number, x: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, x, true);
    this.push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** TensorProto.DataType */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

/** AttributeProto.AttributeType */
const ATTR = { float: 1, int: 2, string: 3, ints: 7 } as const;

export type OnnxAttr = { name: string; float: number } | { name: string; int: number } | { name: string; ints: number[] } | { name: string; string: string };

export interface OnnxNode {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs?: OnnxAttr[];
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** float32 values in C order. */
  data: Float32Array;
}

/** A dimension: a fixed size, or a symbolic name (batch, height, width). */
export type OnnxDim = number | string;

export interface OnnxValueInfo {
  name: string;
  dims: OnnxDim[];
  doc?: string;
}

export interface OnnxModel {
  irVersion: number;
  opset: number;
  producer: { name: string; version: string };
  graph: { name: string; nodes: OnnxNode[]; initializers: OnnxTensor[]; inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[]; doc?: string };
  doc?: string;
  /** ModelProto.metadata_props: free key/value strings (class names, normalisation). */
  metadata?: Record<string, string>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function floatBytes(a: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.length * 4);
  const v = new DataView(out.buffer);
  a.forEach((x, i) => v.setFloat32(i * 4, x, true));
  return out;
}

function attribute(a: OnnxAttr): ProtoWriter {
  // AttributeProto: name 1, f 2, i 3, s 4, ints 8, type 20
  const w = new ProtoWriter().string(1, a.name);
  if ('float' in a) w.float(2, a.float).int(20, ATTR.float);
  else if ('int' in a) w.int(3, a.int).int(20, ATTR.int);
  else if ('ints' in a) w.ints(8, a.ints).int(20, ATTR.ints);
  else w.string(4, a.string).int(20, ATTR.string);
  return w;
}

function node(n: OnnxNode): ProtoWriter {
  // NodeProto: input 1, output 2, name 3, op_type 4, attribute 5
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.op);
  for (const a of n.attrs ?? []) w.message(5, attribute(a));
  return w;
}

function tensor(t: OnnxTensor): ProtoWriter {
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (n !== t.data.length) throw new RangeError(`ONNX tensor ${t.name}: dims [${t.dims}] do not hold ${t.data.length} values`);
  // TensorProto: dims 1, data_type 2, name 8, raw_data 9
  return new ProtoWriter().ints(1, t.dims).int(2, ONNX_FLOAT).string(8, t.name).bytes(9, floatBytes(t.data));
}

function valueInfo(v: OnnxValueInfo): ProtoWriter {
  // TensorShapeProto.Dimension: dim_value 1, dim_param 2
  const shape = new ProtoWriter();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  // TypeProto.Tensor: elem_type 1, shape 2; TypeProto: tensor_type 1; ValueInfoProto: name 1, type 2, doc_string 3
  const type = new ProtoWriter().message(1, new ProtoWriter().int(1, ONNX_FLOAT).message(2, shape));
  const w = new ProtoWriter().string(1, v.name).message(2, type);
  if (v.doc) w.string(3, v.doc);
  return w;
}

/** The bytes of an .onnx file. */
export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  // GraphProto: node 1, name 2, initializer 5, doc_string 10, input 11, output 12
  const g = new ProtoWriter();
  for (const n of m.graph.nodes) g.message(1, node(n));
  g.string(2, m.graph.name);
  for (const t of m.graph.initializers) g.message(5, tensor(t));
  if (m.graph.doc) g.string(10, m.graph.doc);
  for (const i of m.graph.inputs) g.message(11, valueInfo(i));
  for (const o of m.graph.outputs) g.message(12, valueInfo(o));
  // ModelProto: ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7,
  // opset_import 8 (OperatorSetIdProto: domain 1, version 2), metadata_props 14 (key 1, value 2)
  const w = new ProtoWriter().int(1, m.irVersion).string(2, m.producer.name).string(3, m.producer.version);
  if (m.doc) w.string(6, m.doc);
  w.message(7, g);
  w.message(8, new ProtoWriter().string(1, '').int(2, m.opset));
  for (const [k, v] of Object.entries(m.metadata ?? {})) w.message(14, new ProtoWriter().string(1, k).string(2, v));
  return w.finish();
}
