// SM2 digital signatures (GB/T 32918.2-2016, GM/T 0003.2-2012) on the recommended curve of GB/T 32918.5.
// Node's OpenSSL knows the SM2 curve but its sign/verify API does plain ECDSA on it: it neither hashes
// ZA || M nor computes s = (1 + d)^-1 (k - r d). So the scheme is written out here over bigint, with SM3 from
// node:crypto; the tests hold it to the standards' published examples (tests/evidence/sm-crypto.test.ts).
// The scalar multiplication is not constant-time: it signs checkpoints a few times a minute, on the
// operator's own machine, not attacker-timed requests.
import { createHash, randomBytes } from 'node:crypto';

export interface Sm2Curve {
  readonly p: bigint;
  readonly a: bigint;
  readonly b: bigint;
  readonly n: bigint;
  readonly gx: bigint;
  readonly gy: bigint;
}

/** The recommended 256-bit curve (GB/T 32918.5-2017 / GM/T 0003.5-2012), OpenSSL's "SM2". */
export const SM2_CURVE: Sm2Curve = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
};

/** The signer identity every Shuyu signature uses: the standard's default ID (GM/T 0009-2012 §10). */
export const SM2_DEFAULT_ID = '1234567812345678';

export interface Point {
  readonly x: bigint;
  readonly y: bigint;
}

const BYTES = 32;

function mod(value: bigint, m: bigint): bigint {
  const r = value % m;
  return r < 0n ? r + m : r;
}

function invert(value: bigint, m: bigint): bigint {
  let [a, b, x0, x1] = [mod(value, m), m, 1n, 0n];
  while (b !== 0n) {
    const q = a / b;
    [a, b] = [b, a - q * b];
    [x0, x1] = [x1, x0 - q * x1];
  }
  if (a !== 1n) throw new RangeError('not invertible');
  return mod(x0, m);
}

export function toBytes(value: bigint, length = BYTES): Buffer {
  return Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex');
}

export function fromBytes(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

// Jacobian coordinates (X, Y, Z) stand for (X/Z^2, Y/Z^3): no inversion per step. Z = 0 is infinity.
type Jacobian = readonly [bigint, bigint, bigint];
const INFINITY: Jacobian = [1n, 1n, 0n];

function double(c: Sm2Curve, [x, y, z]: Jacobian): Jacobian {
  if (z === 0n || y === 0n) return INFINITY;
  const { p } = c;
  const yy = mod(y * y, p);
  const s = mod(4n * x * yy, p);
  const zz = mod(z * z, p);
  const m = mod(3n * x * x + c.a * zz * zz, p);
  const x3 = mod(m * m - 2n * s, p);
  const y3 = mod(m * (s - x3) - 8n * yy * yy, p);
  return [x3, y3, mod(2n * y * z, p)];
}

function add(c: Sm2Curve, P: Jacobian, Q: Jacobian): Jacobian {
  if (P[2] === 0n) return Q;
  if (Q[2] === 0n) return P;
  const { p } = c;
  const [x1, y1, z1] = P;
  const [x2, y2, z2] = Q;
  const z1z1 = mod(z1 * z1, p);
  const z2z2 = mod(z2 * z2, p);
  const u1 = mod(x1 * z2z2, p);
  const u2 = mod(x2 * z1z1, p);
  const s1 = mod(y1 * z2 * z2z2, p);
  const s2 = mod(y2 * z1 * z1z1, p);
  if (u1 === u2) return s1 === s2 ? double(c, P) : INFINITY;
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const hh = mod(h * h, p);
  const hhh = mod(h * hh, p);
  const v = mod(u1 * hh, p);
  const x3 = mod(r * r - hhh - 2n * v, p);
  const y3 = mod(r * (v - x3) - s1 * hhh, p);
  return [x3, y3, mod(h * z1 * z2, p)];
}

function multiply(c: Sm2Curve, k: bigint, point: Point): Jacobian {
  let result = INFINITY;
  let addend: Jacobian = [point.x, point.y, 1n];
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) result = add(c, result, addend);
    addend = double(c, addend);
  }
  return result;
}

function toAffine(c: Sm2Curve, [x, y, z]: Jacobian): Point | undefined {
  if (z === 0n) return undefined;
  const zi = invert(z, c.p);
  const zi2 = mod(zi * zi, c.p);
  return { x: mod(x * zi2, c.p), y: mod(y * zi2 * zi, c.p) };
}

