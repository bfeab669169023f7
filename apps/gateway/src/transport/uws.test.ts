import { isNativeUws, loadUws, type Uws } from './uws';

describe('uWebSockets.js loading', () => {
  it('loads the native binary on this platform', () => {
    expect(isNativeUws(loadUws(false))).toBe(true);
  });

  it("recognises the package's pure-JS fallback and refuses it unless allowed", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fallback = require('uWebSockets.js/dist/index') as Uws;
    expect(isNativeUws(fallback)).toBe(false);
    jest.isolateModules(() => {
      jest.doMock('uWebSockets.js', () => fallback);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { loadUws: load } = require('./uws') as typeof import('./uws');
      expect(() => load(false)).toThrow(/pure-JS fallback/);
      expect(load(true)).toBe(fallback);
    });
  });
});
