import { ProtocolError } from './errors';
import {
  compactHistoryFrame,
  dataFrame,
  decodePoint,
  decodeVoteServerFrame,
  encodePoint,
  publishedPoint,
  pointTs,
  stateFrame,
} from './snapshot-codec';

const point = { ts: 1_700_000_000_000, votes: { yes: 50, no: 0 }, connected: 70 };

describe('snapshot codec', () => {
  it('encodes a point with ts first and reads ts back without parsing', () => {
    const encoded = encodePoint(point);
    expect(encoded).toBe('{"ts":1700000000000,"votes":{"yes":50,"no":0},"connected":70}');
    expect(pointTs(encoded)).toBe(point.ts);
    expect(pointTs('{"votes":{},"ts":1}')).toBeNaN();
    expect(pointTs('garbage')).toBeNaN();
  });

  it('splices encoded points into a frame and takes the point out of a published tick', () => {
    const a = encodePoint(point);
    const b = encodePoint({ ...point, ts: point.ts + 1000 });
    expect(dataFrame([])).toBe('{"data":[]}');
    expect(JSON.parse(dataFrame([a, b]))).toEqual({ data: [point, { ...point, ts: point.ts + 1000 }] });
    expect(publishedPoint(a)).toBe(a);
    expect(publishedPoint(dataFrame([a]))).toBe(a); // as an older ticker published it
    expect(publishedPoint('{"data":[]}')).toBeUndefined();
    expect(publishedPoint('{"error":{"code":"x"}}')).toBeUndefined();
    expect(publishedPoint('{"state":{"closed":true,"ts":1}}')).toBeUndefined();
  });

  it('decodes data, state and error frames, and refuses anything else', () => {
    expect(decodeVoteServerFrame(dataFrame([encodePoint(point)]))).toEqual({ kind: 'data', points: [point], markers: [] });
    const marker = { ts: 5, label: 'the reveal', auto: false };
    expect(decodeVoteServerFrame(dataFrame([encodePoint(point)], [JSON.stringify(marker)]))).toEqual({
      kind: 'data',
      points: [point],
      markers: [marker],
    });
    expect(decodeVoteServerFrame(JSON.stringify({ marker }))).toEqual({ kind: 'marker', marker });
    expect(decodeVoteServerFrame(stateFrame({ closed: true, ts: 5 }))).toEqual({ kind: 'state', closed: true, ts: 5 });
    expect(stateFrame({ closed: false, ts: 6 })).toBe('{"state":{"closed":false,"ts":6}}');
    expect(decodeVoteServerFrame('{"error":{"code":"unauthorized","message":"no"}}')).toEqual({
      kind: 'error',
      code: 'unauthorized',
      message: 'no',
    });
    for (const bad of [
      'nope',
      '{}',
      '{"data":[{"ts":-1,"votes":{},"connected":0}]}',
      '{"data":[{"ts":1,"votes":{"yes":"3"},"connected":0}]}',
      '{"state":{"closed":"yes","ts":1}}',
      '{"state":{"closed":true}}',
      '{"marker":{"ts":1,"label":5,"auto":false}}',
      '{"data":[],"markers":{}}',
    ]) {
      expect(() => decodeVoteServerFrame(bad)).toThrow(ProtocolError);
    }
    expect(() => decodePoint({ ts: 1, votes: [], connected: 0 })).toThrow(ProtocolError);
  });

  it('round-trips a compact history (columns of differences) to the same points, in about a fifth of the bytes', () => {
    const points = Array.from({ length: 3600 }, (_, i) => ({
      ts: point.ts + i * 1000 + (i === 1800 ? 7 : 0),
      votes: { yes: 50_000 + Math.round(3000 * Math.sin(i / 100)), no: 40_000 - (i % 17) },
      connected: 120_000 + i,
    }));
    const encoded = points.map(encodePoint);
    const compact = compactHistoryFrame(encoded, ['yes', 'no']);
    expect(decodeVoteServerFrame(compact)).toEqual({ kind: 'data', points, markers: [] });
    const marked = compactHistoryFrame(encoded, ['yes', 'no'], ['{"ts":1,"label":"x","auto":true}']);
    expect(decodeVoteServerFrame(marked)).toEqual({ kind: 'data', points, markers: [{ ts: 1, label: 'x', auto: true }] });
    expect(decodeVoteServerFrame(dataFrame(encoded))).toEqual({ kind: 'data', points, markers: [] });
    expect(compact.length).toBeLessThan(dataFrame(encoded).length / 5);
    expect(decodeVoteServerFrame(compactHistoryFrame([], ['yes', 'no']))).toEqual({ kind: 'data', points: [], markers: [] });
    for (const bad of [
      '{"history":{}}',
      '{"history":{"options":["yes"],"ts":[1,1000,2],"votes":[[1]],"connected":[1,2,3]}}',
      '{"history":{"options":["yes"],"ts":[1,1000],"votes":[[1]],"connected":[1]}}',
      '{"history":{"options":["yes"],"ts":[1.5],"votes":[[1]],"connected":[1]}}',
    ]) {
      expect(() => decodeVoteServerFrame(bad)).toThrow(ProtocolError);
    }
  });

  it("carries each segment's counts in points, plain and compact, and a join's round", () => {
    const segmented = Array.from({ length: 30 }, (_, i) => ({
      ts: point.ts + i * 1000,
      votes: { yes: 10 + i, no: 5 },
      connected: 20,
      segments: { red: { yes: 4 + i, no: 1 }, blue: { yes: 6, no: 4 } },
    }));
    const encoded = segmented.map(encodePoint);
    expect(JSON.parse(encoded[0]!)).toEqual(segmented[0]);
    expect(decodeVoteServerFrame(dataFrame(encoded, [], 3))).toEqual({ kind: 'data', points: segmented, markers: [], round: 3 });
    const compact = compactHistoryFrame(encoded, ['yes', 'no'], [], ['red', 'blue'], 2);
    expect(decodeVoteServerFrame(compact)).toEqual({ kind: 'data', points: segmented, markers: [], round: 2 });
    // Round 0 (the first) is not written: an older client sees the frames it always saw.
    expect(dataFrame(encoded.slice(0, 1), [], 0)).toBe(`{"data":[${encoded[0]}]}`);
    for (const bad of [
      `{"data":[${encoded[0]}],"round":-1}`,
      '{"data":[{"ts":1,"votes":{"yes":1},"connected":1,"segments":{"red":{"yes":-1}}}]}',
      '{"data":[{"ts":1,"votes":{"yes":1},"connected":1,"segments":[]}]}',
      '{"history":{"options":["yes"],"ts":[1],"votes":[[1]],"connected":[1],"segments":{"red":[[1,2]]}}}',
    ]) {
      expect(() => decodeVoteServerFrame(bad)).toThrow(ProtocolError);
    }
  });
});