export function isOnCurve(c: Sm2Curve, { x, y }: Point): boolean {
  if (x < 0n || y < 0n || x >= c.p || y >= c.p) return false;
  return mod(y * y - (x * x * x + c.a * x + c.b), c.p) === 0n;
}

/** [d]G: the public key of private key d. */
export function publicKeyOf(d: bigint, c: Sm2Curve = SM2_CURVE): Point {
  if (d <= 0n || d >= c.n - 1n) throw new RangeError('an SM2 private key lies in [1, n - 2]');
  return toAffine(c, multiply(c, d, { x: c.gx, y: c.gy })) as Point;
}

/** ZA = SM3(ENTL || ID || a || b || xG || yG || xA || yA) (GB/T 32918.2 §5.5). */
export function sm2Za(publicKey: Point, id: string = SM2_DEFAULT_ID, c: Sm2Curve = SM2_CURVE): Buffer {
  const idBytes = Buffer.from(id, 'utf8');
  const entl = idBytes.length * 8;
  if (entl > 0xffff) throw new RangeError('the SM2 signer ID is longer than 8191 bytes');
  return createHash('sm3')
    .update(Buffer.from([entl >> 8, entl & 0xff]))
    .update(idBytes)
    .update(Buffer.concat([c.a, c.b, c.gx, c.gy, publicKey.x, publicKey.y].map((v) => toBytes(v))))
    .digest();
}

/** e = SM3(ZA || M) as an integer. */
function messageScalar(publicKey: Point, message: Uint8Array, id: string, c: Sm2Curve): bigint {
  return fromBytes(
    createHash('sm3')
      .update(sm2Za(publicKey, id, c))
      .update(message)
      .digest(),
  );
}

export interface Sm2SignOptions {
  readonly id?: string;
  readonly curve?: Sm2Curve;
  /** Fixed k, only for reproducing the standard's examples. */
  readonly k?: bigint;
  /** [d]G when the caller knows it (saves a scalar multiplication); derived otherwise. */
  readonly publicKey?: Point;
}

/** The signature (r, s) as 64 bytes r || s (the JWS form, like ES256). */
export function sm2Sign(d: bigint, message: Uint8Array, options: Sm2SignOptions = {}): Buffer {
  const c = options.curve ?? SM2_CURVE;
  const publicKey = options.publicKey ?? publicKeyOf(d, c);
  const e = messageScalar(publicKey, message, options.id ?? SM2_DEFAULT_ID, c);
  const dInverse = invert(1n + d, c.n);
  for (;;) {
    const k = options.k ?? mod(fromBytes(randomBytes(BYTES + 8)), c.n - 1n) + 1n;
    const x1 = (toAffine(c, multiply(c, k, { x: c.gx, y: c.gy })) as Point).x;
    const r = mod(e + x1, c.n);
    if (r === 0n || r + k === c.n) continue;
    const s = mod(dInverse * (k - r * d), c.n);
    if (s === 0n) continue;
    return Buffer.concat([toBytes(r), toBytes(s)]);
  }
}

/** GB/T 32918.2 §7: true when `signature` (r || s, 64 bytes) is the key's signature of `message`. */
export function sm2Verify(
  publicKey: Point,
  message: Uint8Array,
  signature: Uint8Array,
  options: { readonly id?: string; readonly curve?: Sm2Curve } = {},
): boolean {
  const c = options.curve ?? SM2_CURVE;
  if (signature.length !== 2 * BYTES || !isOnCurve(c, publicKey)) return false;
  const r = fromBytes(signature.subarray(0, BYTES));
  const s = fromBytes(signature.subarray(BYTES));
  if (r < 1n || r >= c.n || s < 1n || s >= c.n) return false;
  const t = mod(r + s, c.n);
  if (t === 0n) return false;
  const e = messageScalar(publicKey, message, options.id ?? SM2_DEFAULT_ID, c);
  const point = toAffine(c, add(c, multiply(c, s, { x: c.gx, y: c.gy }), multiply(c, t, publicKey)));
  return point !== undefined && mod(e + point.x, c.n) === r;
}

export function decodePoint(bytes: Uint8Array): Point | undefined {
  if (bytes.length !== 1 + 2 * BYTES || bytes[0] !== 4) return undefined;
  const point = { x: fromBytes(bytes.subarray(1, 1 + BYTES)), y: fromBytes(bytes.subarray(1 + BYTES)) };
  return isOnCurve(SM2_CURVE, point) ? point : undefined;
}
